import { SmhError } from "../errors.ts";
import type { RequestContext } from "../http/context.ts";
import { decodeSegment } from "../http/request.ts";
import { hasGrant } from "../state/grants.ts";
import type { Library } from "../state/library.ts";
import { SINGLE_TENANT_SPACE_ID, type Space } from "../state/space.ts";
import type { TokenRecord } from "../state/tokens.ts";

/** A request whose token is valid for its library. */
export interface LibraryAccess {
  readonly library: Library;
  readonly token: TokenRecord;
}

/** A request whose token is valid for its library and space. */
export interface SpaceAccess extends LibraryAccess {
  readonly space: Space;
}

/**
 * Checks, in order: the library exists (404 LibraryNotFound), a token is present
 * (400 EmptyAccessToken) and valid for this library (403 InvalidAccessToken). A successful check
 * slides the token's expiry.
 */
export function authorizeLibrary(ctx: RequestContext): LibraryAccess {
  const library = ctx.core.requireLibrary(ctx.params.libraryId ?? "");
  const tokenText = ctx.accessToken();
  if (tokenText === null) throw new SmhError("EmptyAccessToken");
  const token = ctx.core.tokens.use(
    tokenText,
    library.id,
    ctx.core.clock.now(),
    ctx.core.periodicInvalidation(library),
  );
  return { library, token };
}

/** Whether `token` may act on `spaceId` of `library` (whether or not that space exists). */
export function tokenCoversSpace(library: Library, token: TokenRecord, spaceId: string): boolean {
  if (!library.multiSpace) return true;
  if (token.spaceIds !== null) return token.spaceIds.includes(spaceId);
  // An unbound token reaches every space only with admin rights ("optional if admin is granted").
  return hasGrant(token.grants, "admin");
}

/**
 * {@link authorizeLibrary}, then: the token covers the space (403 AccessTokenNotMatchSpace) and
 * the space exists (404 SpaceNotFound; a single-tenant library has only `-`).
 */
export function authorizeSpace(ctx: RequestContext): SpaceAccess {
  const access = authorizeLibrary(ctx);
  const spaceId = ctx.params.spaceId ?? "";
  if (!tokenCoversSpace(access.library, access.token, spaceId)) {
    throw new SmhError("AccessTokenNotMatchSpace");
  }
  if (!access.library.multiSpace && spaceId !== SINGLE_TENANT_SPACE_ID) {
    throw new SmhError("SpaceNotFound");
  }
  return { ...access, space: ctx.core.requireSpace(access.library, spaceId) };
}

/** The operator a request acts as: the token's user, or `user_id` for an admin token without one. */
export function operatorOf(ctx: RequestContext, token: TokenRecord): string {
  if (token.userId !== "") return token.userId;
  return ctx.query.get("user_id") ?? "";
}

/** Parses a recycled-item id path parameter (a positive integer). */
export function recycledItemIdParam(ctx: RequestContext): number {
  const raw = decodeSegment(ctx.params.id ?? "");
  if (!/^\d{1,15}$/.test(raw) || Number(raw) < 1) throw new SmhError("RecycledItemNotFound");
  return Number(raw);
}
