import { SmhError } from "../errors.ts";

/**
 * Paging markers: opaque base64url JSON holding the position after the last returned entry
 * (its sort value and tiebreak) plus a signature of the order it was made for.
 *
 * A keyset position instead of an offset is what makes markers stable: entries inserted or
 * removed before the position do not shift the next page, and a marker whose entry has since been
 * deleted still resumes at the right place.
 */
export interface MarkerPosition {
  /** Signature of the listing order; a marker is only valid for the order it came from. */
  readonly signature: string;
  /** Lane of the position (directories-first listings have two lanes). */
  readonly lane: number;
  readonly value: string | number;
  readonly tie: string | number;
}

/** Encodes a position as an opaque marker string. */
export function encodeMarker(position: MarkerPosition): string {
  return Buffer.from(
    JSON.stringify([position.signature, position.lane, position.value, position.tie]),
  ).toString("base64url");
}

/**
 * Decodes a marker made by {@link encodeMarker} for the same `signature`.
 * Anything else (garbage, another order's marker) is `404 MarkerNotFound`, as SMH answers a stale
 * marker.
 */
export function decodeMarker(marker: string, signature: string): MarkerPosition {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(marker, "base64url").toString("utf8"));
  } catch {
    throw new SmhError("MarkerNotFound");
  }
  if (!Array.isArray(decoded) || decoded.length !== 4) throw new SmhError("MarkerNotFound");
  const [markerSignature, lane, value, tie] = decoded as unknown[];
  const isKey = (x: unknown): x is string | number =>
    typeof x === "string" || (typeof x === "number" && Number.isFinite(x));
  if (markerSignature !== signature || typeof lane !== "number" || !isKey(value) || !isKey(tie)) {
    throw new SmhError("MarkerNotFound");
  }
  return { signature, lane, value, tie };
}
