/**
 * The one definition of "older than" in this product.
 *
 * An entry is **eligible** for deletion when its age is **strictly greater** than the rule's
 * `maxAge`:
 *
 *     age = asOf − time          eligible ⇔ age > maxAge
 *
 * - `time` is the entry's `creationTime` (default) or `modificationTime`, read as an instant: the
 *   ISO-8601 offset (`Z`, `+08:00`) is honoured, so `2025-01-02T08:00:00+08:00` and
 *   `2025-01-02T00:00:00Z` are the same time.
 * - `asOf` is the scheduled time of the run, fixed for the whole run (continuations included), not
 *   the clock at the moment a page happens to be read; so a re-run of the same schedule decides
 *   the same way.
 * - `maxAge` is what may still be kept: an entry exactly `maxAge` old is kept, one millisecond
 *   older is eligible. (`maxAge: 365d` reads "keep for at most 365 days".)
 * - A time after `asOf` is **never** eligible (`future-time`): a clock or data problem, not an old
 *   directory.
 * - A missing time, or one that is not an ISO-8601 date-time with an offset, is **never**
 *   eligible (`missing-time`): a time without an offset could be any of 26 hours.
 *
 * Instants are compared in whole milliseconds; digits past the millisecond are dropped, which
 * cannot change the answer because `asOf` and `maxAge` are whole milliseconds too.
 *
 * For a directory, `modificationTime` moves only when a *direct* child is added or removed (SMH
 * §4), not when something deeper changes: a directory whose sub-directories are busy can look
 * untouched. Prefer `creationTime` unless that is the meaning you want.
 */

/** Why an entry's age does not make it eligible. Stable strings: they appear in plan summaries. */
export const AgeSkip = {
  tooYoung: "too-young",
  futureTime: "future-time",
  missingTime: "missing-time",
} as const;
export type AgeSkip = (typeof AgeSkip)[keyof typeof AgeSkip];

/** The age verdict on one entry. `ageMs` is set whenever the time could be read. */
export type AgeVerdict =
  | { eligible: true; ageMs: number }
  | { eligible: false; reason: typeof AgeSkip.tooYoung | typeof AgeSkip.futureTime; ageMs: number }
  | { eligible: false; reason: typeof AgeSkip.missingTime };

const ISO_INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|([+-])(\d{2}):?(\d{2}))$/;

/**
 * Reads an ISO-8601 date-time with an offset (`Z`, `±hh:mm` or `±hhmm`) as epoch milliseconds.
 * Returns `undefined` for anything else: no offset, an impossible date (February 30th), an hour of
 * 24, a leap second, a non-string.
 *
 * @example parseInstant("2025-01-02T08:00:00+08:00") === parseInstant("2025-01-02T00:00:00Z")
 */
export function parseInstant(text: unknown): number | undefined {
  if (typeof text !== "string") return undefined;
  const parts = ISO_INSTANT.exec(text);
  if (parts === null) return undefined;
  const [, year, month, day, hour, minute, second, fraction, zone, sign, offsetH, offsetM] = parts;
  const y = Number(year);
  const mo = Number(month);
  const d = Number(day);
  const h = Number(hour);
  const mi = Number(minute);
  const s = Number(second);
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59) {
    return undefined;
  }
  let offsetMinutes = 0;
  if (zone !== "Z") {
    const oh = Number(offsetH);
    const om = Number(offsetM);
    if (oh > 23 || om > 59) return undefined;
    offsetMinutes = (sign === "-" ? -1 : 1) * (oh * 60 + om);
  }
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not read years 0–99 as 1900–1999.
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, Number((fraction ?? "").padEnd(3, "0").slice(0, 3)));
  return date.getTime() - offsetMinutes * 60_000;
}

function daysInMonth(year: number, month: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month, 0);
  return date.getUTCDate();
}

/**
 * Decides whether an entry whose age field holds `time` is old enough to delete, as of `asOfMs`
 * (the run's scheduled time, epoch ms), under `maxAgeMs`. See the module comment for the rule.
 *
 * @example evaluateAge("2024-01-01T00:00:00Z", 365 * 86_400_000, Date.parse("2025-01-01T00:00:00Z")) // 366 days: eligible
 */
export function evaluateAge(time: unknown, maxAgeMs: number, asOfMs: number): AgeVerdict {
  const instant = parseInstant(time);
  if (instant === undefined) return { eligible: false, reason: AgeSkip.missingTime };
  const ageMs = asOfMs - instant;
  if (ageMs < 0) return { eligible: false, reason: AgeSkip.futureTime, ageMs };
  if (ageMs > maxAgeMs) return { eligible: true, ageMs };
  return { eligible: false, reason: AgeSkip.tooYoung, ageMs };
}
