import type { AuthorizedCall, Caller } from "../caller.ts";
import { AttemptLog, type CallBudget, type HttpAnswer } from "../http-call.ts";
import type { Library } from "../library.ts";
import { checkSpaceId } from "../requests.ts";
import { type AnswerContext, contextOf } from "../responses.ts";
import { RetryRule } from "../retry-policy.ts";
import type { CallMeta, CallOptions, SpaceRef } from "../types.ts";

/** The configured library and the checked space an operation on `request` goes to. */
export function resolveSpace(
  caller: Caller,
  request: SpaceRef,
  operation: string,
): { readonly library: Library; readonly spaceId: string } {
  const library = caller.library(request.libraryId, operation);
  const spaceId = checkSpaceId(request.spaceId, operation, library.libraryId);
  return { library, spaceId };
}

/** SMH's answer to one request of an operation, with what its result and its errors need. */
export interface Exchange {
  readonly answer: HttpAnswer;
  /** The attempts of the request, the re-mint retry included. */
  readonly log: AttemptLog;
  /**
   * The facts an error about the answer needs ({@link contextOf}); for a mutating request also
   * `mayHaveApplied`, since SMH may have acted on it.
   */
  readonly context: AnswerContext;
  /** The answer's request ID and the attempts, for the operation's result. */
  readonly meta: CallMeta;
}

/** Sends `call` (with a token for its scope, see {@link Caller.send}) with a fresh attempt log. */
export async function sendRequest(
  caller: Caller,
  call: AuthorizedCall,
  budget: CallBudget,
): Promise<Exchange> {
  const log = new AttemptLog();
  const answer = await caller.send(call, budget, log);
  const context = contextOf(call.operation, call.library, answer, log);
  return {
    answer,
    log,
    context: call.mutating ? { ...context, mayHaveApplied: true } : context,
    meta: { requestId: answer.requestId, attempts: log.attempts },
  };
}

/** A read request: the call less what {@link sendRead} fills in. */
export type ReadCall = Omit<AuthorizedCall, "userId" | "retry" | "mutating">;

/**
 * Sends a request that changes nothing, so that any failure may be retried
 * ({@link RetryRule.always}), as the call's user and within the call's budget.
 */
export function sendRead(
  caller: Caller,
  call: ReadCall,
  options: CallOptions | undefined,
): Promise<Exchange> {
  return sendRequest(
    caller,
    { ...call, userId: options?.userId, retry: RetryRule.always, mutating: false },
    caller.budget(options),
  );
}

/** A request that changes SMH state in a space: the call less what {@link sendChange} fills in. */
export type ChangeCall = Omit<AuthorizedCall, "spaceId" | "userId" | "mutating"> & {
  readonly spaceId: string;
};

/** Where a batch's asynchronous task lives and whose budget the polling spends. */
export interface BatchWait {
  readonly library: Library;
  readonly spaceId: string;
  readonly budget: CallBudget;
  readonly userId: string | undefined;
  readonly log: AttemptLog;
}

/** The answer to a {@link ChangeCall}, and where to wait for the task if SMH answered 202. */
export interface ChangeExchange extends Exchange {
  readonly wait: BatchWait;
}

/** Sends a request that changes SMH state, as the call's user and within the call's budget. */
export async function sendChange(
  caller: Caller,
  call: ChangeCall,
  options: CallOptions | undefined,
): Promise<ChangeExchange> {
  const budget = caller.budget(options);
  const userId = options?.userId;
  const exchange = await sendRequest(caller, { ...call, userId, mutating: true }, budget);
  const { library, spaceId } = call;
  return { ...exchange, wait: { library, spaceId, budget, userId, log: exchange.log } };
}
