import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, parseConfig } from "./config";

const good = {
  connectApiUrl: "https://13-235-10-20.sslip.io/api/connect",
  livekitUrl: "wss://13-235-10-20.sslip.io",
  supportPhone: "+91 80 4718 1234",
};

function fetchReturning(body: string, status = 200): typeof fetch {
  return async () => new Response(body, { status });
}

describe("parseConfig", () => {
  it("accepts a complete config", () => {
    expect(parseConfig(good)).toEqual(good);
  });

  it("a deployment without a phone line leaves the number out", () => {
    const { supportPhone: _, ...withoutPhone } = good;
    expect(parseConfig({ ...good, supportPhone: "" })).toEqual(withoutPhone);
    expect(parseConfig(withoutPhone)).toEqual(withoutPhone);
  });

  it.each([
    ["a missing connect API", { ...good, connectApiUrl: undefined }, /connectApiUrl.*missing/],
    ["a connect API that is no URL", { ...good, connectApiUrl: "api/connect" }, /not a URL/],
    ["an http LiveKit URL", { ...good, livekitUrl: "https://x.example" }, /livekitUrl.*wss:/],
    ["a phone number that is a number", { ...good, supportPhone: 918047181234 }, /supportPhone/],
    ["a phone number that is text", { ...good, supportPhone: "call us" }, /supportPhone/],
    ["an array", [good], /not a JSON object/],
    ["null", null, /not a JSON object/],
  ])("refuses %s with a message naming the field", (_name, raw, message) => {
    expect(() => parseConfig(raw)).toThrow(ConfigError);
    expect(() => parseConfig(raw)).toThrow(message);
  });
});

describe("loadConfig", () => {
  it("loads /config.json", async () => {
    expect(await loadConfig(fetchReturning(JSON.stringify(good)))).toEqual(good);
  });

  it("says when the file is missing", async () => {
    await expect(loadConfig(fetchReturning("not found", 404))).rejects.toThrow(/\(404\)/);
  });

  it("says when the file is not JSON", async () => {
    await expect(loadConfig(fetchReturning("<html>"))).rejects.toThrow(/not valid JSON/);
  });

  it("says when the server cannot be reached", async () => {
    const down: typeof fetch = async () => {
      throw new TypeError("Failed to fetch");
    };
    await expect(loadConfig(down)).rejects.toThrow(/could not be loaded/);
  });
});
