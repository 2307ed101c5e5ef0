/**
 * How every Lambda handler is composed: middy with Powertools logging and metrics, and — when the
 * library secrets live in SSM — middy's SSM middleware, which fetches them at cold start, caches
 * them and re-reads them every 15 minutes (a rotated secret is picked up without a redeploy). The
 * business function receives the event and the context and knows nothing else.
 *
 * The secrets never ride on the Lambda context: the SSM middleware keeps what it fetched in
 * middy's internal store, and a middleware of this file hands it straight to the handler's
 * {@link LibrarySecrets}. A context logged whole (or put in an error) cannot leak a secret.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import middy, { type MiddlewareObj } from "@middy/core";
import ssm from "@middy/ssm";
import { getInternal } from "@middy/util";
import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";
import { type QueueRecord, queueRecordFromSqs } from "../batch/records.ts";
import type { LibrarySecrets } from "../config/library-secrets.ts";
import type { SecretsWiring } from "../config/runtime.ts";

/** A handler's logger and metrics; names, namespace and level come from `POWERTOOLS_*`. */
export function powertools(): { logger: Logger; metrics: Metrics } {
  const logger = new Logger();
  // Metrics warnings (an invocation without metrics) go through the logger and its level.
  return { logger, metrics: new Metrics({ logger }) };
}

/**
 * How often the library secrets are read again from SSM: a rotated secret is in use everywhere
 * within this time (docs/operations.md, "Rotating a library secret").
 */
export const LIBRARY_SECRETS_REFRESH_MS = 15 * 60 * 1000;

/** The key of the secrets document in middy's internal store (never on the context). */
const SECRETS_KEY = "librarySecrets";

/**
 * Wraps `business` into the Lambda handler.
 *
 * @example
 * export const handler = lambdaHandler(async (event: SQSEvent, context) => …, { logger, metrics, wiring });
 */
export function lambdaHandler<E, R>(
  business: (event: E, context: Context) => Promise<R>,
  options: { logger: Logger; metrics: Metrics; wiring: SecretsWiring },
) {
  const { secrets, secretsParameter } = options.wiring;
  const base = middy((event: E, context: Context) => business(event, context))
    .use(injectLambdaContext(options.logger))
    .use(logMetrics(options.metrics));
  if (secretsParameter === undefined) return base;
  return base
    .use(
      ssm({
        fetchData: { [SECRETS_KEY]: secretsParameter },
        // One cache entry per parameter: middy's cache is shared by the whole process.
        cacheKey: `@middy/ssm ${secretsParameter}`,
        cacheExpiry: LIBRARY_SECRETS_REFRESH_MS,
      }),
    )
    .use(secretsFromSsm(secrets, secretsParameter));
}

/**
 * Hands the secrets document the SSM middleware fetched (in middy's internal store) to `secrets`,
 * once per fetch: the cached document is the same object until the next refresh.
 */
function secretsFromSsm(secrets: LibrarySecrets, parameter: string): MiddlewareObj {
  let current: unknown;
  return {
    before: async (request) => {
      const { [SECRETS_KEY]: document } = await getInternal([SECRETS_KEY], request);
      if (document === current) return;
      secrets.update(document, `SSM parameter ${parameter}`);
      current = document;
    },
  };
}

/** Lambda's partial batch response for the message IDs that must come back. */
export function batchResponse(failedMessageIds: readonly string[]): {
  batchItemFailures: { itemIdentifier: string }[];
} {
  return { batchItemFailures: failedMessageIds.map((itemIdentifier) => ({ itemIdentifier })) };
}

/** When the invocation ends (epoch ms). */
export function invocationDeadline(context: Context): number {
  return Date.now() + context.getRemainingTimeInMillis();
}

/** What a batch processor tells the handler: the records that must come back. */
export interface RecordsOutcome {
  readonly failedMessageIds: readonly string[];
}

/**
 * Hands an SQS event's records to `processRecords` and answers Lambda with the partial batch
 * response. (No batch is failed as a whole: work that cannot be done now is parked, and a batch
 * thrown back would redeliver the records of work already parked.)
 */
export async function answerSqsEvent(
  event: SQSEvent,
  processRecords: (records: QueueRecord[]) => Promise<RecordsOutcome>,
): Promise<SQSBatchResponse> {
  const outcome = await processRecords(event.Records.map(queueRecordFromSqs));
  return batchResponse(outcome.failedMessageIds);
}

/**
 * The Lambda handler of an SQS-triggered batch processor (ReportBatchItemFailures): each event's
 * records go to `processBatch` with the pipeline built at cold start and the invocation's deadline.
 *
 * @example
 * export const handler = sqsBatchHandler(processDeleteBatch, { logger, metrics, wiring });
 */
export function sqsBatchHandler<Pipeline>(
  processBatch: (
    records: readonly QueueRecord[],
    pipeline: Pipeline,
    deadline: number,
  ) => Promise<RecordsOutcome>,
  options: { logger: Logger; metrics: Metrics; wiring: SecretsWiring & { pipeline: Pipeline } },
) {
  return lambdaHandler((event: SQSEvent, context) => {
    const deadline = invocationDeadline(context);
    return answerSqsEvent(event, (records) =>
      processBatch(records, options.wiring.pipeline, deadline),
    );
  }, options);
}
