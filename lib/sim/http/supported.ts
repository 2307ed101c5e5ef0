import type { RouteName } from "../route-names.ts";

/**
 * What the body of a supported request may hold.
 *
 * - `none`: no body, or the empty object `{}`.
 * - `object`: a JSON object with only these keys.
 * - `ids`: the JSON array of recycled item ids of a batch restore or purge.
 * - `items`: a JSON array of objects with only these keys (batch delete).
 *
 * Only the keys are checked here; the handler still validates the values (`400 ParamInvalid`).
 */
export type BodyShape =
  | { readonly kind: "none" }
  | { readonly kind: "object"; readonly keys: readonly string[] }
  | { readonly kind: "ids" }
  | { readonly kind: "items"; readonly keys: readonly string[] };

/** The query parameters and body a route implements; anything else is refused, not ignored. */
export interface SupportedRequest {
  /** Query parameters the route implements, whatever their value. */
  readonly query: readonly string[];
  /**
   * Query parameters of documented features the simulator does not have, accepted only when they
   * ask for nothing (`0`, `false` or empty): `with_favorite_status=0` is harmless, `=1` would be
   * answered without the favourite status it asks for.
   */
  readonly onlyOff?: readonly string[];
  readonly body: BodyShape;
}

const NONE: BodyShape = { kind: "none" };
/** Every space or library route takes the token and the operator (`user_id`, smh-api.md §3). */
const AUTH = ["access_token", "user_id"] as const;
const MARKER_PAGING = ["marker", "limit", "by-marker"] as const;
const PAGE_PAGING = ["page", "page_size", "by-page"] as const;
const ORDER = ["order_by", "order_by_type"] as const;
const RESTORE = ["conflict_resolution_strategy", "restore_path_strategy"] as const;

/**
 * Every query parameter and body key each SMH route implements (smh-api.md, docs/simulator.md).
 * A request naming anything else — `?calibrate=1` on a directory create, `?stats=1` on a listing,
 * a `{"copyFrom": …}` or `{"from": …}` body — is answered `400 NotSupportedBySimulator` before
 * anything is looked at or changed, so nobody mistakes a simulated success for an operation the
 * simulator never performed.
 */
export const SUPPORTED_REQUESTS = {
  "token.create": {
    query: [
      "library_id",
      "library_secret",
      "space_id",
      "user_id",
      "client_id",
      "session_id",
      "period",
      "grant",
    ],
    body: NONE,
  },
  "token.renew": { query: [], body: NONE },
  "token.delete": { query: [], body: NONE },
  "token.deleteForUser": {
    query: ["library_secret", "user_id", "client_id", "session_id"],
    body: NONE,
  },
  "space.list": { query: [...AUTH, "marker", "limit"], body: NONE },
  "space.create": { query: AUTH, body: { kind: "object", keys: ["isMultiAlbum"] } },
  "space.delete": { query: AUTH, body: NONE },
  "directory.list": {
    query: [
      ...AUTH,
      ...MARKER_PAGING,
      ...PAGE_PAGING,
      ...ORDER,
      "filter",
      "sort_type",
      "with_inode",
    ],
    onlyOff: ["with_favorite_status"],
    body: NONE,
  },
  "directory.info": { query: [...AUTH, "info", "with_inode"], body: NONE },
  "directory.head": { query: AUTH, body: NONE },
  "directory.create": {
    query: [...AUTH, "conflict_resolution_strategy", "with_inode"],
    body: NONE,
  },
  "directory.delete": { query: [...AUTH, "permanent"], onlyOff: ["directory_only"], body: NONE },
  "file.delete": { query: [...AUTH, "permanent"], body: NONE },
  "recycled.list": { query: [...AUTH, ...MARKER_PAGING, ...PAGE_PAGING, ...ORDER], body: NONE },
  "recycled.info": { query: [...AUTH, "info"], body: NONE },
  "recycled.restore": { query: [...AUTH, "restore", ...RESTORE], body: NONE },
  "recycled.restoreBatch": { query: [...AUTH, "restore", ...RESTORE], body: { kind: "ids" } },
  "recycled.purge": { query: AUTH, body: NONE },
  "recycled.purgeBatch": { query: [...AUTH, "delete"], body: { kind: "ids" } },
  "recycled.empty": { query: AUTH, body: NONE },
  "recycled.lifecycle": {
    query: [...AUTH, "lifecycle"],
    body: { kind: "object", keys: ["retentionDays"] },
  },
  "batch.delete": {
    query: [...AUTH, "delete"],
    body: { kind: "items", keys: ["path", "permanent"] },
  },
  "task.query": { query: AUTH, body: NONE },
  "task.queryLibrary": { query: AUTH, body: NONE },
} as const satisfies Record<RouteName, SupportedRequest>;
