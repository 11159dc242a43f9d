import { describe, expect, it } from "vitest";
import { linkExpired } from "./recording";

describe("recording links", () => {
  it("are renewed a little before they run out", () => {
    const link = { url: "/media/x", expires_at: "2024-05-12T08:35:00Z" };
    expect(linkExpired(link, Date.parse("2024-05-12T08:30:00Z"))).toBe(false);
    expect(linkExpired(link, Date.parse("2024-05-12T08:34:57Z"))).toBe(true);
    expect(linkExpired(link, Date.parse("2024-05-12T08:36:00Z"))).toBe(true);
  });
});
