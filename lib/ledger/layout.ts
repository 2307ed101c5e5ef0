/**
 * The ledger's object layout in S3: the one contract between what writes results to the ledger and
 * what reads them back (the CLI, Athena through the Glue table).
 *
 *     <prefix>kind=<type>/day=<YYYY-MM-DD>/<writtenAt epoch ms, 13 digits>-<unique>.ndjson.gz
 *
 * - `kind` is the result's `type` (`deletion`, `recycle-action`, `retention-plan`,
 *   `retention-alert`); `day` is the UTC day the object was written. Both are Hive-style partition
 *   names, so Athena's partition projection (kind: enum, day: date) prunes on them.
 * - Each object is gzip-compressed NDJSON: one result message per line, exactly the JSON body that
 *   went to the results queue (parse each line with `parseResultMessage`).
 * - Each object is written once (a key unique per write, and `If-None-Match: *` where S3 supports
 *   it) and never rewritten. A result may be in more than one object (a batch written again after a
 *   failure); readers drop duplicates by `dedupKey`.
 * - A result's `finishedAt` is at most a few minutes before the day its object was written (the
 *   write happens before the record is acknowledged, within one Lambda invocation), so a reader
 *   looking for results finished in [since, until] reads the day partitions from the day of `since`
 *   to the day after `until` ({@link LEDGER_DAY_SLACK_MS}).
 */
import { randomUUID } from "node:crypto";

/** The result types the ledger keeps, one partition each. */
export const LEDGER_KINDS = [
  "deletion",
  "recycle-action",
  "retention-plan",
  "retention-alert",
] as const;

export type LedgerKind = (typeof LEDGER_KINDS)[number];

/** The key prefix every ledger object is under, unless configured otherwise. */
export const DEFAULT_LEDGER_PREFIX = "results/";

/** How long after a result's `finishedAt` its object may be written (one invocation, generously). */
export const LEDGER_DAY_SLACK_MS = 24 * 60 * 60 * 1000;

/** The day partition (`YYYY-MM-DD`, UTC) of an instant. */
export function ledgerDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** The prefix of one kind's objects (all days). */
export function ledgerKindPrefix(kind: LedgerKind, prefix = DEFAULT_LEDGER_PREFIX): string {
  return `${prefix}kind=${kind}/`;
}

/** The prefix of one kind's objects written on one UTC day. */
export function ledgerDayPrefix(
  kind: LedgerKind,
  day: string,
  prefix = DEFAULT_LEDGER_PREFIX,
): string {
  return `${ledgerKindPrefix(kind, prefix)}day=${day}/`;
}

/** A new object key for results of `kind` written at `writtenAt`; unique per call. */
export function ledgerObjectKey(
  kind: LedgerKind,
  writtenAt: Date,
  prefix = DEFAULT_LEDGER_PREFIX,
  unique: string = randomUUID(),
): string {
  const stamp = String(writtenAt.getTime()).padStart(13, "0");
  return `${ledgerDayPrefix(kind, ledgerDay(writtenAt), prefix)}${stamp}-${unique}.ndjson.gz`;
}

/** What a ledger key says, or undefined when the key is not a ledger object's. */
export function parseLedgerKey(
  key: string,
  prefix = DEFAULT_LEDGER_PREFIX,
): { kind: LedgerKind; day: string; writtenAt: Date } | undefined {
  if (!key.startsWith(prefix)) return undefined;
  const match = /^kind=([a-z-]+)\/day=(\d{4}-\d{2}-\d{2})\/(\d{13})-[^/]+\.ndjson\.gz$/.exec(
    key.slice(prefix.length),
  );
  if (match === null) return undefined;
  const [, kind, day, stamp] = match as unknown as [string, string, string, string];
  if (!(LEDGER_KINDS as readonly string[]).includes(kind)) return undefined;
  return { kind: kind as LedgerKind, day, writtenAt: new Date(Number(stamp)) };
}

/**
 * The day partitions that can hold results finished in [since, until] (either end open), in order;
 * `today` bounds an open end.
 */
export function ledgerDays(
  since: Date | undefined,
  until: Date | undefined,
  earliest: Date,
  today: Date,
): string[] {
  const start = since ?? earliest;
  const end = new Date(Math.min((until ?? today).getTime() + LEDGER_DAY_SLACK_MS, today.getTime()));
  const days: string[] = [];
  for (
    let day = Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate());
    day <= end.getTime();
    day += 24 * 60 * 60 * 1000
  ) {
    days.push(ledgerDay(new Date(day)));
  }
  return days;
}
