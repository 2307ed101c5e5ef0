import type { MatchedRoute, RequestContext } from "./context.ts";
import type { SimResponse } from "./response.ts";

/** Handles one SMH route; throws `SmhError` for error answers. */
export type RouteHandler = (ctx: RequestContext) => Promise<SimResponse>;

/** One SMH route: what a request learns of it, and its handler. */
export interface RouteDefinition extends MatchedRoute {
  readonly handler: RouteHandler;
}
