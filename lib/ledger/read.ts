/**
 * Reading the ledger: list only the partitions that can hold a match, stream each object
 * (gunzip → lines → parse → select), and hand each matching result to the caller.
 *
 * - **Pruning.** Kinds follow from the selectors (`kindsFor`); days from `since`/`until` (and a
 *   bulk plan's own time, `earliestFinish`) through `ledgerDays`, over the day partitions that
 *   exist (one delimited listing per kind); and within a day, an object whose key says it was
 *   written before `since` (less a margin) or more than a day after `until` is not read: its
 *   results finished before it was written, and at most a day before (layout.ts).
 * - **Memory.** Objects are streamed line by line, a few at a time (`concurrency`); nothing is kept
 *   but what the caller keeps. {@link readLedger} keeps the matching results, one per dedupKey, so
 *   its memory grows with the number of matches, not with the ledger.
 * - **Bad data.** A line that is not JSON, a line the selectors match that is not a result, or an
 *   object that is not gzip, is counted and its first few problems reported; reading goes on. An S3 request that fails (after the SDK's own
 *   retries) is thrown: the answer would be incomplete.
 */
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import pMap from "p-map";
import { parseResultMessage, type ResultMessage } from "../messages/result-message.ts";
import { ResultSet } from "../messages/result-set.ts";
import {
  DEFAULT_LEDGER_PREFIX,
  LEDGER_DAY_SLACK_MS,
  type LedgerKind,
  ledgerDayPrefix,
  ledgerDays,
  ledgerKindPrefix,
  parseLedgerKey,
} from "./layout.ts";
import {
  earliestFinish,
  finishedAtOf,
  kindsFor,
  type LedgerSelectors,
  matchesSelectors,
} from "./select.ts";

/** Where the ledger is. */
export interface LedgerSource {
  readonly s3: Pick<S3Client, "send">;
  readonly bucket: string;
  /** @default DEFAULT_LEDGER_PREFIX */
  readonly prefix?: string | undefined;
}

/** Options of a read. */
export interface LedgerReadOptions {
  /** Objects read at once. Default {@link DEFAULT_READ_CONCURRENCY}. */
  readonly concurrency?: number;
  /** Bounds an open `until` (default: now). */
  readonly now?: Date;
  readonly signal?: AbortSignal;
}

/**
 * Objects read at once by default: enough to hide S3's latency (each object is small, so a read is
 * mostly waiting), few enough that the objects in flight are a small part of the memory.
 */
export const DEFAULT_READ_CONCURRENCY = 16;

/** How far an object's write time may be behind the `finishedAt` of a result in it (clocks). */
const WRITE_CLOCK_MARGIN_MS = 5 * 60 * 1000;

/** How many problems a scan describes; all are counted. */
export const MAX_PROBLEMS_REPORTED = 10;

/** A line or object that could not be read, for the report. */
export interface LedgerProblem {
  readonly key: string;
  /** The line number in the decompressed object, or 0 for the whole object. */
  readonly line: number;
  readonly message: string;
}

/** What a scan did, so a caller can show how much pruning saved. */
export interface LedgerScanStats {
  /** The kinds whose partitions were looked at. */
  kinds: LedgerKind[];
  /** Day partitions that exist for those kinds, and how many of them were read. */
  partitionsListed: number;
  partitionsRead: number;
  /** Objects listed in the partitions read, and how many of them were read. */
  objectsListed: number;
  objectsRead: number;
  /** Compressed bytes read. */
  bytesRead: number;
  /** ListObjectsV2 and GetObject requests. */
  listRequests: number;
  /** Result lines read, and how many matched the selectors (duplicates included). */
  lines: number;
  matched: number;
  /** Lines that are not JSON, or that the selectors match but are not a result. */
  invalidLines: number;
  /** Objects that are not gzip-compressed NDJSON (their lines before the damage are counted). */
  unreadableObjects: number;
  /** The first {@link MAX_PROBLEMS_REPORTED} problems. */
  problems: LedgerProblem[];
}

/**
 * Reads every object that can hold a result matching `selectors` and calls `visit` for each
 * matching result, duplicates included, in no particular order. See the module comment.
 */
export async function scanLedger(
  source: LedgerSource,
  selectors: LedgerSelectors,
  visit: (result: ResultMessage) => void,
  options: LedgerReadOptions = {},
): Promise<LedgerScanStats> {
  const prefix = source.prefix ?? DEFAULT_LEDGER_PREFIX;
  const stats: LedgerScanStats = {
    kinds: kindsFor(selectors),
    partitionsListed: 0,
    partitionsRead: 0,
    objectsListed: 0,
    objectsRead: 0,
    bytesRead: 0,
    listRequests: 0,
    lines: 0,
    matched: 0,
    invalidLines: 0,
    unreadableObjects: 0,
    problems: [],
  };
  const now = options.now ?? new Date();
  const since = earliestFinish(selectors);
  const until = selectors.until;
  const problem = (found: LedgerProblem) => {
    if (stats.problems.length < MAX_PROBLEMS_REPORTED) stats.problems.push(found);
  };

  const list = async function* (listPrefix: string, delimiter?: string) {
    let token: string | undefined;
    do {
      stats.listRequests += 1;
      const page = await source.s3.send(
        new ListObjectsV2Command({
          Bucket: source.bucket,
          Prefix: listPrefix,
          ...(delimiter === undefined ? {} : { Delimiter: delimiter }),
          ...(token === undefined ? {} : { ContinuationToken: token }),
        }),
        options.signal ? { abortSignal: options.signal } : {},
      );
      yield page;
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  };

  const keys = async function* (): AsyncGenerator<string> {
    for (const kind of stats.kinds) {
      const kindPrefix = ledgerKindPrefix(kind, prefix);
      const existing: string[] = [];
      for await (const page of list(kindPrefix, "/")) {
        for (const common of page.CommonPrefixes ?? []) {
          const day = /^day=(\d{4}-\d{2}-\d{2})\/$/.exec(
            (common.Prefix ?? "").slice(kindPrefix.length),
          )?.[1];
          if (day !== undefined) existing.push(day);
        }
      }
      existing.sort();
      stats.partitionsListed += existing.length;
      const [earliest] = existing;
      if (earliest === undefined) continue;
      const latest = existing.at(-1) ?? earliest;
      const today = new Date(Math.max(now.getTime(), Date.parse(`${latest}T00:00:00Z`)));
      const wanted = new Set(ledgerDays(since, until, new Date(`${earliest}T00:00:00Z`), today));
      for (const day of existing) {
        if (!wanted.has(day)) continue;
        stats.partitionsRead += 1;
        for await (const page of list(ledgerDayPrefix(kind, day, prefix))) {
          for (const object of page.Contents ?? []) {
            const key = object.Key;
            if (key === undefined) continue;
            const parsed = parseLedgerKey(key, prefix);
            if (parsed === undefined) continue;
            stats.objectsListed += 1;
            const written = parsed.writtenAt.getTime();
            if (since !== undefined && written + WRITE_CLOCK_MARGIN_MS < since.getTime()) continue;
            if (until !== undefined && written > until.getTime() + LEDGER_DAY_SLACK_MS) continue;
            yield key;
          }
        }
      }
    }
  };

  await pMap(
    keys(),
    async (key) => {
      stats.objectsRead += 1;
      const object = await source.s3.send(
        new GetObjectCommand({ Bucket: source.bucket, Key: key }),
        options.signal ? { abortSignal: options.signal } : {},
      );
      stats.bytesRead += object.ContentLength ?? 0;
      const body = object.Body as Readable | undefined;
      if (body === undefined) return;
      const gunzip = createGunzip();
      let damaged: Error | undefined;
      gunzip.on("error", (error) => {
        damaged = error;
      });
      body.on("error", (error) => gunzip.destroy(error));
      const lines = createInterface({
        input: body.pipe(gunzip),
        crlfDelay: Number.POSITIVE_INFINITY,
      });
      let number = 0;
      try {
        for await (const line of lines) {
          number += 1;
          if (line.trim() === "") continue;
          stats.lines += 1;
          // Selecting on the plain JSON first, and checking the schema only of what matches, is
          // several times faster than checking every line: most lines of a partition are not
          // wanted. A line that is not JSON is still reported; a JSON line that does not match is
          // not checked further.
          let plain: unknown;
          try {
            plain = JSON.parse(line);
          } catch (error) {
            stats.invalidLines += 1;
            problem({ key, line: number, message: `not JSON: ${(error as Error).message}` });
            continue;
          }
          if (typeof plain !== "object" || plain === null || Array.isArray(plain)) {
            stats.invalidLines += 1;
            problem({ key, line: number, message: "not a result: not a JSON object" });
            continue;
          }
          if (!matchesSelectors(plain as ResultMessage, selectors)) continue;
          const parsed = parseResultMessage(line);
          if (!parsed.ok) {
            stats.invalidLines += 1;
            const detail = parsed.reasons
              .slice(0, 3)
              .map((reason) => (reason.path ? `${reason.path}: ${reason.message}` : reason.message))
              .join("; ");
            problem({ key, line: number, message: `not a result: ${detail}` });
            continue;
          }
          if (!matchesSelectors(parsed.result, selectors)) continue;
          stats.matched += 1;
          visit(parsed.result);
        }
      } catch (error) {
        damaged = error as Error;
      } finally {
        body.destroy();
      }
      if (damaged !== undefined) {
        // An S3 connection that broke mid-body is the request failing, not the object.
        if ((damaged as NodeJS.ErrnoException).code?.startsWith("Z_") !== true) throw damaged;
        stats.unreadableObjects += 1;
        problem({ key, line: 0, message: `not a gzip-compressed object: ${damaged.message}` });
      }
    },
    { concurrency: options.concurrency ?? DEFAULT_READ_CONCURRENCY },
  );
  return stats;
}

/** What {@link readLedger} found. */
export interface LedgerRead {
  /** The matching results, one per dedupKey, oldest first (by `finishedAt`, then dedupKey). */
  results: ResultMessage[];
  /** Matching results dropped as duplicates. */
  duplicates: number;
  stats: LedgerScanStats;
}

/**
 * The results matching `selectors`, deduplicated (one per dedupKey, preferring the one that
 * carries a restore handle) and sorted.
 */
export async function readLedger(
  source: LedgerSource,
  selectors: LedgerSelectors,
  options: LedgerReadOptions = {},
): Promise<LedgerRead> {
  const set = new ResultSet();
  const stats = await scanLedger(source, selectors, (result) => set.add(result), options);
  const results = set.results();
  results.sort(byFinishedAt);
  return { results, duplicates: set.duplicates, stats };
}

/** Oldest first; ties by dedupKey, so the order does not depend on the order objects were read. */
export function byFinishedAt(a: ResultMessage, b: ResultMessage): number {
  const difference = Date.parse(finishedAtOf(a)) - Date.parse(finishedAtOf(b));
  if (difference !== 0) return difference;
  return a.dedupKey < b.dedupKey ? -1 : a.dedupKey > b.dedupKey ? 1 : 0;
}
