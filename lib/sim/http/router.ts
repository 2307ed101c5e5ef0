import type { RouteName } from "../route-names.ts";
import { batchDelete } from "../routes/batch.ts";
import { deleteDirectory, deleteFile } from "../routes/deletion.ts";
import {
  createDirectory,
  directoryInfo,
  headDirectory,
  listDirectory,
} from "../routes/directories.ts";
import { listRecycled, recycledItemInfo } from "../routes/recycled.ts";
import {
  emptyRecycled,
  purgeRecycled,
  purgeRecycledBatch,
  restoreRecycled,
  restoreRecycledBatch,
  setRecycledLifecycle,
} from "../routes/recycled-actions.ts";
import { createSpace, deleteSpace, listSpaces } from "../routes/spaces.ts";
import { queryLibraryTasks, queryTasks } from "../routes/tasks.ts";
import { createToken, deleteToken, deleteTokensForUser, renewToken } from "../routes/tokens.ts";
import type { RouteParams } from "./context.ts";
import { decodeSegment, flag } from "./request.ts";
import type { RouteDefinition, RouteHandler } from "./route-definition.ts";

function route(
  name: RouteName,
  template: string,
  handler: RouteHandler,
  kind: "read" | "write" | "destructive" = "read",
): RouteDefinition {
  return {
    name,
    template,
    handler,
    mutating: kind !== "read",
    acceptThenFail: kind === "destructive",
  };
}

const L = "{LibraryId}";
const S = "{SpaceId}";
/** Every SMH route, by name. Templates are the documented paths (with the operation flag). */
export const ROUTES = {
  createToken: route("token.create", "GET|POST /api/v1/token", createToken, "write"),
  renewToken: route("token.renew", `POST /api/v1/token/${L}/{AccessToken}`, renewToken, "write"),
  deleteToken: route(
    "token.delete",
    `DELETE /api/v1/token/${L}/{AccessToken}`,
    deleteToken,
    "write",
  ),
  deleteTokensForUser: route(
    "token.deleteForUser",
    `DELETE /api/v1/token/${L}`,
    deleteTokensForUser,
    "write",
  ),
  listSpaces: route("space.list", `GET /api/v1/space/${L}/list`, listSpaces),
  createSpace: route("space.create", `POST /api/v1/space/${L}`, createSpace, "write"),
  deleteSpace: route("space.delete", `DELETE /api/v1/space/${L}/${S}`, deleteSpace, "write"),
  listDirectory: route(
    "directory.list",
    `GET /api/v1/directory/${L}/${S}/{DirPath}`,
    listDirectory,
  ),
  directoryInfo: route(
    "directory.info",
    `GET /api/v1/directory/${L}/${S}/{DirPath}?info`,
    directoryInfo,
  ),
  headDirectory: route(
    "directory.head",
    `HEAD /api/v1/directory/${L}/${S}/{DirPath}`,
    headDirectory,
  ),
  createDirectory: route(
    "directory.create",
    `PUT /api/v1/directory/${L}/${S}/{DirPath}`,
    createDirectory,
    "write",
  ),
  deleteDirectory: route(
    "directory.delete",
    `DELETE /api/v1/directory/${L}/${S}/{DirPath}`,
    deleteDirectory,
    "destructive",
  ),
  deleteFile: route(
    "file.delete",
    `DELETE /api/v1/file/${L}/${S}/{FilePath}`,
    deleteFile,
    "destructive",
  ),
  listRecycled: route("recycled.list", `GET /api/v1/recycled/${L}/${S}`, listRecycled),
  recycledInfo: route(
    "recycled.info",
    `GET /api/v1/recycled/${L}/${S}/{RecycledItemId}?info`,
    recycledItemInfo,
  ),
  restoreRecycled: route(
    "recycled.restore",
    `POST /api/v1/recycled/${L}/${S}/{RecycledItemId}?restore`,
    restoreRecycled,
    "destructive",
  ),
  restoreRecycledBatch: route(
    "recycled.restoreBatch",
    `POST /api/v1/recycled/${L}/${S}?restore`,
    restoreRecycledBatch,
    "destructive",
  ),
  purgeRecycled: route(
    "recycled.purge",
    `DELETE /api/v1/recycled/${L}/${S}/{RecycledItemId}`,
    purgeRecycled,
    "destructive",
  ),
  purgeRecycledBatch: route(
    "recycled.purgeBatch",
    `POST /api/v1/recycled/${L}/${S}?delete`,
    purgeRecycledBatch,
    "destructive",
  ),
  emptyRecycled: route(
    "recycled.empty",
    `DELETE /api/v1/recycled/${L}/${S}`,
    emptyRecycled,
    "destructive",
  ),
  setRecycledLifecycle: route(
    "recycled.lifecycle",
    `POST /api/v1/recycled/${L}/${S}?lifecycle`,
    setRecycledLifecycle,
    "write",
  ),
  batchDelete: route(
    "batch.delete",
    `POST /api/v1/batch/${L}/${S}?delete`,
    batchDelete,
    "destructive",
  ),
  queryTasks: route("task.query", `GET /api/v1/task/${L}/${S}/{TaskIdList}`, queryTasks),
  queryLibraryTasks: route(
    "task.queryLibrary",
    `GET /api/v1/task/${L}/{TaskIdList}`,
    queryLibraryTasks,
  ),
} as const satisfies Record<string, RouteDefinition>;

/** A matched SMH route and its parameters. */
export interface RouteMatch {
  readonly route: RouteDefinition;
  readonly params: RouteParams;
}

function params(
  libraryId: string | null,
  spaceId: string | null = null,
  id: string | null = null,
  pathSegments: readonly string[] = [],
): RouteParams {
  return { libraryId, spaceId, id, pathSegments };
}

/**
 * Finds the SMH route of a request. `segments` are the raw path segments after the leading `/`.
 * Returns null for anything that is not an SMH route (answered `404 RouteNotFound`).
 */
export function matchRoute(
  method: string,
  segments: readonly string[],
  query: URLSearchParams,
): RouteMatch | null {
  if (segments[0] !== "api" || segments[1] !== "v1") return null;
  const resource = segments[2];
  const rest = segments.slice(3);
  // Directory and file paths keep their raw tail; other routes ignore a trailing slash.
  if (resource === "directory" || resource === "file") {
    if (rest.length < 2) return null;
    const p = params(
      decodeSegment(rest[0] ?? ""),
      decodeSegment(rest[1] ?? ""),
      null,
      rest.slice(2),
    );
    if (resource === "file")
      return method === "DELETE" ? { route: ROUTES.deleteFile, params: p } : null;
    switch (method) {
      case "GET":
        return {
          route: flag(query, "info") ? ROUTES.directoryInfo : ROUTES.listDirectory,
          params: p,
        };
      case "HEAD":
        return { route: ROUTES.headDirectory, params: p };
      case "PUT":
        return { route: ROUTES.createDirectory, params: p };
      case "DELETE":
        return { route: ROUTES.deleteDirectory, params: p };
      default:
        return null;
    }
  }
  while (rest.length > 0 && rest[rest.length - 1] === "") rest.pop();
  const [first, second, third] = rest.map(decodeSegment);
  const library = first ?? null;
  switch (resource) {
    case "token":
      if (rest.length === 0 && (method === "GET" || method === "POST")) {
        return { route: ROUTES.createToken, params: params(query.get("library_id")) };
      }
      if (rest.length === 1 && method === "DELETE") {
        return { route: ROUTES.deleteTokensForUser, params: params(library) };
      }
      if (rest.length === 2 && method === "POST") {
        return { route: ROUTES.renewToken, params: params(library, null, second) };
      }
      if (rest.length === 2 && method === "DELETE") {
        return { route: ROUTES.deleteToken, params: params(library, null, second) };
      }
      return null;
    case "space":
      if (rest.length === 1 && method === "POST")
        return { route: ROUTES.createSpace, params: params(library) };
      if (rest.length === 2 && second === "list" && method === "GET") {
        return { route: ROUTES.listSpaces, params: params(library) };
      }
      if (rest.length === 2 && method === "DELETE") {
        return { route: ROUTES.deleteSpace, params: params(library, second) };
      }
      return null;
    case "recycled":
      if (rest.length === 2) {
        const p = params(library, second);
        if (method === "GET") return { route: ROUTES.listRecycled, params: p };
        if (method === "DELETE") return { route: ROUTES.emptyRecycled, params: p };
        if (method === "POST" && flag(query, "restore"))
          return { route: ROUTES.restoreRecycledBatch, params: p };
        if (method === "POST" && flag(query, "delete"))
          return { route: ROUTES.purgeRecycledBatch, params: p };
        if (method === "POST" && flag(query, "lifecycle"))
          return { route: ROUTES.setRecycledLifecycle, params: p };
        return null;
      }
      if (rest.length === 3) {
        const p = params(library, second, third);
        if (method === "GET") return { route: ROUTES.recycledInfo, params: p };
        if (method === "DELETE") return { route: ROUTES.purgeRecycled, params: p };
        if (method === "POST" && flag(query, "restore"))
          return { route: ROUTES.restoreRecycled, params: p };
      }
      return null;
    case "batch":
      if (rest.length === 2 && method === "POST" && flag(query, "delete")) {
        return { route: ROUTES.batchDelete, params: params(library, second) };
      }
      return null;
    case "task":
      if (method !== "GET") return null;
      if (rest.length === 2)
        return { route: ROUTES.queryLibraryTasks, params: params(library, null, second) };
      if (rest.length === 3)
        return { route: ROUTES.queryTasks, params: params(library, second, third) };
      return null;
    default:
      return null;
  }
}
