import type { IncomingMessage } from "node:http";
import type { SimCore } from "../core.ts";
import { SmhError } from "../errors.ts";
import type { FaultState } from "../fault-state.ts";
import type { RouteName } from "../route-names.ts";

/** Parameters taken from a matched SMH path (still encoded where noted). */
export interface RouteParams {
  readonly libraryId: string | null;
  readonly spaceId: string | null;
  /** Raw directory-path segments (percent-encoded; `%2F` may hide more segments). */
  readonly pathSegments: readonly string[];
  /** The token, recycled item id or task id list of routes that name one (decoded). */
  readonly id: string | null;
}

/** The route a request matched, as its handler sees it (the definition less the handler). */
export interface MatchedRoute {
  readonly name: RouteName;
  /** The documented path template, used in the call log instead of the real URL. */
  readonly template: string;
  /** Deletes, restores, purges and empties: the accept-then-fail fault can hit them. */
  readonly acceptThenFail: boolean;
  /** Changes state: the injected path-conflict fault can hit it. */
  readonly mutating: boolean;
}

/**
 * One SMH request on its way through a handler: the matched route, its parameters, the fault
 * state of its library and the latency still owed.
 */
export class RequestContext {
  readonly core: SimCore;
  readonly req: IncomingMessage;
  readonly requestId: string;
  readonly route: MatchedRoute;
  readonly params: RouteParams;
  readonly query: URLSearchParams;
  readonly faultState: FaultState;
  /** The request body as text (read before routing, so it could be checked for support). */
  readonly body: string;
  #delayed = false;

  constructor(init: {
    core: SimCore;
    req: IncomingMessage;
    requestId: string;
    route: MatchedRoute;
    params: RouteParams;
    query: URLSearchParams;
    faultState: FaultState;
    body: string;
  }) {
    this.core = init.core;
    this.req = init.req;
    this.requestId = init.requestId;
    this.route = init.route;
    this.params = init.params;
    this.query = init.query;
    this.faultState = init.faultState;
    this.body = init.body;
  }

  /**
   * Waits out the request's latency (once). Handlers call it where the service would do its work,
   * after taking their path locks, so a slow delete keeps its path "in flight". `items` is the
   * number of batch items (per-item latency). Any request that did not call it is delayed by the
   * dispatcher before its answer is written.
   */
  async delay(items = 0): Promise<void> {
    if (this.#delayed) return;
    this.#delayed = true;
    await this.core.scheduler.sleep(this.faultState.latencyMs(items));
  }

  /**
   * The access token: the `access_token` query parameter, else (when enabled) an
   * `Authorization: Bearer` header. Null when neither is present.
   */
  accessToken(): string | null {
    const fromQuery = this.query.get("access_token");
    if (fromQuery !== null && fromQuery !== "") return fromQuery;
    if (!this.core.behaviour.acceptBearerToken) return null;
    const header = this.req.headers.authorization;
    const match = header === undefined ? null : /^Bearer\s+(\S+)$/i.exec(header);
    return match?.[1] ?? null;
  }

  /**
   * The request body parsed as JSON.
   * @throws SmhError `400 ParamInvalid` for a missing or malformed body.
   */
  async json(): Promise<unknown> {
    const text = this.body;
    if (text.trim() === "") throw new SmhError("ParamInvalid", "Request body is required.");
    try {
      return JSON.parse(text);
    } catch {
      throw new SmhError("ParamInvalid", "Request body is not valid JSON.");
    }
  }

  /** The request body parsed as JSON, or undefined when there is none. */
  async optionalJson(): Promise<unknown> {
    const text = this.body;
    if (text.trim() === "") return undefined;
    try {
      return JSON.parse(text);
    } catch {
      throw new SmhError("ParamInvalid", "Request body is not valid JSON.");
    }
  }
}
