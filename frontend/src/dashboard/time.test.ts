import { describe, expect, it } from "vitest";
import { dateRangeToInstants, formatClock, formatDateTime, formatDay, isLocalDate, nextDate, startOfLocalDay } from "./time";

describe("formatDateTime", () => {
  it("shows an instant on the viewer's clocks", () => {
    const at = "2024-05-12T08:30:00Z";
    expect(formatDateTime(at, "Asia/Kolkata", "en-GB")).toBe("12 May 2024, 14:00 GMT+5:30");
    expect(formatDateTime(at, "America/New_York", "en-GB")).toBe("12 May 2024, 04:30 GMT-4");
    expect(formatDateTime(at, "UTC", "en-GB")).toBe("12 May 2024, 08:30 UTC");
  });

  it("moves the date when the viewer's day differs from UTC's", () => {
    expect(formatDateTime("2024-05-12T20:00:00Z", "Asia/Kolkata", "en-GB")).toMatch(/^13 May 2024, 01:30/);
  });

  it("leaves a value that is no time as it is", () => {
    expect(formatDateTime("yesterday", "UTC")).toBe("yesterday");
  });
});

describe("startOfLocalDay", () => {
  it("is local midnight as an instant", () => {
    expect(startOfLocalDay("2024-05-12", "Asia/Kolkata").toISOString()).toBe("2024-05-11T18:30:00.000Z");
    expect(startOfLocalDay("2024-05-12", "America/Los_Angeles").toISOString()).toBe("2024-05-12T07:00:00.000Z");
    expect(startOfLocalDay("2024-05-12", "UTC").toISOString()).toBe("2024-05-12T00:00:00.000Z");
  });

  it("follows summer time on the day the clocks change", () => {
    expect(startOfLocalDay("2024-03-10", "America/New_York").toISOString()).toBe("2024-03-10T05:00:00.000Z");
    expect(startOfLocalDay("2024-03-11", "America/New_York").toISOString()).toBe("2024-03-11T04:00:00.000Z");
    expect(startOfLocalDay("2024-10-27", "Europe/London").toISOString()).toBe("2024-10-26T23:00:00.000Z");
  });

  it("starts a day whose midnight is skipped when the clocks jump", () => {
    // Havana moves its clocks from 00:00 to 01:00: the day starts at the jump.
    expect(startOfLocalDay("2024-03-10", "America/Havana").toISOString()).toBe("2024-03-10T05:00:00.000Z");
  });

  it("starts a day whose midnight happens twice at the first", () => {
    // Havana moves its clocks from 01:00 back to 00:00.
    expect(startOfLocalDay("2024-11-03", "America/Havana").toISOString()).toBe("2024-11-03T04:00:00.000Z");
  });

  it("refuses what is not a date", () => {
    expect(() => startOfLocalDay("2024-02-30", "UTC")).toThrow(RangeError);
    expect(() => startOfLocalDay("12/05/2024", "UTC")).toThrow(RangeError);
  });
});

describe("dateRangeToInstants", () => {
  it("includes the last day: `to` is the start of the day after", () => {
    expect(dateRangeToInstants({ from: "2024-05-01", to: "2024-05-31" }, "Asia/Kolkata")).toEqual({
      from: "2024-04-30T18:30:00.000Z",
      to: "2024-05-31T18:30:00.000Z",
    });
  });

  it("leaves out an open end", () => {
    expect(dateRangeToInstants({ to: "2024-12-31" }, "UTC")).toEqual({ to: "2025-01-01T00:00:00.000Z" });
    expect(dateRangeToInstants({}, "UTC")).toEqual({});
  });
});

describe("dates and clocks", () => {
  it("knows real dates", () => {
    expect(isLocalDate("2024-02-29")).toBe(true);
    expect(isLocalDate("2023-02-29")).toBe(false);
    expect(isLocalDate("2024-5-1")).toBe(false);
  });

  it("steps to the next day across months and years", () => {
    expect(nextDate("2024-02-29")).toBe("2024-03-01");
    expect(nextDate("2024-12-31")).toBe("2025-01-01");
  });

  it("names an agent's week by its date, whatever the viewer's zone", () => {
    expect(formatDay("2024-05-06", "en-GB")).toBe("6 May 2024");
  });

  it("shows seconds into a recording as m:ss", () => {
    expect(formatClock(0)).toBe("0:00");
    expect(formatClock(6.91)).toBe("0:06");
    expect(formatClock(75)).toBe("1:15");
    expect(formatClock(3725)).toBe("1:02:05");
  });
});
