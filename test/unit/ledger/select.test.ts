/** Which results the ledger selectors match, which kinds they prune to, and duplicates on read. */
import { describe, expect, it } from "vitest";
import { planIdOf, planJobId } from "../../../lib/cli/plans/plan.ts";
import {
  earliestFinish,
  kindsFor,
  matchesSelectors,
  planTimeOf,
} from "../../../lib/ledger/select.ts";
import { ResultSet } from "../../../lib/messages/result-set.ts";
import {
  alreadyAbsentDeletion,
  recycleAction,
  recycledDeletion,
} from "../../e2e/helpers/ledger-fixtures.ts";

const when = new Date("2025-05-01T10:00:00Z");

describe("kindsFor", () => {
  it("reads every kind when nothing is selected, and only the kinds that carry a selector otherwise", () => {
    expect(kindsFor({})).toEqual([
      "deletion",
      "recycle-action",
      "retention-plan",
      "retention-alert",
    ]);
    expect(kindsFor({ planId: "p" })).toEqual(["deletion", "retention-plan", "retention-alert"]);
    expect(kindsFor({ source: "bulk" })).toEqual(["deletion"]);
    expect(kindsFor({ pathPrefix: "a/" })).toEqual(["deletion"]);
    expect(kindsFor({ outcomes: ["restored", "purged"] })).toEqual(["recycle-action"]);
    expect(kindsFor({ outcomes: ["failed"] })).toEqual(["deletion", "recycle-action"]);
    expect(kindsFor({ outcomes: ["cap-breach"] })).toEqual(["retention-plan", "retention-alert"]);
    expect(kindsFor({ kinds: ["recycle-action"], planId: "p" })).toEqual([]);
    expect(kindsFor({ outcomes: ["no-such-outcome"] })).toEqual([]);
  });
});

describe("matchesSelectors", () => {
  const deletion = recycledDeletion("Albums/2019 Trip/", 7, when, { planId: "p1", spaceId: "s1" });
  const restore = recycleAction("restore", "restored", 7, when, { spaceId: "s1" });

  it("requires every selector given; one a result does not carry never matches", () => {
    expect(matchesSelectors(deletion, {})).toBe(true);
    expect(matchesSelectors(deletion, { planId: "p1", source: "bulk", spaceId: "s1" })).toBe(true);
    expect(matchesSelectors(deletion, { planId: "p1", source: "cli" })).toBe(false);
    expect(matchesSelectors(restore, { planId: "p1" })).toBe(false);
    expect(matchesSelectors(restore, { libraryId: "smh1", spaceId: "s1" })).toBe(true);
    expect(matchesSelectors(restore, { outcomes: ["restored"] })).toBe(true);
    expect(matchesSelectors(deletion, { outcomes: ["restored"] })).toBe(false);
    expect(
      matchesSelectors(deletion, { jobId: deletion.type === "deletion" ? deletion.jobId : "" }),
    ).toBe(true);
    expect(matchesSelectors(restore, { jobId: "x" })).toBe(false);
  });

  it("compares the path prefix exactly as written: no trimming, normalising or case folding", () => {
    expect(matchesSelectors(deletion, { pathPrefix: "Albums/2019 " })).toBe(true);
    expect(matchesSelectors(deletion, { pathPrefix: "albums/" })).toBe(false);
    expect(matchesSelectors(deletion, { pathPrefix: "/Albums/" })).toBe(false);
    expect(matchesSelectors(deletion, { pathPrefix: "Albums//2019" })).toBe(false);
    expect(matchesSelectors(restore, { pathPrefix: "" })).toBe(false);
  });

  it("selects by finishedAt, both ends included", () => {
    expect(matchesSelectors(deletion, { since: when, until: when })).toBe(true);
    expect(matchesSelectors(deletion, { since: new Date(when.getTime() + 1) })).toBe(false);
    expect(matchesSelectors(deletion, { until: new Date(when.getTime() - 1) })).toBe(false);
  });
});

describe("earliestFinish", () => {
  it("reads the time of a bulk plan's ID (and of its jobs' IDs), less a day for clocks", () => {
    const made = new Date("2025-05-01T10:15:00Z");
    const planId = planIdOf("3f2a9c1d00000000", made);
    expect(planTimeOf(planId)).toEqual(made);
    expect(planTimeOf(planJobId(planId, "albums/a"))).toEqual(made);
    expect(earliestFinish({ planId })).toEqual(new Date(made.getTime() - 86_400_000));
    // The later bound wins when --since is given too.
    const since = new Date("2025-06-01T00:00:00Z");
    expect(earliestFinish({ planId, since })).toEqual(since);
  });

  it("gives no bound for other IDs, nor for a time that is not one", () => {
    expect(planTimeOf("plan-0123456789abcdef0123456789abcdef")).toBeUndefined();
    expect(planTimeOf("plan-20251399T101500Z-3f2a9c1d")).toBeUndefined();
    expect(planTimeOf("my-plan")).toBeUndefined();
    expect(earliestFinish({ planId: "my-plan" })).toBeUndefined();
  });
});

describe("ResultSet", () => {
  it("keeps one result per dedupKey, the one with the recycledItemId, whatever order they come in", () => {
    const recycled = recycledDeletion("a", 9, when);
    const absent = alreadyAbsentDeletion("a", when);
    expect(absent.dedupKey).toBe(recycled.dedupKey);
    for (const order of [
      [absent, recycled],
      [recycled, absent],
    ]) {
      const set = new ResultSet();
      for (const result of order) set.add(result);
      expect(set.results()).toEqual([recycled]);
      expect(set.duplicates).toBe(1);
    }
  });
});
