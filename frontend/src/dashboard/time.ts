// Times as the viewer reads them: instants shown on the viewer's clocks (Intl.DateTimeFormat),
// and the local dates of the date-range inputs turned into the instants the API filters by.

import { zoneOffset } from "../hours";

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function viewerTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** "12 May 2024, 14:00 GMT+5:30" in the viewer's (or the given) time zone and locale. */
export function formatDateTime(iso: string, timeZone?: string, locale?: string): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  return new Intl.DateTimeFormat(locale, {
    timeZone,
    year: "numeric",
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    timeZoneName: "short",
  }).format(at);
}

/** A calendar date "YYYY-MM-DD" (an agent's week, which has no time zone) as "6 May 2024". */
export function formatDay(date: string, locale?: string): string {
  const match = DATE.exec(date);
  if (!match) return date;
  const at = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  return new Intl.DateTimeFormat(locale, { timeZone: "UTC", year: "numeric", month: "short", day: "numeric" }).format(at);
}

/** True for a real calendar date written "YYYY-MM-DD". */
export function isLocalDate(value: string): boolean {
  const match = DATE.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const at = new Date(Date.UTC(year, month - 1, day));
  return at.getUTCFullYear() === year && at.getUTCMonth() === month - 1 && at.getUTCDate() === day;
}

/**
 * The instant a local date begins in a time zone (its first moment: midnight, or the first
 * time the clocks show that day when a change of clocks skips midnight).
 */
export function startOfLocalDay(date: string, timeZone: string = viewerTimeZone()): Date {
  const match = DATE.exec(date);
  if (!match || !isLocalDate(date)) throw new RangeError(`not a date: ${date}`);
  const wallMidnight = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  const day = 86_400_000;
  const candidates = [zoneOffset(wallMidnight - day, timeZone), zoneOffset(wallMidnight + day, timeZone)].map(
    (offset) => wallMidnight - offset,
  );
  const real = candidates.filter((at) => zoneOffset(at, timeZone) === wallMidnight - at);
  // Midnight happens (twice, when the clocks go back at midnight: the first); or the clocks
  // jump from 23:59 to 01:00 and the day starts at the jump.
  const at = real.length > 0 ? Math.min(...real) : Math.max(...candidates);
  return new Date(at);
}

/** The local date after `date` ("2024-02-29" -> "2024-03-01"). */
export function nextDate(date: string): string {
  const match = DATE.exec(date);
  if (!match) throw new RangeError(`not a date: ${date}`);
  const next = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]) + 1));
  return next.toISOString().slice(0, 10);
}

/**
 * A range of local dates, both days included, as the API's [from, to) instants: `from` is the
 * start of the first day, `to` the start of the day after the last.
 */
export function dateRangeToInstants(
  range: { from?: string; to?: string },
  timeZone: string = viewerTimeZone(),
): { from?: string; to?: string } {
  const out: { from?: string; to?: string } = {};
  if (range.from) out.from = startOfLocalDay(range.from, timeZone).toISOString();
  if (range.to) out.to = startOfLocalDay(nextDate(range.to), timeZone).toISOString();
  return out;
}

/** Seconds into a recording as "m:ss" (or "h:mm:ss"). */
export function formatClock(seconds: number): string {
  const whole = Math.max(0, Math.floor(seconds));
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = String(whole % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}
