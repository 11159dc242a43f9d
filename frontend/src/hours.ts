// Opening hours: whether the voice line is open at a moment, when it next opens or closes,
// and how to say the opening time to a caller who may be in another time zone.
// Pure, each function taking the moment it is asked about, except watchHours: the timer.

/** The line's daily hours, as config.json gives them: "HH:MM" (24-hour) in an IANA zone. */
export interface OpeningHours {
  open: string; // the line opens at this time...
  close: string; // ...and is closed from this time on; earlier than `open` for an overnight line
  timeZone: string; // e.g. "Asia/Kolkata"
}

const MINUTE = 60_000;
const DAY = 24 * 60; // minutes

const CLOCK = /^([01][0-9]|2[0-3]):([0-5][0-9])$/;

/** Minutes after midnight of a 24-hour "HH:MM", or null if it is no such time. */
export function clockMinutes(value: string): number | null {
  const match = CLOCK.exec(value);
  return match ? Number(match[1]) * 60 + Number(match[2]) : null;
}

function minutesOf(value: string): number {
  const minutes = clockMinutes(value);
  if (minutes === null) throw new RangeError(`not a 24-hour time: ${value}`);
  return minutes;
}

/** True if the browser knows the IANA time zone. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** A formatter of a time zone's wall clock into numeric parts (cached per zone). */
function partsFormatter(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      calendar: "gregory",
      numberingSystem: "latn",
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

interface WallClock {
  minuteOfDay: number; // what the zone's clocks show, in minutes after midnight
  msIntoMinute: number; // and how far into that minute they are
  offset: number; // the zone's offset from UTC at that moment, in ms
}

function wallClock(at: number, timeZone: string): WallClock {
  const parts: Record<string, number> = {};
  for (const part of partsFormatter(timeZone).formatToParts(at)) {
    if (part.type !== "literal") parts[part.type] = Number(part.value);
  }
  const hour = parts.hour % 24;
  const second = Math.floor(at / 1000) * 1000;
  const local = Date.UTC(parts.year, parts.month - 1, parts.day, hour, parts.minute, parts.second);
  return {
    minuteOfDay: hour * 60 + parts.minute,
    msIntoMinute: parts.second * 1000 + (at - second),
    offset: local - second,
  };
}

/** The zone's offset from UTC at `at`, in ms (whole seconds). */
export const zoneOffset = (at: number, timeZone: string): number => wallClock(at, timeZone).offset;

function inWindow(minuteOfDay: number, open: number, close: number): boolean {
  return open < close
    ? minuteOfDay >= open && minuteOfDay < close
    : minuteOfDay >= open || minuteOfDay < close;
}

/** True if the zone's clocks at `at` read within [open, close). */
export function isOpen(hours: OpeningHours, at: Date): boolean {
  const { minuteOfDay } = wallClock(at.getTime(), hours.timeZone);
  return inWindow(minuteOfDay, minutesOf(hours.open), minutesOf(hours.close));
}

/** The first moment in (from, to] at which the zone's offset is no longer `offset`, or null. */
function offsetChange(from: number, to: number, offset: number, timeZone: string): number | null {
  if (wallClock(to, timeZone).offset === offset) return null;
  // Offsets change on whole seconds: bisect in seconds.
  let before = Math.floor(from / 1000) * 1000;
  let after = to;
  while (after - before > 1000) {
    const middle = before + Math.floor((after - before) / 2000) * 1000;
    if (wallClock(middle, timeZone).offset === offset) before = middle;
    else after = middle;
  }
  return after;
}

/**
 * The next moment after `at` at which the line opens (if it is closed at `at`) or closes
 * (if it is open). Between changes of the zone's offset its clocks run with UTC, so the
 * boundary is a whole number of minutes away; a change of offset on the way (summer time)
 * moves it, and a jump of the clocks past the boundary is itself the change.
 */
export function nextChange(hours: OpeningHours, at: Date): Date {
  const wasOpen = isOpen(hours, at);
  const target = minutesOf(wasOpen ? hours.close : hours.open);
  let from = at.getTime();
  let candidate = from;
  for (let segment = 0; segment < 4; segment++) {
    const clock = wallClock(from, hours.timeZone);
    const minutes = (target - clock.minuteOfDay + DAY) % DAY || DAY;
    candidate = from - clock.msIntoMinute + minutes * MINUTE;
    const shift = offsetChange(from, candidate, clock.offset, hours.timeZone);
    if (shift === null) break;
    if (isOpen(hours, new Date(shift)) !== wasOpen) return new Date(shift);
    from = shift;
  }
  return new Date(candidate);
}

/** "HH:MM" on the clocks of `timeZone` (the browser's own zone if undefined) at `at`. */
export function clockTime(at: Date, timeZone?: string): string {
  return new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    hour: "2-digit",
    minute: "2-digit",
    numberingSystem: "latn",
  }).format(at);
}

function zoneName(timeZone: string, style: "shortGeneric" | "longGeneric" | "short", at: Date) {
  try {
    return new Intl.DateTimeFormat("en-US", { timeZone, timeZoneName: style })
      .formatToParts(at)
      .find((part) => part.type === "timeZoneName")?.value;
  } catch {
    return undefined; // an engine without this style of name
  }
}

/**
 * A name for the zone a caller can read: "India time", "United Kingdom time", "Eastern time";
 * an abbreviation ("UTC", "GMT+4") where the zone has no such name.
 */
export function zoneLabel(timeZone: string, at: Date): string {
  for (const style of ["shortGeneric", "longGeneric"] as const) {
    const name = zoneName(timeZone, style, at);
    if (name && / Time$/.test(name)) return name.replace(/ Time$/, " time");
  }
  return zoneName(timeZone, "short", at) ?? timeZone;
}

export interface Opening {
  at: Date; // the moment the line opens next
  lineTime: string; // "06:00": on the line's clocks
  zone: string; // "India time"
  yourTime: string | null; // "01:30" on the caller's clocks; null when they read the same
  text: string; // "06:00 India time (01:30 your time)"
}

/** When a closed line opens next, in its own time and, if that reads differently, the caller's. */
export function nextOpening(hours: OpeningHours, at: Date, viewerTimeZone?: string): Opening {
  const opensAt = isOpen(hours, at) ? nextChange(hours, nextChange(hours, at)) : nextChange(hours, at);
  const lineTime = clockTime(opensAt, hours.timeZone);
  const zone = zoneLabel(hours.timeZone, opensAt);
  const local = clockTime(opensAt, viewerTimeZone);
  const yourTime = local === lineTime ? null : local;
  return {
    at: opensAt,
    lineTime,
    zone,
    yourTime,
    text: `${lineTime} ${zone}${yourTime ? ` (${yourTime} your time)` : ""}`,
  };
}

export interface HoursWatch {
  /** Looks at the clock again now, e.g. when the page comes back from the background. */
  check(): void;
  stop(): void;
}

/**
 * Reports whether the line is open now, then again each time it opens or closes: one timer,
 * set to the next change, not a poll. A timer that fires early (or a clock that was changed)
 * only sets the next one.
 */
export function watchHours(hours: OpeningHours, onChange: (open: boolean) => void): HoursWatch {
  let open = isOpen(hours, new Date());
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const schedule = () => {
    const now = new Date();
    timer = setTimeout(check, Math.max(0, nextChange(hours, now).getTime() - now.getTime()));
  };
  const check = () => {
    if (stopped) return;
    clearTimeout(timer);
    const nowOpen = isOpen(hours, new Date());
    if (nowOpen !== open) {
      open = nowOpen;
      onChange(open);
    }
    schedule();
  };
  onChange(open);
  schedule();
  return {
    check,
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
