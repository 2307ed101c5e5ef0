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
