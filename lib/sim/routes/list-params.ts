import { SmhError } from "../errors.ts";
import { enumParam, flag, integerParam } from "../http/request.ts";
import type { Behaviour } from "../options.ts";
import type { Paging } from "../state/paging.ts";

/** Limits of one list endpoint. */
export interface PagingLimits {
  /** `page_size` may be 0 on the recycle bin ([0,1000]), not on directories. */
  readonly minPageSize: number;
  readonly maxPageSize: number;
  /** SMH caps page × page_size at 10,000 for directories; null = no cap. */
  readonly maxPageWindow: number | null;
}

const DEFAULT_PAGE_SIZE = 20;

function capped(value: number, max: number, behaviour: Behaviour, name: string): number {
  if (value <= max) return value;
  if (behaviour.listLimitOverflow === "reject") {
    throw new SmhError("ParamInvalid", `${name} must be at most ${max}.`);
  }
  return max;
}

/**
 * Reads `marker`/`limit` or `page`/`page_size` (plus the SDK's `by-marker`/`by-page` flags).
 * Marker paging is the default. Mixing the two is `400 ParamInvalid`. An oversized `limit` is
 * clamped or refused per {@link Behaviour.listLimitOverflow}.
 */
export function parsePaging(
  query: URLSearchParams,
  behaviour: Behaviour,
  limits: PagingLimits,
): Paging {
  const markerMode = query.has("marker") || query.has("limit") || flag(query, "by-marker");
  const pageMode = query.has("page") || query.has("page_size") || flag(query, "by-page");
  if (markerMode && pageMode) {
    throw new SmhError("ParamInvalid", "marker/limit cannot be combined with page/page_size.");
  }
  if (pageMode) {
    const page = integerParam(query, "page", 1, 1);
    const pageSize = capped(
      integerParam(query, "page_size", DEFAULT_PAGE_SIZE, limits.minPageSize),
      limits.maxPageSize,
      behaviour,
      "page_size",
    );
    if (limits.maxPageWindow !== null && page * pageSize > limits.maxPageWindow) {
      throw new SmhError(
        "ParamInvalid",
        `page × page_size must be at most ${limits.maxPageWindow}; use marker paging.`,
      );
    }
    return { mode: "page", page, pageSize };
  }
  const marker = query.get("marker");
  const limit = capped(
    integerParam(query, "limit", DEFAULT_PAGE_SIZE, 1),
    behaviour.listLimitMax,
    behaviour,
    "limit",
  );
  return { mode: "marker", marker: marker === null || marker === "" ? null : marker, limit };
}

/** `order_by_type`: true for `desc`. */
export function parseDescending(query: URLSearchParams): boolean {
  return enumParam(query, "order_by_type", ["asc", "desc"] as const, "asc") === "desc";
}
