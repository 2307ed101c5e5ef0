import type { Caller } from "../caller.ts";
import { SmhError } from "../errors/smh-error.ts";
import { READ_ONLY } from "../grants.ts";
import { normalizePath } from "../paths.ts";
import { directoryPath } from "../requests.ts";
import { DirectoryInfoSchema, readAnswer } from "../responses.ts";
import type { CallMeta, CallOptions, SpaceRef } from "../types.ts";
import { resolveSpace, sendRead } from "./exchange.ts";
export interface DirectoryRequest extends SpaceRef {
  readonly path: string;
}

/** What `?info` says about a directory. */
export interface DirectoryInfo {
  readonly type: string | undefined;
  readonly path: string | undefined;
  readonly creationTime: string | undefined;
  readonly modificationTime: string | undefined;
  readonly size: string | undefined;
  readonly fileCount: number | undefined;
  readonly subDirCount: number | undefined;
}

export interface DirectoryInfoResult extends CallMeta {
  readonly info: DirectoryInfo;
}

/**
 * Details of a directory or album: `GET …/directory/{LibraryId}/{SpaceId}/{path}?info`.
 * Throws {@link SmhNotFoundError} when it does not exist.
 *
 * @example
 * const { info } = await client.directoryInfo({ libraryId, spaceId: "-", path: "events/2019" });
 */
export async function directoryInfo(
  caller: Caller,
  request: DirectoryRequest,
  options?: CallOptions,
): Promise<DirectoryInfoResult> {
  const operation = "directoryInfo";
  const { library, spaceId } = resolveSpace(caller, request, operation);
  const path = normalizePath(request.path, "read");
  const { answer, context, meta } = await sendRead(
    caller,
    {
      operation,
      library,
      method: "GET",
      path: directoryPath(library.libraryId, spaceId, path, "read"),
      flags: ["info"],
      spaceId,
      grants: READ_ONLY,
    },
    options,
  );
  const body = readAnswer(DirectoryInfoSchema, answer, context);
  return {
    info: {
      type: body.type,
      path: body.path?.join("/"),
      creationTime: body.creationTime,
      modificationTime: body.modificationTime,
      size: body.size === undefined ? undefined : String(body.size),
      fileCount: body.fileCount,
      subDirCount: body.subDirCount,
    },
    ...meta,
  };
}

export interface DirectoryExistsResult extends CallMeta {
  readonly exists: boolean;
}

/**
 * Whether a directory or album exists: `HEAD …/directory/{LibraryId}/{SpaceId}/{path}` (200 or
 * 404). A HEAD answer has no body, so a 404 cannot say *what* is missing: a wrong space also reads
 * as `exists: false`. Use {@link directoryInfo} when that distinction matters.
 *
 * @example
 * const { exists } = await client.directoryExists({ libraryId, spaceId: "-", path: "events/2019" });
 */
export async function directoryExists(
  caller: Caller,
  request: DirectoryRequest,
  options?: CallOptions,
): Promise<DirectoryExistsResult> {
  const operation = "directoryExists";
  const { library, spaceId } = resolveSpace(caller, request, operation);
  const path = normalizePath(request.path, "read");
  try {
    const { meta } = await sendRead(
      caller,
      {
        operation,
        library,
        method: "HEAD",
        path: directoryPath(library.libraryId, spaceId, path, "read"),
        spaceId,
        grants: READ_ONLY,
      },
      options,
    );
    return { exists: true, ...meta };
  } catch (error) {
    if (error instanceof SmhError && error.status === 404) {
      return { exists: false, requestId: error.requestId, attempts: error.attempts };
    }
    throw error;
  }
}
