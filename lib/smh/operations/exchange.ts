import type { AuthorizedCall, Caller } from "../caller.ts";
import type { Library } from "../library.ts";
import { checkSpaceId } from "../requests.ts";
import { type AnswerContext, contextOf } from "../responses.ts";
import { AttemptLog, type CallBudget, type HttpAnswer } from "../transport.ts";
import type { CallMeta, SpaceRef } from "../types.ts";

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
