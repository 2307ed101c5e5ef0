/**
 * purge-albums' filter and plan: what a filter selects (one definition of before and after, checked
 * at the boundary), what the policy refuses, and a plan hash that changes exactly when what would
 * be deleted changes.
 */
import { describe, expect, it } from "vitest";
import {
  AlbumFilterError,
  type AlbumFilterSpec,
  compileAlbumFilter,
  parseAbsoluteTime,
} from "../../../lib/cli/plans/filter.ts";
import { buildPlan, type ListedAlbum, planHashOf, planJobId } from "../../../lib/cli/plans/plan.ts";
import { parsePolicy } from "../../../lib/policy/config.ts";

const spec = (overrides: Partial<AlbumFilterSpec> = {}): AlbumFilterSpec => ({
  name: undefined,
  regex: undefined,
  ignoreCase: false,
  createdBefore: undefined,
  createdAfter: undefined,
  ...overrides,
});

const album = (
  name: string,
  creationTime: string | undefined = "2019-06-01T00:00:00Z",
): ListedAlbum => ({
  name,
  path: name,
  creationTime,
  size: undefined,
});

const policy = parsePolicy({
  libraries: {
    smh1: {
      spaces: ["albums"],
      albumSpaces: ["albums"],
      protectedPaths: ["2019-06 Wedding"],
    },
  },
});

function plan(entries: ListedAlbum[], filter: Partial<AlbumFilterSpec>, permanent = false) {
  return buildPlan({
    libraryId: "smh1",
    spaceId: "albums",
    parent: "",
    permanent,
    filter: compileAlbumFilter(spec(filter)),
    policy,
    entries,
    sizes: "unknown",
    now: new Date("2025-05-01T10:15:00Z"),
  });
}

describe("the album filter", () => {
  it("reads a date as midnight UTC and a date-time only with its offset", () => {
    expect(parseAbsoluteTime("2021-01-01", "--x")).toBe(Date.parse("2021-01-01T00:00:00Z"));
    expect(parseAbsoluteTime("2021-01-01T08:00:00+08:00", "--x")).toBe(
      Date.parse("2021-01-01T00:00:00Z"),
    );
    expect(() => parseAbsoluteTime("2021-01-01T08:00:00", "--x")).toThrow(AlbumFilterError);
    expect(() => parseAbsoluteTime("2y", "--created-before")).toThrow(
      /relative times are not accepted/,
    );
  });

  it("selects strictly before --created-before and at or after --created-after", () => {
    const filter = compileAlbumFilter(
      spec({
        createdAfter: Date.parse("2019-01-01T00:00:00Z"),
        createdBefore: Date.parse("2020-01-01T00:00:00Z"),
      }),
    );
    expect(filter.matches(album("a", "2019-01-01T00:00:00Z"))).toBe(true);
    expect(filter.matches(album("b", "2018-12-31T23:59:59.999Z"))).toBe(false);
    expect(filter.matches(album("c", "2019-12-31T23:59:59.999Z"))).toBe(true);
    expect(filter.matches(album("d", "2020-01-01T00:00:00Z"))).toBe(false);
  });

  it("never selects by time an album whose creation time is missing or has no offset", () => {
    const filter = compileAlbumFilter(spec({ createdBefore: Date.parse("2030-01-01T00:00:00Z") }));
    expect(filter.matches({ ...album("a"), creationTime: undefined })).toBe(false);
    expect(filter.matches(album("b", "2019-06-01T00:00:00"))).toBe(false);
  });

  it("matches the glob and the regex against the name, both when both are given", () => {
    const filter = compileAlbumFilter(spec({ name: "2019-*", regex: "Camera upload \\d{4}$" }));
    expect(filter.matches(album("2019-05-17 Camera upload 0001"))).toBe(true);
    expect(filter.matches(album("2019-05-17 Beach trip 001"))).toBe(false);
    expect(filter.matches(album("2020-05-17 Camera upload 0001"))).toBe(false);
  });

  it("refuses a regex too ambiguous to run safely, and an empty time range", () => {
    expect(() => compileAlbumFilter(spec({ regex: "(a|a)*(a|a)*(a|a)*x" }))).toThrow(/--regex/);
    expect(() =>
      compileAlbumFilter(
        spec({
          createdAfter: Date.parse("2020-01-01T00:00:00Z"),
          createdBefore: Date.parse("2019-01-01T00:00:00Z"),
        }),
      ),
    ).toThrow(/--created-after must be earlier/);
  });
});

describe("a purge-albums plan", () => {
  const entries = [
    album("2019-05 Camera upload 0002"),
    album("2019-05 Camera upload 0001"),
    album("2019-06 Wedding"),
    album("2019-07 Beach trip"),
  ];

  it("lists the selected albums in path order, and the ones the policy refuses separately, never to be enqueued", () => {
    const result = plan(entries, { name: "2019-0[56] *" });
    expect(result.albums.map((a) => a.path)).toEqual([
      "2019-05 Camera upload 0001",
      "2019-05 Camera upload 0002",
    ]);
    expect(result.refused).toEqual([
      { path: "2019-06 Wedding", reasons: [expect.objectContaining({ rule: "protected-path" })] },
    ]);
    expect(result).toMatchObject({
      listed: 4,
      count: 2,
      refusedCount: 1,
      sizes: "unknown",
      totalBytes: null,
    });
  });

  it("refuses every album for --permanent where the policy allows no permanent deletion", () => {
    const result = plan(entries, { name: "*Camera*" }, true);
    expect(result.count).toBe(0);
    expect(result.refused.map((r) => r.reasons.map((reason) => reason.rule))).toEqual([
      ["permanent-not-allowed"],
      ["permanent-not-allowed"],
    ]);
  });

  it("has the same hash whatever order SMH lists the albums in", () => {
    expect(plan(entries, { name: "*Camera*" }).planHash).toBe(
      plan([...entries].reverse(), { name: "*Camera*" }).planHash,
    );
  });

  it("has another hash when an album is added or removed, the filter or permanent changes", () => {
    const base = plan(entries, { name: "*Camera*" }).planHash;
    expect(
      plan([...entries, album("2019-05 Camera upload 0003")], { name: "*Camera*" }).planHash,
    ).not.toBe(base);
    expect(plan(entries.slice(1), { name: "*Camera*" }).planHash).not.toBe(base);
    expect(plan(entries, { name: "*Camera upload*" }).planHash).not.toBe(base);
    const targets = [
      { path: "2019-05 Camera upload 0001" },
      { path: "2019-05 Camera upload 0002" },
    ];
    expect(planHashOf("smh1", "albums", "", true, spec({ name: "*Camera*" }), targets)).not.toBe(
      planHashOf("smh1", "albums", "", false, spec({ name: "*Camera*" }), targets),
    );
  });

  it("names the plan by time and hash, and derives each album's job ID from the plan and the path", () => {
    const result = plan(entries, { name: "*Camera*" });
    expect(result.planId).toBe(`plan-20250501T101500Z-${result.planHash.slice(0, 8)}`);
    const id = planJobId(result.planId, "2019-05 Camera upload 0001");
    expect(id).toBe(planJobId(result.planId, "2019-05 Camera upload 0001"));
    expect(id).not.toBe(planJobId(result.planId, "2019-05 Camera upload 0002"));
    expect(id).toMatch(/^[\x21-\x7e]{1,128}$/);
  });
});
