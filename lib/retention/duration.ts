/**
 * Durations as a retention rule writes them: `365d`, `12h`, `1d12h`, `2w`.
 *
 * Grammar: one or more `<digits><unit>` groups, units in decreasing order and each at most once,
 * no spaces, no sign:
 *
 * | unit | length          |
 * |------|-----------------|
 * | `w`  | 7 days          |
 * | `d`  | 24 hours        |
 * | `h`  | 60 minutes      |
 * | `m`  | 60 seconds (minutes, as in rclone, **not months**) |
 * | `s`  | 1 second        |
 *
 * Months and years are refused: they have no fixed length, and `6m` meaning "six months" is the
 * kind of misreading that deletes a library. A duration under {@link MIN_MAX_AGE_MS} (1 hour) is
 * refused too: no retention rule means minutes, so `6m` is caught whichever way it was meant.
 * Zero and negative durations cannot be written. Days are exactly 86,400,000 ms (no calendar, no
 * daylight saving): ages are measured between instants.
 */

/** Milliseconds in one of each unit. */
const UNIT_MS = {
  w: 7 * 86_400_000,
  d: 86_400_000,
  h: 3_600_000,
  m: 60_000,
  s: 1_000,
} as const;

const GRAMMAR = /^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;
const CALENDAR_UNIT = /\d\s*(?:M|mo|mon|month|months|y|yr|year|years)$/;

/** The shortest retention a rule may ask for: one hour. */
export const MIN_MAX_AGE_MS = UNIT_MS.h;
/** The longest: 36,500 days (about a century); anything longer can never match. */
export const MAX_MAX_AGE_MS = 36_500 * UNIT_MS.d;

/** Thrown by {@link parseDuration}; the message says what to write instead. */
export class DurationError extends Error {
  override readonly name = "DurationError";
}

/**
 * Parses a retention duration into milliseconds. Throws {@link DurationError} for anything outside
 * the grammar in the module comment, or a total below 1 hour or above 36,500 days.
 *
 * @example parseDuration("1d12h") // 129_600_000
 */
export function parseDuration(text: string): number {
  if (CALENDAR_UNIT.test(text)) {
    throw new DurationError(
      `${JSON.stringify(text)}: months and years have no fixed length; write days (180d, 365d)`,
    );
  }
  const groups = GRAMMAR.exec(text);
  if (text === "" || groups === null) {
    throw new DurationError(
      `${JSON.stringify(text)} is not a duration: write digits and a unit, largest unit first, like 365d, 12h or 1d12h (units w, d, h, m = minutes, s)`,
    );
  }
  const [, weeks, days, hours, minutes, seconds] = groups;
  const ms =
    amount(weeks) * UNIT_MS.w +
    amount(days) * UNIT_MS.d +
    amount(hours) * UNIT_MS.h +
    amount(minutes) * UNIT_MS.m +
    amount(seconds) * UNIT_MS.s;
  if (ms < MIN_MAX_AGE_MS) {
    throw new DurationError(
      `${JSON.stringify(text)} is shorter than 1h: a retention that short is a mistake (m means minutes, not months)`,
    );
  }
  if (ms > MAX_MAX_AGE_MS) {
    throw new DurationError(`${JSON.stringify(text)} is longer than 36500d`);
  }
  return ms;
}

function amount(digits: string | undefined): number {
  // Number("9".repeat(400)) is Infinity, which the upper bound then refuses.
  return digits === undefined ? 0 : Number(digits);
}

/**
 * Writes milliseconds in the grammar above, largest units first, for messages: `1d12h`, `365d`.
 * Sub-second remainders are dropped.
 *
 * @example formatDuration(129_600_000) // "1d12h"
 */
export function formatDuration(ms: number): string {
  let rest = Math.floor(ms / 1000) * 1000;
  let text = "";
  for (const unit of ["d", "h", "m", "s"] as const) {
    const count = Math.floor(rest / UNIT_MS[unit]);
    if (count > 0) text += `${count}${unit}`;
    rest -= count * UNIT_MS[unit];
  }
  return text === "" ? "0s" : text;
}
