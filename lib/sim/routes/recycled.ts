import { SmhError } from "../errors.ts";
import type { RequestContext } from "../http/context.ts";
import { enumParam } from "../http/request.ts";
import type { SimResponse } from "../http/response.ts";
import { requireRecycledItem } from "../operations/restore.ts";
import { RECYCLED_ORDER_BY } from "../state/recycle-bin.ts";
import { authorizeSpace, recycledItemIdParam, type SpaceAccess } from "./auth.ts";
import { parseDescending, parsePaging } from "./list-params.ts";
import { recycledItemInfoJson, recycledItemJson } from "./serialize.ts";

/** Recycle-bin page paging: page_size in [0, 1000] (smh-api.md §5.1), no window cap. */
const RECYCLED_PAGING = { minPageSize: 0, maxPageSize: 1000, maxPageWindow: null } as const;

/** {@link authorizeSpace} for recycle-bin routes: `400 RecycleBinNotEnabled` when the bin is off. */
export function authorizeRecycleBin(ctx: RequestContext): SpaceAccess {
  const access = authorizeSpace(ctx);
  if (!access.library.recycleBinEnabled) throw new SmhError("RecycleBinNotEnabled");
  ctx.core.expireRecycled(access.library, access.space);
  return access;
}

/**
 * `GET /api/v1/recycled/{LibraryId}/{SpaceId}?marker&limit|page&page_size&order_by&order_by_type`
 * → `{totalNum, nextMarker?, contents}`. Without `order_by` the order is deletion order (SMH:
 * "unsorted").
 */
export async function listRecycled(ctx: RequestContext): Promise<SimResponse> {
  const { space } = authorizeRecycleBin(ctx);
  const paging = parsePaging(ctx.query, ctx.core.behaviour, RECYCLED_PAGING);
  const orderBy = enumParam(ctx.query, "order_by", RECYCLED_ORDER_BY, null);
  const descending = parseDescending(ctx.query);
  await ctx.delay();
  const page = space.recycleBin.list(orderBy, descending, paging);
  const now = ctx.core.clock.now();
  const body: Record<string, unknown> = {
    totalNum: page.totalNum,
    contents: page.items.map((item) => recycledItemJson(item, now)),
  };
  if (page.nextMarker !== null) body.nextMarker = page.nextMarker;
  return { status: 200, body };
}

/** `GET /api/v1/recycled/{LibraryId}/{SpaceId}/{RecycledItemId}?info` → item details. */
export async function recycledItemInfo(ctx: RequestContext): Promise<SimResponse> {
  const { library, space } = authorizeRecycleBin(ctx);
  const id = recycledItemIdParam(ctx);
  await ctx.delay();
  const item = requireRecycledItem(ctx.core, library, space, id);
  return { status: 200, body: recycledItemInfoJson(item, ctx.core.clock.now()) };
}
