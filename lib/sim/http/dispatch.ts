import type { IncomingMessage, ServerResponse } from "node:http";
import type { SimCore } from "../core.ts";
import { SmhError } from "../errors.ts";
import type { FaultState } from "../fault-state.ts";
import type { FaultKind } from "../inspection/call-log.ts";
import { handleInspection } from "../inspection/routes.ts";
import { RequestContext } from "./context.ts";
import { errorResponse } from "./error-response.ts";
import { parseTarget, type RequestTarget, readBody } from "./request.ts";
import { dropConnection, type SimResponse, sendResponse } from "./response.ts";
import { matchRoute, type RouteMatch } from "./router.ts";
import { unmatchedRequest, unsupportedRequest } from "./unsupported.ts";

function overloaded(core: SimCore): SmhError {
  return new SmhError("ServerOverloaded", undefined, {
    status: core.behaviour.serverOverloadedStatus,
  });
}

interface Outcome {
  response: SimResponse | null;
  fault: FaultKind | null;
}

/**
 * Draws the faults that answer instead of the handler (429 burst, rate limit, reset, 500, 503,
 * injected path conflict), in that order. Null means the request goes through.
 */
function preFault(
  core: SimCore,
  match: RouteMatch,
  faultState: FaultState,
  requestId: string,
): Outcome | null {
  const { faults, random } = faultState;
  const answer = (error: SmhError, fault: FaultKind): Outcome => ({
    response: errorResponse(error, requestId, match.route.name),
    fault,
  });
  const rateLimited = (retryAfter: number, fault: FaultKind): Outcome => {
    const headers: Record<string, string> = faults.sendRetryAfter
      ? { "Retry-After": String(retryAfter) }
      : {};
    return answer(new SmhError("RateLimitExceeded", undefined, { headers }), fault);
  };
  // A burst of 429s answers before the bucket is asked, so it takes no token.
  const burst = faultState.throttled();
  if (burst !== null) return rateLimited(burst, "throttleBurst");
  const retryAfter = faultState.admit();
  if (retryAfter !== null) return rateLimited(retryAfter, "rateLimited");
  if (random.chance(faults.resetRatio)) return { response: null, fault: "reset" };
  if (random.chance(faults.error500Ratio))
    return answer(new SmhError("InternalServerError"), "error500");
  if (random.chance(faults.error503Ratio)) return answer(overloaded(core), "error503");
  if (random.chance(faults.requestTimeoutRatio)) {
    const timeout =
      faults.requestTimeoutMode === "408"
        ? new SmhError("ReadRequestTimeout")
        : new SmhError("RequestTimeout", undefined, {
            status: core.behaviour.serverOverloadedStatus,
          });
    return answer(timeout, "requestTimeout");
  }
  if (match.route.mutating && random.chance(faults.pathConflictRatio)) {
    return answer(new SmhError("PathConflict"), "pathConflict");
  }
  return null;
}

async function runRoute(
  core: SimCore,
  req: IncomingMessage,
  requestId: string,
  target: RequestTarget,
  match: RouteMatch,
  faultState: FaultState,
  body: string,
): Promise<Outcome> {
  const ctx = new RequestContext({
    core,
    req,
    requestId,
    route: match.route,
    params: match.params,
    query: target.query,
    faultState,
    body,
  });
  const selected = faultState.selects(match.route.name);
  let outcome: Outcome;
  try {
    const injected = selected ? preFault(core, match, faultState, requestId) : null;
    outcome = injected ?? { response: await match.route.handler(ctx), fault: null };
  } catch (error) {
    outcome = { response: errorResponse(error, requestId, match.route.name), fault: null };
  }
  // Requests that failed before reaching their work still take the network latency.
  await ctx.delay();
  const { faults, random } = faultState;
  const accepted = outcome.response !== null && outcome.response.status < 300;
  if (
    selected &&
    accepted &&
    match.route.acceptThenFail &&
    random.chance(faults.acceptThenFailRatio)
  ) {
    if (faults.acceptThenFailMode === "reset") return { response: null, fault: "acceptThenFail" };
    const error =
      faults.acceptThenFailMode === "503" ? overloaded(core) : new SmhError("InternalServerError");
    return { response: errorResponse(error, requestId, match.route.name), fault: "acceptThenFail" };
  }
  return outcome;
}

/**
 * The call-log template (and stats key) of a request that reached no handler: `unsupported` for
 * what the simulator refused as outside its model, `unmatched` for anything else.
 */
function unroutedTemplate(response: SimResponse | null): string {
  const body = response?.body as { code?: unknown } | undefined;
  return body?.code === "NotSupportedBySimulator" ? "unsupported" : "unmatched";
}

/**
 * Handles one HTTP request: `/_sim/…` goes to inspection; everything else is matched to an SMH
 * route, passed through the library's faults and its handler, answered, and recorded in the call
 * log (route template only, never the URL).
 */
export async function dispatch(
  core: SimCore,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const started = performance.now();
  const requestId = core.requestIds.next();
  const method = req.method ?? "GET";
  const target = parseTarget(req.url ?? "/");
  if (target.segments[0] === "_sim") {
    await handleInspection(core, req, res, target, requestId);
    return;
  }
  let match: RouteMatch | null = null;
  let refused: unknown = null;
  try {
    match = matchRoute(method, target.segments, target.query);
    if (match === null) refused = unmatchedRequest(method, target.segments);
  } catch (error) {
    refused = error;
  }
  const calledLibrary = match?.params.libraryId ?? null;
  let body = "";
  if (match !== null) {
    try {
      body = await readBody(req);
      // What the simulator does not implement is refused before faults, tokens or state are
      // touched: a success it cannot honestly give is never faked, and nothing changes.
      refused = unsupportedRequest(match.route.name, target.query, body);
    } catch (error) {
      refused = error;
    }
    if (refused !== null) match = null;
  }
  const libraryId = match?.params.libraryId ?? null;
  const faultState =
    (libraryId === null ? undefined : core.library(libraryId)?.faultState) ??
    core.defaultFaultState;
  const outcome: Outcome =
    match === null
      ? { response: errorResponse(refused, requestId, "routing"), fault: null }
      : await runRoute(core, req, requestId, target, match, faultState, body);
  let fault = outcome.fault;
  if (outcome.response === null) {
    dropConnection(req);
  } else {
    const { faults, random } = faultState;
    const slow =
      match !== null && faultState.selects(match.route.name) && random.chance(faults.slowBodyRatio)
        ? { chunkBytes: faults.slowBodyChunkBytes, delayMs: faults.slowBodyChunkDelayMs }
        : null;
    if (slow !== null) fault ??= "slowBody";
    await sendResponse(res, outcome.response, {
      requestId,
      head: method === "HEAD",
      slow,
      scheduler: core.scheduler,
    });
  }
  core.callLog.record({
    requestId,
    method,
    route: match?.route.name ?? null,
    template: match?.route.template ?? unroutedTemplate(outcome.response),
    libraryId: calledLibrary,
    status: outcome.response === null ? "reset" : outcome.response.status,
    fault,
    durationMs: Math.round((performance.now() - started) * 1000) / 1000,
    timestamp: new Date(core.clock.now()).toISOString(),
  });
}
