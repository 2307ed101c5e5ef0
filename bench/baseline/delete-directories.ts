/**
 * THE COMPARISON BASELINE — never used by the product.
 *
 * What a team would write first for "SQS job → SMH DELETE → results queue", with the standard
 * tools and their defaults, so `npm run bench` can put the product next to it (scenario
 * "baseline", docs/benchmarks.md):
 *
 * - `@aws-lambda-powertools/batch`'s `BatchProcessor` with its default parallel processing: every
 *   record of a batch at once (`Promise.all`, no cap), partial batch response;
 * - one `ky` DELETE per record with ky's default retry (2 retries; `Retry-After` honoured on 429,
 *   exponential backoff otherwise; 10 s timeout per attempt);
 * - one `SendMessage` per result.
 *
 * Deliberately *not* a straw man: the access token is minted once per container and library/space
 * (the promise is cached, so concurrent records share one mint), the job is parsed with plain
 * `JSON.parse`, and a record whose delete or publish throws is reported as a batch item failure, so
 * SQS redelivers it. It has no rate limiter, no batch delete, no recycle-bin recovery and no policy
 * check: those are what the product adds.
 *
 * Configuration comes from the same environment variables the product's handler reads
 * (`SMH_BASE_URL`, `SMH_LIBRARY_SECRETS`, `RESULTS_QUEUE_URL`; `SQS_ENDPOINT` for local runs).
 */
import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import ky from "ky";

interface Job {
  jobId: string;
  libraryId: string;
  spaceId: string;
  path: string;
  permanent?: boolean;
}

const baseUrl = process.env.SMH_BASE_URL ?? "https://{libraryId}.api.tencentsmh.cn";
const secrets = JSON.parse(process.env.SMH_LIBRARY_SECRETS ?? "{}") as Record<string, string>;
const resultsQueueUrl = process.env.RESULTS_QUEUE_URL;
const sqsEndpoint = process.env.SQS_ENDPOINT;
// Local runs only: an emulator endpoint with placeholder credentials. On AWS the defaults apply.
const sqs = new SQSClient(
  sqsEndpoint
    ? {
        endpoint: sqsEndpoint,
        region: process.env.AWS_REGION ?? "us-east-1",
        credentials: { accessKeyId: "local", secretAccessKey: "local" },
      }
    : {},
);
const tokens = new Map<string, Promise<string>>();

function libraryUrl(libraryId: string): string {
  return baseUrl.replaceAll("{libraryId}", libraryId);
}

function accessToken(libraryId: string, spaceId: string): Promise<string> {
  const key = `${libraryId}/${spaceId}`;
  let token = tokens.get(key);
  if (!token) {
    token = ky
      .get(`${libraryUrl(libraryId)}/api/v1/token`, {
        searchParams: {
          library_id: libraryId,
          library_secret: secrets[libraryId] ?? "",
          space_id: spaceId,
          grant: "delete_directory",
        },
      })
      .json<{ accessToken: string }>()
      .then((answer) => answer.accessToken);
    // A failed mint is not cached: the next record tries again.
    token.catch(() => tokens.delete(key));
    tokens.set(key, token);
  }
  return token;
}

async function deleteDirectory(record: SQSRecord): Promise<void> {
  const job = JSON.parse(record.body) as Job;
  const token = await accessToken(job.libraryId, job.spaceId);
  const path = job.path.split("/").map(encodeURIComponent).join("/");
  const text = await ky
    .delete(
      `${libraryUrl(job.libraryId)}/api/v1/directory/${job.libraryId}/${job.spaceId}/${path}`,
      {
        searchParams: { access_token: token, permanent: job.permanent ? "1" : "0" },
      },
    )
    .text();
  // 200 {recycledItemId} when it went to the recycle bin; 204 (no body) when it is gone for good.
  const answer = (text ? JSON.parse(text) : {}) as { recycledItemId?: string | number };
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: resultsQueueUrl,
      MessageBody: JSON.stringify({
        jobId: job.jobId,
        libraryId: job.libraryId,
        spaceId: job.spaceId,
        path: job.path,
        outcome: answer.recycledItemId === undefined ? "deleted" : "recycled",
        recycledItemId: answer.recycledItemId,
        finishedAt: new Date().toISOString(),
      }),
    }),
  );
}

// One processor per invocation. Powertools' examples create it once per module, which is right in
// Lambda (a container runs one invocation at a time); the local runner runs several invocations
// in one process at once, and a shared processor would mix their records.
export const handler = (event: SQSEvent, context: Context): Promise<SQSBatchResponse> =>
  processPartialResponse(event, deleteDirectory, new BatchProcessor(EventType.SQS), { context });
