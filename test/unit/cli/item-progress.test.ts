import { describe, expect, it } from "vitest";
import { recycleItemProgress } from "../../../lib/cli/recycle/item-progress.ts";

/** A results queue that held `before` messages and holds what `counts` says, poll after poll. */
function resultsQueue(before: number, ...counts: number[]) {
  let poll = 0;
  return { before, now: async () => counts[Math.min(poll++, counts.length - 1)] ?? before };
}

describe("restore/purge --wait progress, in items", () => {
  it("counts the items of a single 500-item command as their results arrive", async () => {
    const progress = recycleItemProgress([500], resultsQueue(7, 7, 207, 507));
    expect(progress).toMatchObject({ unit: "items", total: 500 });
    expect(await progress.done(1)).toBe(0);
    expect(await progress.done(1)).toBe(200);
    expect(await progress.done(0)).toBe(500);
  });

  it("never counts fewer items than the commands that left the queue carry", async () => {
    // Someone drained the results queue meanwhile: its depth went down.
    const progress = recycleItemProgress([1000, 300, 200], resultsQueue(50, 0));
    expect(await progress.done(1)).toBe(500);
    expect(await progress.done(0)).toBe(1500);
  });

  it("never counts more items than the commands carry, whatever else writes results", async () => {
    // Other deletions put 10,000 results on the queue meanwhile.
    const progress = recycleItemProgress([1000, 300, 200], resultsQueue(0, 10_000));
    expect(await progress.done(3)).toBe(1500);
  });

  it("without a results queue, counts the items of the commands that left", async () => {
    const progress = recycleItemProgress([1000, 1000, 250], undefined);
    expect(await progress.done(3)).toBe(0);
    expect(await progress.done(1)).toBe(1250);
    expect(await progress.done(0)).toBe(2250);
  });
});
