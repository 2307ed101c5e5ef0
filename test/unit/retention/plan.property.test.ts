/**
 * Properties of retention plans, checked against a deliberately naive model: SMH's path compared
 * as a joined string, picomatch and RegExp for the name filter, Date.parse for times.
 */
import fc from "fast-check";
import picomatch from "picomatch";
import { describe, expect, it } from "vitest";
import { parsePolicy } from "../../../lib/policy/config.ts";
import { evaluatePolicy } from "../../../lib/policy/evaluate.ts";
import { encodeContinuation, parseContinuationBody } from "../../../lib/retention/checkpoint.ts";
import { parseRules } from "../../../lib/retention/load.ts";
import type { ListingEntry } from "../../../lib/retention/match.ts";
import { type ListingPage, PlanBuilder, type RetentionPlan } from "../../../lib/retention/plan.ts";
import { normalizePath } from "../../../lib/smh/paths.ts";
import { DAY, HOUR, SCHEDULED_AT } from "./factories.ts";

const asOf = SCHEDULED_AT.getTime();
const MAX_AGE = 30 * DAY;

const parents = [["events"], ["events", "2024"], []] as const;
const names = [
  "2019-a",
  "2019-keep",
  "2019-KEEP",
  "2020-b",
  "tmp-1",
  "TMP-2",
  "tmp-x",
  "活动",
  "café",
  "a/b",
  "..",
  " x",
  "x ",
  "2019-a ",
];
type PatternInput =
  | string
  | { glob: string; ignoreCase?: boolean }
  | { regex: string; ignoreCase?: boolean };
const includes: PatternInput[] = [
  "2019-*",
  { regex: "^tmp-\\d$" },
  { glob: "tmp-*", ignoreCase: true },
  "活*",
];
const excludes: PatternInput[] = ["*-keep", { regex: "KEEP" }, { glob: "*x", ignoreCase: true }];

/** Milliseconds before asOf, around the boundary, in the future, and far in the past. */
const ageChoice = fc.constantFrom(
  MAX_AGE - 1,
  MAX_AGE,
  MAX_AGE + 1,
  MAX_AGE + 400 * DAY,
  0,
  -1,
  -DAY,
);
const zone = fc.constantFrom("Z", "+08:00", "-05:30");

function isoIn(instant: number, offset: string): string {
  if (offset === "Z") return new Date(instant).toISOString();
  const sign = offset.startsWith("-") ? -1 : 1;
  const [hours = 0, minutes = 0] = offset.slice(1).split(":").map(Number);
  const local = new Date(instant + sign * (hours * HOUR + minutes * 60_000)).toISOString();
  return local.replace("Z", offset);
}

const time = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.tuple(ageChoice, zone).map(([age, offset]) => isoIn(asOf - age, offset)),
  },
  { weight: 1, arbitrary: fc.constantFrom(undefined, "", "2019-01-01T00:00:00", "yesterday") },
);

const entry = fc.record({
  name: fc.constantFrom(...names),
  type: fc.constantFrom("dir", "dir", "dir", "dir", "file"),
  where: fc.constantFrom("child", "child", "child", "child", "grandchild", "elsewhere", "no-path"),
  creationTime: time,
});
type GeneratedEntry = typeof entry extends fc.Arbitrary<infer T> ? T : never;

function listed(parent: readonly string[], generated: GeneratedEntry): ListingEntry {
  const path =
    generated.where === "child"
      ? [...parent, generated.name]
      : generated.where === "grandchild"
        ? [...parent, "sub", generated.name]
        : generated.where === "elsewhere"
          ? ["other", generated.name]
          : undefined;
  return {
    name: generated.name,
    type: generated.type,
    path,
    creationTime: generated.creationTime,
    modificationTime: generated.creationTime,
  };
}

const scenario = fc.record({
  parentIndex: fc.integer({ min: 0, max: parents.length - 1 }),
  include: fc.option(fc.subarray(includes, { minLength: 1 }), { nil: undefined }),
  exclude: fc.subarray(excludes),
  maxDeletesPerRun: fc.integer({ min: 1, max: 12 }),
  maxFractionPerRun: fc.constantFrom(0.1, 0.25, 0.3333, 0.5, 1),
  permanent: fc.boolean(),
  protectedNames: fc.subarray(names, { maxLength: 3 }),
  permanentEverywhere: fc.boolean(),
  entries: fc.array(entry, { maxLength: 40 }),
  pageSize: fc.integer({ min: 1, max: 8 }),
  pagesPerInvocation: fc.integer({ min: 1, max: 4 }),
});
type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

function setUp(s: Scenario) {
  const parent = parents[s.parentIndex] ?? [];
  const parentText = parent.length === 0 ? "/" : parent.join("/");
  const [rule] = parseRules(
    {
      v: 1,
      rules: [
        {
          id: "prop",
          libraryId: "smh1",
          spaces: ["-"],
          parent: parentText,
          match: { ...(s.include ? { include: s.include } : {}), exclude: s.exclude },
          age: { maxAge: "30d" },
          permanent: s.permanent,
          caps: { maxDeletesPerRun: s.maxDeletesPerRun, maxFractionPerRun: s.maxFractionPerRun },
        },
      ],
    },
    "property",
  ).rules;
  if (rule === undefined) throw new Error("no rule");
  const prefix = parent.length === 0 ? undefined : parent.join("/");
  const policy = parsePolicy({
    libraries: {
      smh1: {
        spaces: ["-"],
        ...(prefix === undefined
          ? {
              allowedPaths: names.filter(
                (name) => !name.includes("/") && name.trim() === name && name !== "..",
              ),
            }
          : { allowedPrefixes: [prefix] }),
        // A policy names paths exactly as a job must: no whitespace at the ends of a name.
        protectedPaths: s.protectedNames
          .filter((name) => !name.includes("/") && name !== ".." && name.trim() === name)
          .map((name) => [...parent, name].join("/")),
        permanentPrefixes: s.permanentEverywhere ? "*" : [],
      },
    },
  });
  const entries = s.entries.map((generated) => listed(parent, generated));
  return { parent, rule, policy, entries };
}

/** Whether a job may name `path` as written (the retention scan never selects what it may not). */
function isDeletable(path: string): boolean {
  try {
    return normalizePath(path) === path;
  } catch {
    return false;
  }
}

function modelMatches(pattern: PatternInput, name: string): boolean {
  const nfc = name.normalize("NFC");
  if (typeof pattern === "string") return picomatch(pattern, { dot: true })(nfc);
  if ("glob" in pattern)
    return picomatch(pattern.glob, { dot: true, nocase: pattern.ignoreCase === true })(nfc);
  return new RegExp(pattern.regex, pattern.ignoreCase ? "iu" : "u").test(nfc);
}

/** Date.parse, but only for a date-time with an offset: a time without one could be any zone. */
function modelInstant(time: unknown): number {
  return typeof time === "string" && /T.*(Z|[+-]\d\d:\d\d)$/.test(time)
    ? Date.parse(time)
    : Number.NaN;
}

/**
 * The entries with each name once. Continuations remember only the selected names (see
 * checkpoint.ts), so a listing that repeats an entry across invocations is outside their contract.
 */
function uniqueByName(s: Scenario): Scenario {
  const seen = new Set<string>();
  return {
    ...s,
    entries: s.entries.filter((e) => !seen.has(e.name) && seen.add(e.name) !== undefined),
  };
}

function toPages(entries: readonly ListingEntry[], size: number): ListingPage[] {
  const result: ListingPage[] = [];
  for (let start = 0; start < entries.length || result.length === 0; start += size) {
    const last = start + size >= entries.length;
    result.push({
      entries: entries.slice(start, start + size),
      nextMarker: last ? "" : `m${start}`,
    });
  }
  return result;
}

/** A scan in invocations of `perInvocation` pages, every continuation through JSON. */
function scan(s: Scenario, setup: ReturnType<typeof setUp>): RetentionPlan {
  const run = {
    rule: setup.rule,
    spaceId: "-",
    policy: setup.policy,
    scheduledAt: SCHEDULED_AT,
    runId: "prop",
    startedAt: SCHEDULED_AT,
  };
  const listing = toPages(setup.entries, s.pageSize);
  let builder = new PlanBuilder(run);
  let page = 0;
  for (;;) {
    for (let read = 0; read < s.pagesPerInvocation && !builder.complete; read++) {
      const current = listing[page++];
      if (current === undefined) throw new Error("ran out of pages");
      builder.add(current);
    }
    if (builder.complete) return builder.finish();
    const parsed = parseContinuationBody(encodeContinuation(builder.checkpoint()));
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.reasons));
    builder = PlanBuilder.resume(parsed.continuation, { rule: setup.rule, policy: setup.policy });
  }
}

/**
 * Checks one scenario's plan against the model: what may be enqueued, and that a refused run
 * enqueues nothing.
 */
function checkSafety(s: Scenario): void {
  const setup = setUp(s);
  const plan = scan(s, setup);
  const childDirectories = new Set(
    setup.entries
      .filter((e) => e.type === "dir" && isListedChild(setup.parent, e))
      .map((e) => String(e.name)),
  );
  for (const job of plan.jobs) {
    const name = job.path.split("/").at(-1) ?? "";
    // A direct child of the parent, listed as a directory with exactly this path.
    expect(job.path).toBe([...setup.parent, name].join("/"));
    const sources = setup.entries.filter(
      (e) => e.type === "dir" && e.name === name && isListedChild(setup.parent, e),
    );
    expect(sources.length).toBeGreaterThan(0);
    // Matched by the filter.
    expect(s.include === undefined || s.include.some((p) => modelMatches(p, name))).toBe(true);
    expect(s.exclude.some((p) => modelMatches(p, name))).toBe(false);
    // Strictly older than maxAge, by an independent reading of every time listed for it.
    for (const source of sources) {
      expect(asOf - modelInstant(source.creationTime)).toBeGreaterThan(MAX_AGE);
    }
    // Allowed by the policy, with the rule's permanent flag.
    expect(job.permanent).toBe(s.permanent);
    expect(evaluatePolicy(setup.policy, job).allowed).toBe(true);
    expect(job).toMatchObject({ source: "retention", ruleId: "prop", planId: plan.planId });
  }
  // Within both caps, the fraction counted over the distinct child directories listed.
  expect(plan.jobs.length).toBeLessThanOrEqual(s.maxDeletesPerRun);
  expect(plan.jobs.length * 10_000).toBeLessThanOrEqual(
    Math.round(s.maxFractionPerRun * 10_000) * childDirectories.size,
  );
  // Each directory once; a refused run enqueues nothing at all.
  expect(new Set(plan.jobs.map((job) => job.path)).size).toBe(plan.jobs.length);
  if (plan.caps.breaches.length > 0) expect(plan.jobs).toEqual([]);
  // Every listed entry is accounted for exactly once.
  const skipped = Object.values(plan.counts.skipped).reduce((a, b) => a + b, 0);
  expect(skipped + plan.counts.selected).toBe(setup.entries.length);
}

function isListedChild(parent: readonly string[], e: ListingEntry): boolean {
  return (
    Array.isArray(e.path) &&
    e.path.length === parent.length + 1 &&
    e.path.join("/") === [...parent, String(e.name)].join("/")
  );
}

describe("retention plans, as a property", () => {
  it("enqueue only direct child directories matched by the filter, older than maxAge, allowed by the policy, within the caps", () => {
    fc.assert(
      fc.property(scenario, (s) => {
        checkSafety({ ...s, pagesPerInvocation: 1000 }); // one invocation, repeated entries included
        checkSafety(uniqueByName(s)); // continued across invocations
      }),
      { numRuns: 300 },
    );
  });

  it("select every directory the model says is old, matched and allowed, and no other", () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const setup = setUp(s);
        const plan = scan({ ...s, pagesPerInvocation: 1000 }, setup);
        fc.pre(!plan.selectionDropped);
        const expected = new Set<string>();
        const seen = new Set<string>();
        const listedChildren = setup.entries.filter(
          (e) => e.type === "dir" && isListedChild(setup.parent, e),
        );
        for (const e of listedChildren) {
          const name = String(e.name);
          const path = [...setup.parent, name].join("/");
          if (seen.has(name)) continue;
          seen.add(name);
          const safe = !name.includes("/") && name !== ".." && isDeletable(path);
          const included = s.include === undefined || s.include.some((p) => modelMatches(p, name));
          const excluded = s.exclude.some((p) => modelMatches(p, name));
          // Old by every listing of it: one that is not means it was recreated mid-scan.
          const old = listedChildren
            .filter((other) => other.name === name)
            .every((other) => asOf - modelInstant(other.creationTime) > MAX_AGE);
          const allowed = evaluatePolicy(setup.policy, {
            libraryId: "smh1",
            spaceId: "-",
            path,
            permanent: s.permanent,
          }).allowed;
          if (safe && included && !excluded && old && allowed) expected.add(path);
        }
        expect(new Set(plan.selected.map((job) => job.path))).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it("are the same whether scanned in one invocation or continued across several", () => {
    fc.assert(
      fc.property(scenario, (generated) => {
        const s = uniqueByName(generated);
        const setup = setUp(s);
        const whole = scan({ ...s, pagesPerInvocation: 1000 }, setup);
        const continued = scan(s, setup);
        expect(continued.jobs).toEqual(whole.jobs);
        expect(continued.planHash).toBe(whole.planHash);
        expect(continued.decision).toBe(whole.decision);
        expect(continued.counts).toEqual(whole.counts);
        expect(continued.caps).toEqual(whole.caps);
      }),
      { numRuns: 300 },
    );
  });
});
