import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, parseConfig } from "./config";

const good = {
  connectApiUrl: "https://13-235-10-20.sslip.io/api/connect",
  livekitUrl: "wss://13-235-10-20.sslip.io",
  supportPhone: "+91 80 4718 1234",
};

const hours = { open: "06:00", close: "23:00", timeZone: "Asia/Kolkata" };
const withHours = (changes: Record<string, unknown>) => ({ ...good, hours: { ...hours, ...changes } });

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

  it("reads the line's opening hours", () => {
    expect(parseConfig({ ...good, hours })).toEqual({ ...good, hours });
    const overnight = { open: "22:00", close: "06:00", timeZone: "Europe/London" };
    expect(parseConfig({ ...good, hours: overnight }).hours).toEqual(overnight);
    expect(parseConfig(withHours({ open: " 06:00", close: "23:00 " })).hours).toEqual(hours);
  });

  it("a line without hours is always open", () => {
    expect(parseConfig(good)).not.toHaveProperty("hours");
    expect(parseConfig({ ...good, hours: null })).not.toHaveProperty("hours");
  });

  it.each([
    ["a missing connect API", { ...good, connectApiUrl: undefined }, /connectApiUrl.*missing/],
    ["a connect API that is no URL", { ...good, connectApiUrl: "api/connect" }, /not a URL/],
    ["an http LiveKit URL", { ...good, livekitUrl: "https://x.example" }, /livekitUrl.*wss:/],
    ["a phone number that is a number", { ...good, supportPhone: 918047181234 }, /supportPhone/],
    ["a phone number that is text", { ...good, supportPhone: "call us" }, /supportPhone/],
    ["an array", [good], /not a JSON object/],
    ["null", null, /not a JSON object/],
    ["hours that are not an object", { ...good, hours: "06:00-23:00" }, /"hours" must be an object/],
    ["hours without an opening time", withHours({ open: undefined }), /"hours.open" is missing/],
    ["hours without a closing time", withHours({ close: "" }), /"hours.close" is missing/],
    ["hours without a time zone", withHours({ timeZone: undefined }), /"hours.timeZone" is missing/],
    ["a one-digit hour", withHours({ open: "6:00" }), /"hours.open" must be a 24-hour time like "06:00": 6:00/],
    ["a closing time of 24:00", withHours({ close: "24:00" }), /"hours.close" must be a 24-hour time/],
    ["an opening time that is a number", withHours({ open: 600 }), /"hours.open" must be a 24-hour time.*: 600/],
    ["an unknown time zone", withHours({ timeZone: "India/Bangalore" }), /"hours.timeZone" is not a known time zone: India\/Bangalore/],
    ["a time zone that is a number", withHours({ timeZone: 5.5 }), /"hours.timeZone" is not a known time zone: 5.5/],
    ["opening and closing at once", withHours({ close: "06:00" }), /"hours.open" and "hours.close" are both 06:00/],
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
