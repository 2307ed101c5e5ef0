import { randomBytes, randomUUID } from "node:crypto";
import type { Context } from "aws-lambda";

/** What a local invocation knows about the function it emulates. */
export interface LambdaContextOptions {
  functionName: string;
  /** The function timeout; `getRemainingTimeInMillis()` counts down from it. */
  timeoutMs: number;
  awsRegion: string;
  /** Default `128` (Lambda's default). */
  memoryLimitInMB?: number;
  /** Default `000000000000`, the account id local emulators use. */
  accountId?: string;
  /** Default: a fresh UUID, as Lambda gives each invocation. */
  awsRequestId?: string;
  /** Test seam for the clock. */
  now?: () => number;
}

const DEPRECATED_CALLBACKS =
  "context.done/succeed/fail are not available on nodejs24.x: return or throw from an async handler";

/**
 * A Lambda `Context` for one invocation. `getRemainingTimeInMillis()` follows the configured
 * timeout from the moment the context is created (never negative), so handlers that stop early
 * when time runs short behave as they would on Lambda. The deprecated callback methods throw:
 * the nodejs24.x runtime no longer supports callback-style completion.
 */
export function createLambdaContext(options: LambdaContextOptions): Context {
  const now = options.now ?? Date.now;
  const deadline = now() + options.timeoutMs;
  const accountId = options.accountId ?? "000000000000";
  const name = options.functionName;
  const unsupported = (): never => {
    throw new Error(DEPRECATED_CALLBACKS);
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: name,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:${options.awsRegion}:${accountId}:function:${name}`,
    memoryLimitInMB: String(options.memoryLimitInMB ?? 128),
    awsRequestId: options.awsRequestId ?? randomUUID(),
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: logStreamName(new Date(now())),
    getRemainingTimeInMillis: () => Math.max(0, deadline - now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}

/** `YYYY/MM/DD/[$LATEST]<32 hex>`, the shape of Lambda's log stream names. */
function logStreamName(date: Date): string {
  const day = date.toISOString().slice(0, 10).replaceAll("-", "/");
  return `${day}/[$LATEST]${randomBytes(16).toString("hex")}`;
}
