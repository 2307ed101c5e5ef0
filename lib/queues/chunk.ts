/** Limits for one batch request. */
export interface ChunkLimits {
  /** Most entries per request (SQS: 10). */
  maxEntries: number;
  /** Most summed bytes per request; `Infinity` when the action has no payload limit. */
  maxBytes: number;
}

/**
 * Splits `items` into consecutive requests, keeping input order, so that no request has more than
 * `maxEntries` entries or more than `maxBytes` summed bytes. Callers must drop items larger than
 * `maxBytes` first: such an item cannot be sent at all, and this function throws a RangeError.
 */
export function chunkBySize<T>(
  items: readonly T[],
  sizeOf: (item: T) => number,
  limits: ChunkLimits,
): T[][] {
  if (!Number.isInteger(limits.maxEntries) || limits.maxEntries < 1) {
    throw new RangeError(`maxEntries must be a positive integer, got ${limits.maxEntries}`);
  }
  const chunks: T[][] = [];
  let current: T[] = [];
  let currentBytes = 0;
  for (const item of items) {
    const bytes = sizeOf(item);
    if (bytes > limits.maxBytes) {
      throw new RangeError(`an entry of ${bytes} bytes exceeds the ${limits.maxBytes}-byte limit`);
    }
    if (current.length === limits.maxEntries || currentBytes + bytes > limits.maxBytes) {
      chunks.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(item);
    currentBytes += bytes;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
