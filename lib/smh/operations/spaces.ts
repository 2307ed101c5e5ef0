import type { Caller } from "../caller.ts";
import { Grant, READ_ONLY } from "../grants.ts";
import { pages } from "../pagination.ts";
import { checkPageSize } from "../requests.ts";
import { readAnswer, SpacePageSchema } from "../responses.ts";
import type { CallMeta, CallOptions } from "../types.ts";
import { sendRead } from "./exchange.ts";

export interface ListSpacesRequest {
  readonly libraryId: string;
  /**
   * List every space of the library. SMH lists all spaces only for a `space_admin` (or `admin`)
   * token; a read-only token sees the spaces its user created. `true` mints a `space_admin` token,
   * so leave it off unless the job needs the whole library. @default false
   */
  readonly all?: boolean | undefined;
  /** Spaces per page, 1 to 1,000 (`limit`). @default 100 */
  readonly pageSize?: number | undefined;
}

/** One tenant space of a multi-tenant library. */
export interface Space {
  readonly spaceId: string;
  readonly userId: string | undefined;
  readonly creationTime: string | undefined;
}

export interface SpacePage extends CallMeta {
  readonly spaces: readonly Space[];
  readonly nextMarker: string | undefined;
}

/**
 * Lists the tenant spaces of a multi-tenant library page by page:
 * `GET /api/v1/space/{LibraryId}/list?limit=…&marker=…`. A single-tenant library has one space,
 * `-`, and nothing to list.
 *
 * @example
 * for await (const page of client.listSpaces({ libraryId, all: true })) console.log(page.spaces.map((space) => space.spaceId));
 */
export async function* listSpaces(
  caller: Caller,
  request: ListSpacesRequest,
  options?: CallOptions,
): AsyncGenerator<SpacePage, void, undefined> {
  const operation = "listSpaces";
  const library = caller.library(request.libraryId, operation);
  const limit = checkPageSize(request.pageSize, 1000, 100, operation, library.libraryId);
  yield* pages(undefined, async (marker) => {
    const { answer, context, meta } = await sendRead(
      caller,
      {
        operation,
        library,
        method: "GET",
        path: `/api/v1/space/${encodeURIComponent(library.libraryId)}/list`,
        query: { limit: String(limit), marker },
        // Spaces themselves are listed with a token bound to no space.
        spaceId: undefined,
        grants: request.all ? [Grant.spaceAdmin] : READ_ONLY,
      },
      options,
    );
    const body = readAnswer(SpacePageSchema, answer, context);
    const spaces = body.list.map((space) => ({
      spaceId: space.spaceId,
      userId: space.userId,
      creationTime: space.creationTime,
    }));
    return { page: { spaces, nextMarker: body.nextMarker, ...meta }, context };
  });
}
