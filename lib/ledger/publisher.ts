/**
 * The ledger-writing result publisher: each call writes its results to the ledger first (one
 * object per kind), then publishes to the results queue only the results whose ledger copy is
 * written. A result whose object could not be written is reported failed (`LedgerWriteFailed`), so
 * its record is not acknowledged and comes back through the queue — no result is ever acknowledged
 * and missing from the ledger. A result may be written to the ledger and then fail on the queue: it
 * is written again when its record comes back, so the ledger may hold it twice (readers drop
 * duplicates by `dedupKey`).
 *
 * `lib/batch` builds this publisher around its SQS one, so this file declares the publisher's shape
 * itself ({@link ResultSink}, structurally the same as `lib/batch/results.ts:ResultPublisher`)
 * rather than importing `lib/batch`, which would be an import cycle.
 */
import type { ResultMessage } from "../messages/result-message.ts";
import type { LedgerKind } from "./layout.ts";
import { type LedgerLocation, putLedgerObject } from "./object.ts";

/** What a publish call reports: which inputs (by index) are written, and why the others are not. */
export interface PublishedResultSet {
  readonly written: ReadonlySet<number>;
  readonly failures: readonly { index: number; code: string; message: string }[];
}

/** Anything that publishes results and reports them by index (the SQS publisher, this one). */
export interface ResultSink {
  publish(results: readonly ResultMessage[]): Promise<PublishedResultSet>;
}

/** The failure code of a result whose ledger object could not be written. */
export const LEDGER_WRITE_FAILED = "LedgerWriteFailed";

/** One ledger object that could not be written: what logs and metrics are told (no result bodies). */
export interface LedgerWriteFailure {
  readonly kind: LedgerKind;
  /** Results the object held; none of them went to the queue. */
  readonly count: number;
  readonly bucket: string;
  /** What S3 answered: the error's name (`SlowDown`, `InternalError`, `TimeoutError`…). */
  readonly error: string;
  readonly message: string;
}

/** Options of {@link ledgerResultPublisher}. */
export interface LedgerPublisherOptions {
  /** Told of each object that could not be written (the handler's metric and log line). */
  readonly onWriteFailed?: (failure: LedgerWriteFailure) => void;
  /** The clock objects are stamped with (their key's day and time). @default new Date() */
  readonly now?: () => Date;
}

/**
 * A publisher that keeps every result in the ledger at `location` before handing it to `queue`.
 *
 * @example
 * const publisher = ledgerResultPublisher(sqsResultPublisher(sqs, resultsUrl), { s3, bucket });
 */
export function ledgerResultPublisher(
  queue: ResultSink,
  location: LedgerLocation,
  options: LedgerPublisherOptions = {},
): ResultSink {
  const now = options.now ?? (() => new Date());
  return {
    async publish(results) {
      if (results.length === 0) return queue.publish(results);
      const writtenAt = now();
      const groups = groupByKind(results);
      const failures: { index: number; code: string; message: string }[] = [];
      const kept: number[] = [];
      await Promise.all(
        [...groups].map(async ([kind, indices]) => {
          try {
            await putLedgerObject(
              location,
              kind,
              indices.map((index) => results[index] as ResultMessage),
              writtenAt,
            );
            kept.push(...indices);
          } catch (error) {
            const failure = describeFailure(kind, indices.length, location.bucket, error);
            options.onWriteFailed?.(failure);
            const message = `the ledger object (s3://${location.bucket}, kind ${kind}) could not be written: ${failure.error}: ${failure.message}`;
            for (const index of indices)
              failures.push({ index, code: LEDGER_WRITE_FAILED, message });
          }
        }),
      );
      kept.sort((a, b) => a - b);
      if (kept.length === 0) return { written: new Set(), failures: sortByIndex(failures) };
      const published = await queue.publish(kept.map((index) => results[index] as ResultMessage));
      const original = (position: number) => kept[position] as number;
      return {
        written: new Set([...published.written].map(original)),
        failures: sortByIndex([
          ...failures,
          ...published.failures.map((failure) => ({
            ...failure,
            index: original(failure.index),
          })),
        ]),
      };
    },
  };
}

/**
 * The indices of `results` by their kind (their `type`). Typed so that a new result type that the
 * layout does not list fails to compile here instead of being left out of the ledger.
 */
function groupByKind(results: readonly ResultMessage[]): Map<LedgerKind, number[]> {
  const groups = new Map<LedgerKind, number[]>();
  results.forEach((result, index) => {
    const kind: LedgerKind = result.type;
    const indices = groups.get(kind);
    if (indices === undefined) groups.set(kind, [index]);
    else indices.push(index);
  });
  return groups;
}

function describeFailure(
  kind: LedgerKind,
  count: number,
  bucket: string,
  error: unknown,
): LedgerWriteFailure {
  const name = error instanceof Error ? error.name : "Error";
  const message = error instanceof Error ? error.message : String(error);
  return { kind, count, bucket, error: name, message };
}

function sortByIndex<T extends { index: number }>(items: T[]): T[] {
  return items.sort((a, b) => a.index - b.index);
}
