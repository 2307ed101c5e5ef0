/**
 * What a retention scan reads from SMH: a parent's child directories, page by page from a marker,
 * and — for a rule on every space of a library whose policy allows every space — the spaces.
 * {@link smhDirectorySource} serves both through the one SMH client (its per-library limiter,
 * retries and tokens); tests may give a scan any other {@link DirectorySource}.
 */
import type { SmhClient } from "../smh/client.ts";
import { SmhError } from "../smh/errors/smh-error.ts";
import type { ListingEntry } from "./match.ts";
import type { ListingPage } from "./plan.ts";

/** The directory one scan lists: a rule's parent in one space. */
export interface ListingTarget {
  readonly libraryId: string;
  readonly spaceId: string;
  /** Segments; `[]` is the space root. */
  readonly parent: readonly string[];
}

/** Options of one listing or space lookup. */
export interface SourceOptions {
  /** When every SMH call must be over (epoch ms); absent: the client's own budget per call. */
  readonly deadline?: number | undefined;
  /** Entries per page, 1 to 100. */
  readonly pageSize: number;
}

/** Where a scan's listings come from. */
export interface DirectorySource {
  /**
   * The child directories of `target.parent` (`filter=onlyDir`), page by page from `marker`
   * (undefined: the first page). Each page carries SMH's `nextMarker`: undefined on the last.
   */
  pages(
    target: ListingTarget,
    marker: string | undefined,
    options: SourceOptions,
  ): AsyncIterable<ListingPage>;
  /**
   * Every space of a library: `["-"]` for a single-tenant one. Lists the spaces with a
   * `space_admin` token, the only grant SMH lists every space for.
   */
  spaces(libraryId: string, options: Pick<SourceOptions, "deadline">): Promise<string[]>;
}

/**
 * A {@link DirectorySource} over `client`: a continuation lists from its marker.
 *
 * @example const source = smhDirectorySource(createSmhClient({ libraries }));
 */
export function smhDirectorySource(client: SmhClient): DirectorySource {
  return {
    async *pages(target, marker, options) {
      const request = {
        libraryId: target.libraryId,
        spaceId: target.spaceId,
        path: target.parent.join("/"),
        filter: "onlyDir" as const,
        pageSize: options.pageSize,
        marker,
      };
      const calls = options.deadline === undefined ? {} : { deadline: options.deadline };
      for await (const page of client.listDirectory(request, calls)) {
        yield {
          entries: page.entries.map(
            (entry): ListingEntry => ({
              name: entry.name,
              // The client joins SMH's path segments; the plan compares segments.
              path: entry.path.split("/"),
              type: entry.type,
              creationTime: entry.creationTime,
              modificationTime: entry.modificationTime,
            }),
          ),
          nextMarker: page.nextMarker,
        };
      }
    },
    async spaces(libraryId, options) {
      const spaces: string[] = [];
      try {
        const calls = options.deadline === undefined ? {} : { deadline: options.deadline };
        for await (const page of client.listSpaces(
          { libraryId, all: true, pageSize: 1000 },
          calls,
        )) {
          spaces.push(...page.spaces.map((space) => space.spaceId));
        }
      } catch (error) {
        // A single-tenant library has one space, "-", and nothing to list.
        if (error instanceof SmhError && error.code === "NotMultiSpaceLibrary") return ["-"];
        throw error;
      }
      return spaces;
    },
  };
}

/**
 * `source`, with `onPage` called with each page and its target before the page is handed on: for
 * a progress display, or to keep what the listing said.
 */
export function observedSource(
  source: DirectorySource,
  onPage: (page: ListingPage, target: ListingTarget) => void,
): DirectorySource {
  return {
    spaces: (libraryId, options) => source.spaces(libraryId, options),
    async *pages(target, marker, options) {
      for await (const page of source.pages(target, marker, options)) {
        onPage(page, target);
        yield page;
      }
    },
  };
}
