import { SmhError } from "../errors.ts";
import type { RequestContext } from "../http/context.ts";
import { enumParam, flag } from "../http/request.ts";
import type { SimResponse } from "../http/response.ts";
import { createDirectory as createDirectoryAt } from "../operations/create.ts";
import { decodePathSegments } from "../paths.ts";
import { requireGrant } from "../state/grants.ts";
import { listDirectory as listDirectoryPage } from "../state/listing.ts";
import { DIRECTORY_ORDER_BY } from "../state/sort-keys.ts";
import { type DirectoryNode, findNode, type TreeNode } from "../state/tree.ts";
import { authorizeSpace } from "./auth.ts";
import { parseDescending, parsePaging } from "./list-params.ts";
import { entryJson, infoJson } from "./serialize.ts";

/** Directory page paging limits: page_size ≤ 1000 and page × page_size ≤ 10,000 (SDK). */
const DIRECTORY_PAGING = { minPageSize: 1, maxPageSize: 1000, maxPageWindow: 10_000 } as const;

function requireDirectory(root: DirectoryNode, segments: readonly string[]): DirectoryNode {
  const node = findNode(root, segments);
  if (node?.kind !== "dir") throw new SmhError("DirectoryNotFound");
  return node;
}

/**
 * `GET /api/v1/directory/{LibraryId}/{SpaceId}/{DirPath}`: one page of a directory, in marker
 * mode (`{path, contents, nextMarker?}`; `nextMarker` absent on the last page) or page mode
 * (`{path, fileCount, subDirCount, totalNum, contents}`). Needs only a valid token.
 */
export async function listDirectory(ctx: RequestContext): Promise<SimResponse> {
  const { space } = authorizeSpace(ctx);
  const segments = decodePathSegments(ctx.params.pathSegments);
  const { query, core } = ctx;
  const paging = parsePaging(query, core.behaviour, DIRECTORY_PAGING);
  const order = {
    orderBy: enumParam(query, "order_by", DIRECTORY_ORDER_BY, null),
    descending: parseDescending(query),
    filter: enumParam(query, "filter", ["onlyDir", "onlyFile"] as const, null),
    union: enumParam(query, "sort_type", ["union"] as const, null) === "union",
  };
  const withInode = flag(query, "with_inode");
  await ctx.delay();
  const dir = requireDirectory(space.root, segments);
  const page = listDirectoryPage(dir, order, paging, space.kind === "albums");
  const contents = page.entries.map((node: TreeNode) =>
    entryJson(node, [...segments, node.name], withInode),
  );
  if (paging.mode === "page") {
    return {
      status: 200,
      body: {
        path: segments,
        fileCount: dir.fileCount,
        subDirCount: dir.dirCount,
        totalNum: page.totalNum,
        contents,
      },
    };
  }
  const body: Record<string, unknown> = { path: segments, contents };
  if (page.nextMarker !== null) body.nextMarker = page.nextMarker;
  return { status: 200, body };
}

/** `GET …/directory/{L}/{S}/{Path}?info=1`: details of a directory or file. */
export async function directoryInfo(ctx: RequestContext): Promise<SimResponse> {
  const { space } = authorizeSpace(ctx);
  const segments = decodePathSegments(ctx.params.pathSegments);
  await ctx.delay();
  const node = findNode(space.root, segments);
  if (node === undefined) throw new SmhError("DirectoryNotFound");
  return { status: 200, body: infoJson(node, segments, flag(ctx.query, "with_inode")) };
}

/** `HEAD …/directory/{L}/{S}/{Path}`: 200 when a directory is there, else 404. */
export async function headDirectory(ctx: RequestContext): Promise<SimResponse> {
  const { space } = authorizeSpace(ctx);
  const segments = decodePathSegments(ctx.params.pathSegments);
  await ctx.delay();
  requireDirectory(space.root, segments);
  return { status: 200 };
}

/**
 * `PUT …/directory/{L}/{S}/{DirPath}?conflict_resolution_strategy=ask|rename&with_inode` → 201.
 * Needs `create_directory`. Missing parents are created. The default strategy is `ask`
 * (409 SameNameDirectoryOrFileExists). The body `{path}` is returned when the name may have
 * changed (`rename`) or an inode was asked for; otherwise the 201 is empty, as documented.
 */
export async function createDirectory(ctx: RequestContext): Promise<SimResponse> {
  const { library, space, token } = authorizeSpace(ctx);
  requireGrant(token.grants, "create_directory");
  const segments = decodePathSegments(ctx.params.pathSegments);
  const conflict = enumParam(
    ctx.query,
    "conflict_resolution_strategy",
    ["ask", "rename"] as const,
    "ask",
    "InvalidConflictResolutionStrategy",
  ) as "ask" | "rename";
  const withInode = flag(ctx.query, "with_inode");
  const owner = space.locks.newOwner();
  space.locks.acquire(owner, segments);
  try {
    await ctx.delay();
    const path = createDirectoryAt(ctx.core, library, space, segments, conflict);
    if (conflict === "ask" && !withInode) return { status: 201 };
    const body: Record<string, unknown> = { path };
    if (withInode) body.inode = findNode(space.root, path)?.inode;
    return { status: 201, body };
  } finally {
    space.locks.release(owner, segments);
  }
}
