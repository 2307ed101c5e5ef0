import type { RouteName } from "../route-names.ts";
import type { RequestContext } from "./context.ts";
import type { SimResponse } from "./response.ts";

/** Parameters taken from a matched SMH path (still encoded where noted). */
export interface RouteParams {
  readonly libraryId: string | null;
  readonly spaceId: string | null;
  /** Raw directory-path segments (percent-encoded; `%2F` may hide more segments). */
  readonly pathSegments: readonly string[];
  /** The token, recycled item id or task id list of routes that name one (decoded). */
  readonly id: string | null;
}

/** Handles one SMH route; throws `SmhError` for error answers. */
export type RouteHandler = (ctx: RequestContext) => Promise<SimResponse>;

/** One SMH route. */
export interface RouteDefinition {
  readonly name: RouteName;
  /** The documented path template, used in the call log instead of the real URL. */
  readonly template: string;
  /** Deletes, restores, purges and empties: the accept-then-fail fault can hit them. */
  readonly acceptThenFail: boolean;
  /** Changes state: the injected path-conflict fault can hit it. */
  readonly mutating: boolean;
  readonly handler: RouteHandler;
}
