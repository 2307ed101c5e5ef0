import { SmhUnexpectedResponseError } from "./errors/unexpected-response-error.ts";
import type { AnswerContext } from "./responses.ts";

/**
 * The marker of the next page, or undefined after the last page. Refuses a marker SMH already
 * gave: following it would page forever.
 */
export function nextMarker(
  marker: string | undefined,
  seen: Set<string>,
  context: AnswerContext,
): string | undefined {
  if (marker === undefined) return undefined;
  if (seen.has(marker)) {
    throw new SmhUnexpectedResponseError(context, "SMH returned the same page marker twice");
  }
  seen.add(marker);
  return marker;
}

/** One page read by {@link pages}: what to yield, and the context for an error about its marker. */
export interface FetchedPage<T extends { readonly nextMarker: string | undefined }> {
  readonly page: T;
  readonly context: AnswerContext;
}

/**
 * Marker paging: reads the page at `start` (undefined: the first page), yields it, and follows its
 * `nextMarker` until a page has none. A marker seen before, `start` included, throws (see
 * {@link nextMarker}) once the page that sent it has been yielded.
 */
export async function* pages<T extends { readonly nextMarker: string | undefined }>(
  start: string | undefined,
  fetchPage: (marker: string | undefined) => Promise<FetchedPage<T>>,
): AsyncGenerator<T, void, undefined> {
  const markers = new Set<string>(start === undefined ? [] : [start]);
  let marker = start;
  do {
    const { page, context } = await fetchPage(marker);
    yield page;
    marker = nextMarker(page.nextMarker, markers, context);
  } while (marker !== undefined);
}
