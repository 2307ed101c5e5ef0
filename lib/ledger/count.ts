/**
 * Counts what the ledger holds: every object under the prefix, read whole, its results tallied by
 * `dedupKey`. For the local demo's summary and the chaos run's accounting, which compare the ledger
 * with what went over the results queue; it reads everything, so it suits a local stack, not a
 * production ledger (the CLI's reader prunes partitions and streams).
 */
import { promisify } from "node:util";
import { gunzip } from "node:zlib";
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import pMap from "p-map";
import { parseResultMessage, type ResultMessage } from "../messages/result-message.ts";
import { DEFAULT_LEDGER_PREFIX, type LedgerKind, parseLedgerKey } from "./layout.ts";

const gunzipAsync = promisify(gunzip);

/** Where to count: the ledger's bucket and prefix, and a client that can list and read it. */
export interface LedgerSource {
  readonly s3: Pick<S3Client, "send">;
  readonly bucket: string;
  /** @default DEFAULT_LEDGER_PREFIX */
  readonly prefix?: string;
}

/** What the ledger holds. */
export interface LedgerTally {
  /** Ledger objects read. */
  readonly objects: number;
  /** Lines read: results, duplicates included. */
  readonly lines: number;
  /** Distinct results, by dedupKey, with the kind each was kept under. */
  readonly results: ReadonlyMap<string, LedgerKind>;
  /** What each result (by dedupKey) is about: its jobId, commandId or planId. */
  readonly subjects: ReadonlyMap<string, string>;
  /** Lines that are not a valid result message (never expected: the writer encodes valid ones). */
  readonly invalidLines: number;
}

/** Objects read at once. */
const READ_CONCURRENCY = 8;

/**
 * Lists every ledger object under the prefix and reads it, keeping each result's dedupKey.
 *
 * @example const { results } = await tallyLedger({ s3, bucket: "smh-local-ledger" }); results.size
 */
export async function tallyLedger(source: LedgerSource): Promise<LedgerTally> {
  const prefix = source.prefix ?? DEFAULT_LEDGER_PREFIX;
  const keys = await listLedgerKeys(source, prefix);
  const results = new Map<string, LedgerKind>();
  const subjects = new Map<string, string>();
  let lines = 0;
  let invalidLines = 0;
  await pMap(
    keys,
    async (key) => {
      const kind = parseLedgerKey(key, prefix)?.kind;
      if (kind === undefined) return;
      for (const line of await readLines(source, key)) {
        lines++;
        const parsed = parseResultMessage(line);
        if (!parsed.ok) {
          invalidLines++;
          continue;
        }
        results.set(parsed.result.dedupKey, kind);
        subjects.set(parsed.result.dedupKey, subjectOf(parsed.result));
      }
    },
    { concurrency: READ_CONCURRENCY },
  );
  return { objects: keys.length, lines, results, subjects, invalidLines };
}

/** The jobId, commandId or planId a result is about. */
function subjectOf(result: ResultMessage): string {
  switch (result.type) {
    case "deletion":
      return result.jobId;
    case "recycle-action":
      return result.commandId;
    default:
      // A refused trigger's alert is about no plan: its dedupKey is what it is about.
      return "planId" in result ? result.planId : result.dedupKey;
  }
}

async function listLedgerKeys(source: LedgerSource, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await source.s3.send(
      new ListObjectsV2Command({
        Bucket: source.bucket,
        Prefix: prefix,
        ...(token === undefined ? {} : { ContinuationToken: token }),
      }),
    );
    for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return keys;
}

async function readLines(source: LedgerSource, key: string): Promise<string[]> {
  const answer = await source.s3.send(new GetObjectCommand({ Bucket: source.bucket, Key: key }));
  if (answer.Body === undefined) return [];
  const bytes = Buffer.from(await answer.Body.transformToByteArray());
  // Gzip magic: an S3 that decoded the Content-Encoding on the way out hands back plain text.
  const text = bytes[0] === 0x1f && bytes[1] === 0x8b ? await gunzipAsync(bytes) : bytes;
  return text
    .toString("utf8")
    .split("\n")
    .filter((line) => line !== "");
}
