/**
 * Which albums (or directories) `purge-albums` selects: by name (a glob or a regex, over the name
 * only) and by creation time (before and/or after an instant). All criteria must hold.
 *
 * Times are absolute on purpose — an ISO-8601 date (`2021-01-01`, midnight UTC) or date-time with
 * an offset — never "2 years ago": the plan hash covers the filter, and a relative time would
 * move between the plan and its confirmation. "Before" is strict (`creationTime < before`),
 * "after" inclusive (`creationTime >= after`), so `--created-after 2019-01-01
 * --created-before 2020-01-01` is exactly the year 2019. An entry with no readable creationTime
 * never matches a time criterion.
 */
import { compileGlob, GlobError } from "../../glob/glob.ts";
import { parseInstant } from "../../retention/age.ts";
import { compileRegex, RegexError } from "../../retention/regex.ts";

/** The filter as given on the command line (validated). */
export interface AlbumFilterSpec {
  readonly name: string | undefined;
  readonly regex: string | undefined;
  readonly ignoreCase: boolean;
  /** Epoch ms; entries created strictly before it match. */
  readonly createdBefore: number | undefined;
  /** Epoch ms; entries created at or after it match. */
  readonly createdAfter: number | undefined;
}

/** A compiled filter. */
export interface AlbumFilter {
  readonly spec: AlbumFilterSpec;
  matches(entry: { name: string; creationTime: string | undefined }): boolean;
}

/** Thrown for a filter that cannot be used; the message names the flag. */
export class AlbumFilterError extends Error {
  override readonly name = "AlbumFilterError";
}

/** Reads an absolute instant: `YYYY-MM-DD` (midnight UTC) or an ISO-8601 date-time with an offset. */
export function parseAbsoluteTime(text: string, flag: string): number {
  const trimmed = text.trim();
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(trimmed) ? `${trimmed}T00:00:00Z` : trimmed;
  const instant = parseInstant(dateOnly);
  if (instant === undefined) {
    throw new AlbumFilterError(
      `${flag} ${JSON.stringify(text)}: expected a date (2021-01-01, midnight UTC) or a date-time with an offset (2021-01-01T08:00:00+08:00); relative times are not accepted because the plan hash covers the filter`,
    );
  }
  return instant;
}

/** Compiles a filter; throws {@link AlbumFilterError} for a bad pattern or an empty range. */
export function compileAlbumFilter(spec: AlbumFilterSpec): AlbumFilter {
  let nameTest: ((name: string) => boolean) | undefined;
  try {
    if (spec.name !== undefined) nameTest = compileGlob(spec.name, spec.ignoreCase);
    if (spec.regex !== undefined) {
      const regex = compileRegex(spec.regex, spec.ignoreCase);
      const glob = nameTest;
      nameTest = (name) => (glob === undefined || glob(name)) && regex.test(name.normalize("NFC"));
    }
  } catch (error) {
    if (error instanceof GlobError) throw new AlbumFilterError(`--name: ${error.message}`);
    if (error instanceof RegexError) throw new AlbumFilterError(`--regex: ${error.message}`);
    throw error;
  }
  if (
    spec.createdBefore !== undefined &&
    spec.createdAfter !== undefined &&
    spec.createdAfter >= spec.createdBefore
  ) {
    throw new AlbumFilterError("--created-after must be earlier than --created-before");
  }
  return {
    spec,
    matches(entry) {
      if (nameTest !== undefined && !nameTest(entry.name)) return false;
      if (spec.createdBefore === undefined && spec.createdAfter === undefined) return true;
      const created = parseInstant(entry.creationTime);
      if (created === undefined) return false;
      if (spec.createdBefore !== undefined && !(created < spec.createdBefore)) return false;
      if (spec.createdAfter !== undefined && !(created >= spec.createdAfter)) return false;
      return true;
    },
  };
}

/** The filter in words: `name glob "*Camera*", created before 2021-01-01T00:00:00.000Z`. */
export function describeFilter(spec: AlbumFilterSpec): string {
  const parts: string[] = [];
  const fold = spec.ignoreCase ? " (ignoring case)" : "";
  if (spec.name !== undefined) parts.push(`name glob ${JSON.stringify(spec.name)}${fold}`);
  if (spec.regex !== undefined) parts.push(`name regex ${JSON.stringify(spec.regex)}${fold}`);
  if (spec.createdAfter !== undefined) {
    parts.push(`created at or after ${new Date(spec.createdAfter).toISOString()}`);
  }
  if (spec.createdBefore !== undefined) {
    parts.push(`created before ${new Date(spec.createdBefore).toISOString()}`);
  }
  return parts.join(", ");
}
