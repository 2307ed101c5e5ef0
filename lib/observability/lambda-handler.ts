/**
 * How every Lambda handler is composed: middy with Powertools logging and metrics, and — when the
 * library secrets live in SSM — middy's SSM middleware, which fetches them at cold start, caches
 * them and re-reads them every 15 minutes (a rotated secret is picked up without a redeploy). The
 * business function receives the event and the context and knows nothing else.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import middy from "@middy/core";
import ssm from "@middy/ssm";
import type { Context } from "aws-lambda";
import type { SecretsWiring } from "../config/runtime.ts";

/** A handler's logger and metrics; names, namespace and level come from `POWERTOOLS_*`. */
export function powertools(): { logger: Logger; metrics: Metrics } {
  const logger = new Logger();
  // Metrics warnings (an invocation without metrics) go through the logger and its level.
  return { logger, metrics: new Metrics({ logger }) };
}

/** Thrown on purpose when nothing in a batch could be done: Lambda then slows its polling. */
export class FullBatchFailureError extends Error {
  override readonly name = "FullBatchFailureError";
}

type SecretsContext = Context & { librarySecrets?: unknown };

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
  const withSecrets = async (event: E, context: SecretsContext): Promise<R> => {
    if (secretsParameter !== undefined) {
      secrets.update(context.librarySecrets, `SSM parameter ${secretsParameter}`);
    }
    return business(event, context);
  };
  const base = middy(withSecrets)
    .use(injectLambdaContext(options.logger))
    .use(logMetrics(options.metrics));
  return secretsParameter === undefined
    ? base
    : base.use(
        ssm({
          fetchData: { librarySecrets: secretsParameter },
          setToContext: true,
          cacheExpiry: 15 * 60 * 1000,
        }),
      );
}

/** Lambda's partial batch response for the message IDs that must come back. */
export function batchResponse(failedMessageIds: readonly string[]): {
  batchItemFailures: { itemIdentifier: string }[];
} {
  return { batchItemFailures: failedMessageIds.map((itemIdentifier) => ({ itemIdentifier })) };
}
