import { describe, expect, it } from "vitest";
import { chunkBySize } from "../../../lib/queues/chunk.ts";

const size = (n: number) => n;

describe("chunkBySize", () => {
  it("puts at most maxEntries items in a request, keeping input order", () => {
    const items = Array.from({ length: 25 }, (_, i) => i);
    const chunks = chunkBySize(items, () => 1, { maxEntries: 10, maxBytes: 1_000 });
    expect(chunks.map((chunk) => chunk.length)).toEqual([10, 10, 5]);
    expect(chunks.flat()).toEqual(items);
  });

  it("starts a new request before the summed size would pass maxBytes", () => {
    const chunks = chunkBySize([100, 100, 100, 50, 10, 200], size, {
      maxEntries: 10,
      maxBytes: 256,
    });
    expect(chunks).toEqual([[100, 100], [100, 50, 10], [200]]);
    for (const chunk of chunks) expect(chunk.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(256);
  });

  it("fills a request exactly up to maxBytes", () => {
    expect(chunkBySize([128, 128, 1], size, { maxEntries: 10, maxBytes: 256 })).toEqual([
      [128, 128],
      [1],
    ]);
  });

  it("refuses an item that could never fit in a request", () => {
    expect(() => chunkBySize([10, 300], size, { maxEntries: 10, maxBytes: 256 })).toThrow(
      RangeError,
    );
  });

  it("returns no requests for no items", () => {
    expect(chunkBySize([], size, { maxEntries: 10, maxBytes: 256 })).toEqual([]);
  });
});
