import * as z from "zod";
import { SmhError } from "../errors.ts";
import type { RequestContext } from "../http/context.ts";
import { integerParam } from "../http/request.ts";
import type { SimResponse } from "../http/response.ts";
import { hasGrant, requireGrant } from "../state/grants.ts";
import { authorizeLibrary, authorizeSpace, operatorOf } from "./auth.ts";

/** The space-listing limit range is [1, 1000], default 1000 (smh-api.md §8). */
const MAX_SPACE_LIMIT = 1000;

const createSpaceBody = z.object({ isMultiAlbum: z.boolean().optional() }).loose().optional();

/**
 * `POST /api/v1/space/{LibraryId}` → 201 `{spaceId}`. Needs `admin` or `create_space`. A body
 * `{"isMultiAlbum": true}` makes an album space (one level of albums).
 */
export async function createSpace(ctx: RequestContext): Promise<SimResponse> {
  const { library, token } = authorizeLibrary(ctx);
  requireGrant(token.grants, "create_space");
  if (!library.multiSpace) throw new SmhError("NotMultiSpaceLibrary");
  const parsed = createSpaceBody.safeParse(await ctx.optionalJson());
  if (!parsed.success) throw new SmhError("ParamInvalid", "Invalid space options.");
  await ctx.delay();
  const space = ctx.core.addSpace(library, {
    kind: parsed.data?.isMultiAlbum === true ? "albums" : "files",
    userId: operatorOf(ctx, token),
  });
  return { status: 201, body: { spaceId: space.id } };
}

/**
 * `GET /api/v1/space/{LibraryId}/list?marker&limit` → `{list, marker, nextMarker}`. Admins (and
 * space admins) see every space, other tokens only the spaces their user created.
 */
export async function listSpaces(ctx: RequestContext): Promise<SimResponse> {
  const { library, token } = authorizeLibrary(ctx);
  if (!library.multiSpace) throw new SmhError("NotMultiSpaceLibrary");
  const limit = Math.min(integerParam(ctx.query, "limit", MAX_SPACE_LIMIT, 1), MAX_SPACE_LIMIT);
  const marker = ctx.query.get("marker") ?? "";
  const seeAll = hasGrant(token.grants, "space_admin");
  const userId = operatorOf(ctx, token);
  const visible = [...library.spaces.values()].filter(
    (space) => seeAll || (userId !== "" && space.userId === userId),
  );
  let start = 0;
  if (marker !== "") {
    const after = Buffer.from(marker, "base64url").toString("utf8");
    const index = visible.findIndex((space) => space.id === after);
    if (index < 0) throw new SmhError("MarkerNotFound");
    start = index + 1;
  }
  await ctx.delay();
  const page = visible.slice(start, start + limit);
  const last = page[page.length - 1];
  const body: Record<string, unknown> = {
    list: page.map((space) => ({
      spaceId: space.id,
      userId: space.userId,
      creationTime: new Date(space.creationTime).toISOString(),
    })),
  };
  if (marker !== "") body.marker = marker;
  if (start + limit < visible.length && last !== undefined) {
    body.nextMarker = Buffer.from(last.id).toString("base64url");
  }
  return { status: 200, body };
}

/** `DELETE /api/v1/space/{LibraryId}/{SpaceId}` → 204; `409 SpaceNotEmpty` while it holds anything. */
export async function deleteSpace(ctx: RequestContext): Promise<SimResponse> {
  const { library, space, token } = authorizeSpace(ctx);
  requireGrant(token.grants, "delete_space");
  if (!library.multiSpace) throw new SmhError("NotMultiSpaceLibrary");
  if (space.root.children.size > 0) throw new SmhError("SpaceNotEmpty");
  await ctx.delay();
  library.spaces.delete(space.id);
  return { status: 204 };
}
