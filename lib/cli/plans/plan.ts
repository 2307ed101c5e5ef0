/**
 * A purge-albums plan: what a filter selects in one space, checked against the deletion policy,
 * and the hash an operator confirms it by.
 *
 * The **plan hash** is 16 hex characters of a SHA-256 over the filter (parent, name glob, regex,
 * case folding, creation-time bounds) and the sorted list of `[libraryId, spaceId, path,
 * permanent]` the plan would enqueue. The same selection gives the same hash on any machine; any
 * change — an album created, renamed or deleted since, a policy change that admits or refuses one,
 * another filter — gives another, and `--confirm` with the old hash then enqueues nothing.
 * Sizes and timestamps are not part of it: they describe the plan, they do not change what it
 * deletes.
 *
 * The **plan ID** names one plan made at one time (`plan-<UTC time>-<hash prefix>`); every job of
 * the plan carries it, and its job IDs are derived from it and the path, so confirming the same
 * plan twice sends the same jobs (and the journal next to the plan file sends nothing twice).
 */
import { digest } from "../../messages/digest.ts";
import type { DeletionPolicy } from "../../policy/config.ts";
import { evaluatePolicy } from "../../policy/evaluate.ts";
import type { PolicyViolation } from "../../policy/rules.ts";
import type { AlbumFilter, AlbumFilterSpec } from "./filter.ts";

/** One entry of the listing that the filter selected. */
export interface ListedAlbum {
  readonly name: string;
  /** Path relative to the space root. */
  readonly path: string;
  readonly creationTime: string | undefined;
  /** Bytes, when SMH's listing (or `--sizes`) says. */
  readonly size: string | undefined;
  /** Files inside, when `--sizes` counted them. */
  readonly files?: number | undefined;
}

/** An album the policy refuses: listed in the plan, never enqueued. */
export interface RefusedAlbum {
  readonly path: string;
  readonly reasons: readonly PolicyViolation[];
}

/** The plan file (`v: 1`). */
export interface AlbumPlan {
  readonly v: 1;
  readonly kind: "purge-albums";
  readonly planId: string;
  readonly planHash: string;
  readonly createdAt: string;
  readonly libraryId: string;
  readonly spaceId: string;
  /** The directory whose children were listed ("" for the space root). */
  readonly parent: string;
  readonly permanent: boolean;
  readonly filter: {
    readonly name: string | null;
    readonly regex: string | null;
    readonly ignoreCase: boolean;
    readonly createdBefore: string | null;
    readonly createdAfter: string | null;
  };
  /** Entries listed under `parent` (directories and albums). */
  readonly listed: number;
  /** Albums the plan enqueues. */
  readonly count: number;
  readonly refusedCount: number;
  /** Where sizes come from: SMH's listing, `--sizes` (files listed and summed), or unknown. */
  readonly sizes: "listing" | "counted" | "unknown";
  /** Sum of the known sizes, `null` when no size is known. */
  readonly totalBytes: number | null;
  readonly albums: readonly ListedAlbum[];
  readonly refused: readonly RefusedAlbum[];
}

/** What a plan is built from. */
export interface PlanInput {
  readonly libraryId: string;
  readonly spaceId: string;
  readonly parent: string;
  readonly permanent: boolean;
  readonly filter: AlbumFilter;
  readonly policy: DeletionPolicy;
  /** Every entry listed under the parent (directories only). */
  readonly entries: readonly ListedAlbum[];
  readonly sizes: AlbumPlan["sizes"];
  readonly now: Date;
}

/** Builds the plan: filter, then the policy for every selected album, then the hash. */
export function buildPlan(input: PlanInput): AlbumPlan {
  const selected = input.entries
    .filter((entry) => input.filter.matches(entry))
    .sort((a, b) => compare(a.path, b.path));
  const albums: ListedAlbum[] = [];
  const refused: RefusedAlbum[] = [];
  for (const album of selected) {
    const verdict = evaluatePolicy(input.policy, {
      libraryId: input.libraryId,
      spaceId: input.spaceId,
      path: album.path,
      permanent: input.permanent,
    });
    if (verdict.allowed) albums.push(album);
    else refused.push({ path: album.path, reasons: verdict.violations });
  }
  const hash = planHashOf(
    input.libraryId,
    input.spaceId,
    input.parent,
    input.permanent,
    input.filter.spec,
    albums,
  );
  const known = albums.filter((album) => album.size !== undefined);
  return {
    v: 1,
    kind: "purge-albums",
    planId: planIdOf(hash, input.now),
    planHash: hash,
    createdAt: input.now.toISOString(),
    libraryId: input.libraryId,
    spaceId: input.spaceId,
    parent: input.parent,
    permanent: input.permanent,
    filter: filterJson(input.filter.spec),
    listed: input.entries.length,
    count: albums.length,
    refusedCount: refused.length,
    sizes: known.length === 0 ? "unknown" : input.sizes,
    totalBytes:
      known.length === 0 ? null : known.reduce((sum, album) => sum + Number(album.size), 0),
    albums,
    refused,
  };
}

/** The plan hash (see the module comment). */
export function planHashOf(
  libraryId: string,
  spaceId: string,
  parent: string,
  permanent: boolean,
  filter: AlbumFilterSpec,
  albums: readonly { path: string }[],
): string {
  const targets = albums
    .map((album): [string, string, string, boolean] => [libraryId, spaceId, album.path, permanent])
    .sort((a, b) => compare(a[2], b[2]));
  const f = filterJson(filter);
  return digest("purge-albums-plan/v1", [
    parent,
    [f.name, f.regex, f.ignoreCase, f.createdBefore, f.createdAfter],
    targets,
  ]).slice(0, 16);
}

/** `plan-20250501T101500Z-3f2a9c1d`: the plan's time (UTC, to the second) and hash prefix. */
export function planIdOf(hash: string, now: Date): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
  return `plan-${stamp}-${hash.slice(0, 8)}`;
}

/** The job ID of one album of a plan: the plan ID and 24 hex characters of the path's hash. */
export function planJobId(planId: string, path: string): string {
  return `${planId}-${digest("purge-albums-job/v1", [planId, path]).slice(0, 24)}`;
}

function filterJson(spec: AlbumFilterSpec): AlbumPlan["filter"] {
  return {
    name: spec.name ?? null,
    regex: spec.regex ?? null,
    ignoreCase: spec.ignoreCase,
    createdBefore:
      spec.createdBefore === undefined ? null : new Date(spec.createdBefore).toISOString(),
    createdAfter:
      spec.createdAfter === undefined ? null : new Date(spec.createdAfter).toISOString(),
  };
}

/** Code-unit order: the same on every machine, unlike locale order. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
