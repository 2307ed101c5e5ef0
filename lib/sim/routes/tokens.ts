import { SmhError } from "../errors.ts";
import type { RequestContext } from "../http/context.ts";
import { listParam } from "../http/request.ts";
import type { SimResponse } from "../http/response.ts";
import { parseGrants } from "../state/grants.ts";
import type { Library } from "../state/library.ts";
import { SINGLE_TENANT_SPACE_ID } from "../state/space.ts";
import { DEFAULT_TOKEN_PERIOD_SECONDS } from "../state/tokens.ts";

/** At most this many values in the comma lists of the delete-user-tokens call (SDK). */
const MAX_LIST_VALUES = 100;

/** Checks `library_secret` against the library: 400 when missing, 404 when wrong. */
function checkSecret(library: Library | undefined, secret: string | null): Library {
  if (secret === null || secret === "") throw new SmhError("EmptyLibrarySecret");
  // An unknown id and a wrong secret answer alike, so neither can be probed on its own.
  if (library === undefined || library.secret !== secret) {
    throw new SmhError("WrongLibraryIdOrSecret");
  }
  return library;
}

/** `period`: a positive integer number of seconds; anything else means the default 86400. */
function parsePeriod(raw: string | null): number {
  if (raw === null || !/^\d{1,9}$/.test(raw)) return DEFAULT_TOKEN_PERIOD_SECONDS;
  const period = Number(raw);
  return period > 0 ? period : DEFAULT_TOKEN_PERIOD_SECONDS;
}

/** `GET|POST /api/v1/token?library_id&library_secret&space_id&user_id&client_id&session_id&period&grant`. */
export async function createToken(ctx: RequestContext): Promise<SimResponse> {
  const { query, core } = ctx;
  const libraryId = query.get("library_id") ?? "";
  const secret = query.get("library_secret") ?? "";
  if (libraryId === "" && secret === "") throw new SmhError("EmptyLibraryIdOrSecret");
  if (libraryId === "") throw new SmhError("EmptyLibraryId");
  const library = checkSecret(core.library(libraryId), secret);
  const requestedSpaces = listParam(query, "space_id");
  let spaceIds: string[] | null = null;
  if (library.multiSpace && requestedSpaces !== null) {
    spaceIds = [...requestedSpaces];
    for (const spaceId of spaceIds) core.requireSpace(library, spaceId);
  } else if (!library.multiSpace && requestedSpaces !== null) {
    for (const spaceId of requestedSpaces) {
      if (spaceId !== SINGLE_TENANT_SPACE_ID) throw new SmhError("SpaceNotFound");
    }
  }
  const grants = parseGrants(query.get("grant"));
  const periodSeconds = parsePeriod(query.get("period"));
  await ctx.delay();
  const record = core.tokens.mint(
    {
      libraryId: library.id,
      spaceIds,
      userId: query.get("user_id") ?? "",
      clientId: query.get("client_id") ?? "",
      sessionId: query.get("session_id") ?? "",
      grants,
      periodSeconds,
    },
    core.clock.now(),
  );
  return { status: 200, body: { accessToken: record.token, expiresIn: record.periodSeconds } };
}

/** `POST /api/v1/token/{LibraryId}/{AccessToken}`: renews for the original period. */
export async function renewToken(ctx: RequestContext): Promise<SimResponse> {
  const library = ctx.core.requireLibrary(ctx.params.libraryId ?? "");
  const token = ctx.params.id ?? "";
  const record = ctx.core.tokens.use(
    token,
    library.id,
    ctx.core.clock.now(),
    ctx.core.periodicInvalidation(library),
  );
  await ctx.delay();
  return { status: 200, body: { accessToken: record.token, expiresIn: record.periodSeconds } };
}

/** `DELETE /api/v1/token/{LibraryId}/{AccessToken}` → 204 (also for a token already gone). */
export async function deleteToken(ctx: RequestContext): Promise<SimResponse> {
  const library = ctx.core.requireLibrary(ctx.params.libraryId ?? "");
  await ctx.delay();
  ctx.core.tokens.revoke(ctx.params.id ?? "", library.id, ctx.core.clock.now());
  return { status: 204 };
}

/** `DELETE /api/v1/token/{LibraryId}?library_secret&user_id&client_id&session_id` → 204. */
export async function deleteTokensForUser(ctx: RequestContext): Promise<SimResponse> {
  const { query, core } = ctx;
  const library = checkSecret(
    core.library(ctx.params.libraryId ?? ""),
    query.get("library_secret"),
  );
  const userId = query.get("user_id") ?? "";
  if (userId === "") throw new SmhError("ParamInvalid", "user_id is required.");
  const clientIds = listParam(query, "client_id");
  const sessionIds = listParam(query, "session_id");
  if ((clientIds?.size ?? 0) > MAX_LIST_VALUES || (sessionIds?.size ?? 0) > MAX_LIST_VALUES) {
    throw new SmhError("ParamInvalid", `At most ${MAX_LIST_VALUES} client or session ids.`);
  }
  await ctx.delay();
  core.tokens.revokeForUser(library.id, userId, clientIds, sessionIds, core.clock.now());
  return { status: 204 };
}
