/**
 * Sends validated jobs to the jobs queue: SendMessageBatch through `lib/queues` `publish` (every
 * `Failed[]` entry read, retryable ones re-sent), in chunks, several chunks at once.
 */
import pMap from "p-map";
import { publish } from "../queues/publish.ts";
import type { SqsSender } from "../queues/sqs-sender.ts";
import type { ValidJob } from "./input/jobs.ts";

/** A job the queue did not accept. */
export interface UnsentJob {
  line: number;
  jobId: string;
  code: string;
  message: string;
}

/** Outcome of {@link publishJobs}. */
export interface PublishJobsResult {
  /** Job IDs the queue accepted, in input order. */
  sent: string[];
  /** Jobs not accepted, in input order. */
  failed: UnsentJob[];
}

/** Options for {@link publishJobs}. */
export interface PublishJobsOptions {
  /** Chunks of {@link CHUNK_SIZE} jobs in flight at once (default 8). */
  concurrency?: number;
  /** Stops sending; jobs not yet accepted are reported failed with code `Aborted`. */
  signal?: AbortSignal;
  /** Called after each chunk with how many jobs it settled. */
  onSettled?: (count: number) => void;
}

/** Jobs per `publish` call: 10 SendMessageBatch requests. */
export const CHUNK_SIZE = 100;

/** Publishes `jobs` to `queueUrl`; never throws for a job the queue refused — read `failed`. */
export async function publishJobs(
  sqs: SqsSender,
  queueUrl: string,
  jobs: readonly ValidJob[],
  options: PublishJobsOptions = {},
): Promise<PublishJobsResult> {
  const chunks: ValidJob[][] = [];
  for (let start = 0; start < jobs.length; start += CHUNK_SIZE) {
    chunks.push(jobs.slice(start, start + CHUNK_SIZE));
  }
  const results = await pMap(
    chunks,
    async (chunk) => {
      const result = await publish(
        sqs,
        queueUrl,
        chunk.map((job) => ({ id: job.jobId, body: job.body })),
        { concurrency: 1, ...(options.signal ? { signal: options.signal } : {}) },
      );
      options.onSettled?.(chunk.length);
      const lineOf = new Map(chunk.map((job) => [job.jobId, job.line]));
      return {
        sent: result.sent,
        failed: result.failed.map((failure) => ({
          line: lineOf.get(failure.id) ?? 0,
          jobId: failure.id,
          code: failure.code,
          message: failure.message,
        })),
      };
    },
    { concurrency: options.concurrency ?? 8 },
  );
  return {
    sent: results.flatMap((result) => result.sent),
    failed: results.flatMap((result) => result.failed),
  };
}
