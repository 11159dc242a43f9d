import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  clockMinutes,
  isOpen,
  isTimeZone,
  nextChange,
  nextOpening,
  type OpeningHours,
  watchHours,
  zoneLabel,
} from "./hours";

const india: OpeningHours = { open: "06:00", close: "23:00", timeZone: "Asia/Kolkata" };
const overnight: OpeningHours = { open: "22:00", close: "06:00", timeZone: "Asia/Kolkata" };
const london: OpeningHours = { open: "08:00", close: "20:00", timeZone: "Europe/London" };

const at = (iso: string) => new Date(iso);

describe("clockMinutes", () => {
  it.each([
    ["00:00", 0],
    ["06:00", 360],
    ["23:59", 1439],
  ])("reads %s", (value, minutes) => {
    expect(clockMinutes(value)).toBe(minutes);
  });

  it.each(["6:00", "24:00", "06:60", "06:00:00", "6am", "", " 06:00", "０６:００"])(
    "refuses %j",
    (value) => {
      expect(clockMinutes(value)).toBeNull();
    },
  );
});

describe("isTimeZone", () => {
  it("knows IANA zones and refuses made-up ones", () => {
    expect(isTimeZone("Asia/Kolkata")).toBe(true);
    expect(isTimeZone("Europe/London")).toBe(true);
    expect(isTimeZone("UTC")).toBe(true);
    expect(isTimeZone("Mars/Olympus_Mons")).toBe(false);
    expect(isTimeZone("IST+5:30")).toBe(false);
  });
});

describe("isOpen", () => {
  // India is UTC+05:30 all year: 06:00 IST is 00:30Z, 23:00 IST is 17:30Z.
  it.each([
    ["2024-05-01T00:29:59.999Z", false], // 05:59:59.999
    ["2024-05-01T00:30:00.000Z", true], // 06:00 opens
    ["2024-05-01T12:00:00.000Z", true], // 17:30
    ["2024-05-01T17:29:59.999Z", true], // 22:59:59.999
    ["2024-05-01T17:30:00.000Z", false], // 23:00 closes
    ["2024-05-01T18:30:00.000Z", false], // midnight
  ])("06:00-23:00 India time at %s: %s", (iso, open) => {
    expect(isOpen(india, at(iso))).toBe(open);
  });

  it.each([
    ["2024-05-01T16:29:59Z", false], // 21:59:59
    ["2024-05-01T16:30:00Z", true], // 22:00 opens
    ["2024-05-01T18:30:00Z", true], // midnight: still open
    ["2024-05-02T00:29:59Z", true], // 05:59:59
    ["2024-05-02T00:30:00Z", false], // 06:00 closes
    ["2024-05-02T06:30:00Z", false], // noon
  ])("overnight 22:00-06:00 India time at %s: %s", (iso, open) => {
    expect(isOpen(overnight, at(iso))).toBe(open);
  });

  it("a line that closes at 00:00 is open until midnight", () => {
    const toMidnight = { ...india, close: "00:00" };
    expect(isOpen(toMidnight, at("2024-05-01T18:29:59Z"))).toBe(true); // 23:59:59
    expect(isOpen(toMidnight, at("2024-05-01T18:30:00Z"))).toBe(false); // 00:00
    expect(isOpen(toMidnight, at("2024-05-02T00:30:00Z"))).toBe(true); // 06:00
  });

  it("follows summer time: 08:00 in London is 08:00Z in winter and 07:00Z in summer", () => {
    expect(isOpen(london, at("2024-01-15T07:59:59Z"))).toBe(false);
    expect(isOpen(london, at("2024-01-15T08:00:00Z"))).toBe(true);
    expect(isOpen(london, at("2024-01-15T19:59:59Z"))).toBe(true);
    expect(isOpen(london, at("2024-01-15T20:00:00Z"))).toBe(false);
    expect(isOpen(london, at("2024-07-01T06:59:59Z"))).toBe(false);
    expect(isOpen(london, at("2024-07-01T07:00:00Z"))).toBe(true);
    expect(isOpen(london, at("2024-07-01T18:59:59Z"))).toBe(true);
    expect(isOpen(london, at("2024-07-01T19:00:00Z"))).toBe(false);
  });
});

describe("nextChange", () => {
  it.each([
    ["closed at night: opens at 06:00", india, "2024-05-01T18:00:00Z", "2024-05-02T00:30:00.000Z"],
    ["closed before opening: opens the same day", india, "2024-05-01T00:00:00Z", "2024-05-01T00:30:00.000Z"],
    ["open: closes at 23:00", india, "2024-05-01T04:30:00Z", "2024-05-01T17:30:00.000Z"],
    ["exactly at opening: the next change is the closing", india, "2024-05-01T00:30:00Z", "2024-05-01T17:30:00.000Z"],
    ["exactly at closing: the next change is the opening", india, "2024-05-01T17:30:00Z", "2024-05-02T00:30:00.000Z"],
    ["a second before opening, mid-millisecond", india, "2024-05-01T00:29:59.250Z", "2024-05-01T00:30:00.000Z"],
    ["overnight, open after midnight: closes at 06:00", overnight, "2024-05-01T19:00:00Z", "2024-05-02T00:30:00.000Z"],
    ["overnight, closed at noon: opens at 22:00", overnight, "2024-05-01T06:30:00Z", "2024-05-01T16:30:00.000Z"],
    ["London in winter", london, "2024-01-15T21:00:00Z", "2024-01-16T08:00:00.000Z"],
    ["London in summer", london, "2024-07-01T21:00:00Z", "2024-07-02T07:00:00.000Z"],
  ])("%s", (_name, hours, from, expected) => {
    expect(nextChange(hours, at(from)).toISOString()).toBe(expected);
  });

  it("London: the clocks go forward overnight (31 March 2024), the line opens an hour earlier in UTC", () => {
    // Saturday 21:00 GMT, closed; Sunday 08:00 is British Summer Time, 07:00Z.
    expect(nextChange(london, at("2024-03-30T21:00:00Z")).toISOString()).toBe("2024-03-31T07:00:00.000Z");
    // ...and it closes at 20:00 BST, 19:00Z.
    expect(nextChange(london, at("2024-03-31T07:00:00Z")).toISOString()).toBe("2024-03-31T19:00:00.000Z");
  });

  it("London: the clocks go back overnight (27 October 2024), the line opens an hour later in UTC", () => {
    expect(nextChange(london, at("2024-10-26T20:00:00Z")).toISOString()).toBe("2024-10-27T08:00:00.000Z");
  });

  it("an opening time the clocks skip: the line opens when they jump past it", () => {
    // 31 March 2024, 01:00 GMT is followed by 02:00 BST: 01:30 never shows on a London clock.
    const early = { open: "01:30", close: "20:00", timeZone: "Europe/London" };
    const opens = nextChange(early, at("2024-03-31T00:00:00Z"));
    expect(opens.toISOString()).toBe("2024-03-31T01:00:00.000Z");
    expect(isOpen(early, opens)).toBe(true);
    expect(isOpen(early, new Date(opens.getTime() - 1))).toBe(false);
  });

  it("is always in the future and the status really changes there", () => {
    let moment = at("2024-03-29T12:00:00Z");
    for (let i = 0; i < 12; i++) {
      const change = nextChange(london, moment);
      expect(change.getTime()).toBeGreaterThan(moment.getTime());
      expect(isOpen(london, change)).not.toBe(isOpen(london, moment));
      expect(isOpen(london, new Date(change.getTime() - 1))).toBe(isOpen(london, moment));
      moment = change;
    }
  });
});

describe("zoneLabel", () => {
  it.each([
    ["Asia/Kolkata", "India time"],
    ["Europe/London", "United Kingdom time"],
    ["America/New_York", "Eastern time"],
    ["UTC", "UTC"],
  ])("%s reads %s", (zone, label) => {
    expect(zoneLabel(zone, at("2024-05-01T00:00:00Z"))).toBe(label);
  });
});

describe("nextOpening", () => {
  const night = at("2024-01-15T20:00:00Z"); // 01:30 in India: closed

  it("gives the opening in India time and in a London caller's time", () => {
    expect(nextOpening(india, night, "Europe/London")).toEqual({
      at: at("2024-01-16T00:30:00Z"),
      lineTime: "06:00",
      zone: "India time",
      yourTime: "00:30",
      text: "06:00 India time (00:30 your time)",
    });
  });

  it("in summer the London caller's time moves with their clocks", () => {
    expect(nextOpening(india, at("2024-07-15T20:00:00Z"), "Europe/London").text).toBe(
      "06:00 India time (01:30 your time)",
    );
  });

  it("leaves out the caller's time when their clocks read the same", () => {
    expect(nextOpening(india, night, "Asia/Kolkata").text).toBe("06:00 India time");
    expect(nextOpening(india, night, "Asia/Colombo").yourTime).toBeNull();
  });

  it("from an open line: the opening after the next closing", () => {
    expect(nextOpening(india, at("2024-01-15T06:00:00Z"), "UTC").at).toEqual(at("2024-01-16T00:30:00Z"));
  });
});

describe("watchHours", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("reports closed now, then open at 06:00 from a single timer", () => {
    vi.setSystemTime(at("2024-05-01T00:29:00Z")); // 05:59 in India
    const seen: boolean[] = [];
    const watch = watchHours(india, (open) => seen.push(open));
    expect(seen).toEqual([false]);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(59_999);
    expect(seen).toEqual([false]);
    vi.advanceTimersByTime(1);
    expect(seen).toEqual([false, true]);
    // One timer again, now for 23:00: nothing in between.
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(17 * 3_600_000 - 1);
    expect(seen).toEqual([false, true]);
    vi.advanceTimersByTime(1);
    expect(seen).toEqual([false, true, false]);
    watch.stop();
    expect(vi.getTimerCount()).toBe(0);
  });

  it("check() catches up after the clock moved on without the timer (a sleeping device)", () => {
    vi.setSystemTime(at("2024-05-01T00:00:00Z"));
    const seen: boolean[] = [];
    const watch = watchHours(india, (open) => seen.push(open));
    vi.setSystemTime(at("2024-05-01T05:00:00Z"));
    watch.check();
    expect(seen).toEqual([false, true]);
    expect(vi.getTimerCount()).toBe(1);
    watch.check();
    expect(seen).toEqual([false, true]);
    watch.stop();
  });

  it("a timer that fires early only sets the next one", () => {
    vi.setSystemTime(at("2024-05-01T00:29:00Z"));
    const seen: boolean[] = [];
    const watch = watchHours(india, (open) => seen.push(open));
    // The clock is set back a little while the timer runs: it fires before 06:00.
    vi.advanceTimersByTime(30_000);
    vi.setSystemTime(at("2024-05-01T00:28:30Z"));
    vi.advanceTimersByTime(30_000);
    expect(seen).toEqual([false]);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(60_000);
    expect(seen).toEqual([false, true]);
    watch.stop();
  });

  it("stays quiet after stop()", () => {
    vi.setSystemTime(at("2024-05-01T00:29:00Z"));
    const seen: boolean[] = [];
    watchHours(india, (open) => seen.push(open)).stop();
    vi.advanceTimersByTime(24 * 3_600_000);
    expect(seen).toEqual([false]);
  });
});
