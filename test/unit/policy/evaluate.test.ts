import { describe, expect, it } from "vitest";
import { parsePolicy } from "../../../lib/policy/config.ts";
import { evaluatePolicy } from "../../../lib/policy/evaluate.ts";
import { PolicyRule } from "../../../lib/policy/rules.ts";
import { policyFor, subject } from "./factories.ts";

/** The names of the rules a job breaks, `[]` when it is allowed. */
function rulesBroken(
  policy: ReturnType<typeof policyFor>,
  job: ReturnType<typeof subject>,
): string[] {
  const verdict = evaluatePolicy(policy, job);
  return verdict.allowed ? [] : verdict.violations.map((violation) => violation.rule);
}

describe("the deletion policy, for libraries and spaces", () => {
  it("allows a job in a listed library and space, under an allowed prefix", () => {
    expect(evaluatePolicy(policyFor(), subject("events/2024"))).toEqual({ allowed: true });
  });

  it("refuses a library that is not listed, and says so alone", () => {
    const verdict = evaluatePolicy(
      policyFor(),
      subject("events/2024", { libraryId: "smh2", spaceId: "x" }),
    );
    expect(verdict).toEqual({
      allowed: false,
      violations: [
        { rule: "library-not-allowed", message: 'library "smh2" is not in the deletion policy' },
      ],
    });
  });

  it.each(["constructor", "toString", "hasOwnProperty", "valueOf", "__proto__"])(
    "refuses library %j, which every plain object seems to have",
    (libraryId) => {
      expect(rulesBroken(policyFor(), subject("events/2024", { libraryId }))).toEqual([
        PolicyRule.libraryNotAllowed,
      ]);
    },
  );

  it("refuses everything when no library is listed", () => {
    const policy = parsePolicy({ libraries: {} });
    expect(rulesBroken(policy, subject("events/2024"))).toEqual([PolicyRule.libraryNotAllowed]);
  });

  it("refuses a space that is not listed", () => {
    expect(rulesBroken(policyFor(), subject("events/2024", { spaceId: "space1" }))).toEqual([
      PolicyRule.spaceNotAllowed,
    ]);
  });

  it("allows any space when spaces is *", () => {
    expect(
      rulesBroken(policyFor({ spaces: "*" }), subject("events/2024", { spaceId: "space9" })),
    ).toEqual([]);
  });
});

describe("the deletion policy, for allowed prefixes", () => {
  it.each([
    ["events/x", true],
    ["events/x/y/z", true],
    ["/events//x/", true],
    ["events", false],
    ["eventsX", false],
    ["eventsX/y", false],
    ["event/x", false],
    ["ev/ents/x", false],
    ["Events/x", false],
    ["other/events/x", false],
  ])("with prefix events, %j is allowed: %s", (path, allowed) => {
    const broken = rulesBroken(policyFor(), subject(path));
    expect(broken).toEqual(allowed ? [] : [PolicyRule.prefixNotAllowed]);
  });

  it("allows a directory itself only when it is listed as an allowed path", () => {
    const policy = policyFor({ allowedPaths: ["events"] });
    expect(rulesBroken(policy, subject("events"))).toEqual([]);
    expect(rulesBroken(policy, subject("eventsX"))).toEqual([PolicyRule.prefixNotAllowed]);
  });

  it("allows nothing below an allowed path that is not also a prefix", () => {
    const policy = policyFor({ allowedPrefixes: [], allowedPaths: ["scratch"] });
    expect(rulesBroken(policy, subject("scratch/x"))).toEqual([PolicyRule.prefixNotAllowed]);
  });

  it("matches multi-segment prefixes segment by segment", () => {
    const policy = policyFor({ allowedPrefixes: ["tmp/uploads"] });
    expect(rulesBroken(policy, subject("tmp/uploads/1"))).toEqual([]);
    expect(rulesBroken(policy, subject("tmp/uploads2/1"))).toEqual([PolicyRule.prefixNotAllowed]);
    expect(rulesBroken(policy, subject("tmp/x"))).toEqual([PolicyRule.prefixNotAllowed]);
  });
});

describe("the deletion policy, for unicode paths", () => {
  const nfc = "café";
  const nfd = "cafe\u0301";

  it("allows CJK, emoji and spaces under a prefix written the same way", () => {
    const policy = policyFor({ allowedPrefixes: ["活动 2024"] });
    expect(rulesBroken(policy, subject("活动 2024/🎉 派对"))).toEqual([]);
    expect(rulesBroken(policy, subject("活动 2025/🎉 派对"))).toEqual([
      PolicyRule.prefixNotAllowed,
    ]);
  });

  it("does not allow a differently normalised spelling of a prefix: an allowlist never matches more than it says", () => {
    const policy = policyFor({ allowedPrefixes: [nfc] });
    expect(rulesBroken(policy, subject(`${nfc}/x`))).toEqual([]);
    expect(rulesBroken(policy, subject(`${nfd}/x`))).toEqual([PolicyRule.prefixNotAllowed]);
  });

  it("protects a path however its name is normalised or cased: a protection errs towards refusing", () => {
    const policy = policyFor({ protectedPaths: [`events/${nfc}`] });
    expect(rulesBroken(policy, subject(`events/${nfd}`))).toEqual([PolicyRule.protectedPath]);
    expect(rulesBroken(policy, subject("events/CAFÉ/x"))).toEqual([PolicyRule.protectedPath]);
  });

  it("applies protected globs however names are normalised or cased", () => {
    const policy = policyFor({ protectedGlobs: [`events/*/${nfd}`] });
    expect(rulesBroken(policy, subject(`events/a/${nfc}`))).toEqual([PolicyRule.protectedPath]);
    expect(rulesBroken(policy, subject("events/a/CAFÉ"))).toEqual([PolicyRule.protectedPath]);
  });
});

describe("the deletion policy, for look-alikes: allowing is exact, protecting is loose", () => {
  // Each of these is a name a reader could take for "apollo" (or that a server decoding twice
  // would read as it). The job's own path check refuses some of them first; the policy, which a
  // caller that skipped that check still meets, refuses the rest.
  const LOOK_ALIKES = [
    "APOLLO",
    "Apollo",
    "ａｐｏｌｌｏ",
    "ＡＰＯＬＬＯ",
    "apoll%6F",
    "%61%70%6F%6C%6C%6F",
    "apoll%256F",
    "apollo%20",
    "apollo%E2%80%8B",
    "ａｐｏｌｌｏ％２０",
  ];

  it.each(LOOK_ALIKES)("protects projects/apollo from %j", (name) => {
    const policy = policyFor({
      allowedPrefixes: ["projects"],
      protectedPaths: ["projects/apollo"],
    });
    expect(rulesBroken(policy, subject(`projects/${name}`))).toEqual([PolicyRule.protectedPath]);
    expect(rulesBroken(policy, subject(`projects/${name}/2024`))).toEqual([
      PolicyRule.protectedPath,
    ]);
  });

  it.each(LOOK_ALIKES)("protects what projects/*/originals matches from %j", (name) => {
    const policy = policyFor({
      allowedPrefixes: ["projects"],
      protectedGlobs: ["projects/apollo/origin*"],
    });
    expect(rulesBroken(policy, subject(`projects/${name}/originals`))).toEqual([
      PolicyRule.protectedPath,
    ]);
    expect(rulesBroken(policy, subject(`projects/${name}`))).toEqual([
      PolicyRule.protectsDescendant,
    ]);
  });

  it.each([
    "projects/apollo\u200b",
    "projects/\u00a0apollo",
    "projects/apollo\u3000",
    "projects/%2e%2e/projects/apollo",
    "projects\\apollo",
  ])("refuses %j as an invalid path, before any protection is looked at", (path) => {
    const policy = policyFor({
      allowedPrefixes: ["projects"],
      protectedPaths: ["projects/apollo"],
    });
    expect(rulesBroken(policy, subject(path))).toEqual([PolicyRule.invalidPath]);
  });

  it.each(["ｅvents/2024", "Events/2024", "EVENTS/2024", "%65vents/2024"])(
    "does not count %j as inside the allowed prefix events",
    (path) => {
      expect(rulesBroken(policyFor(), subject(path))).toContain(PolicyRule.prefixNotAllowed);
    },
  );

  it("matches protections case-sensitively when the library turns protectionIgnoresCase off", () => {
    const paths = policyFor({ protectedPaths: ["events/Keep"], protectionIgnoresCase: false });
    expect(rulesBroken(paths, subject("events/keep"))).toEqual([]);
    expect(rulesBroken(paths, subject("events/Keep"))).toEqual([PolicyRule.protectedPath]);
    expect(rulesBroken(paths, subject("events/ｋeep"))).toEqual([]);
    expect(rulesBroken(paths, subject("events/Ｋeep"))).toEqual([PolicyRule.protectedPath]);
    const globs = policyFor({
      protectedGlobs: ["events/a/Originals"],
      protectionIgnoresCase: false,
    });
    expect(rulesBroken(globs, subject("events/a/originals"))).toEqual([]);
    expect(rulesBroken(globs, subject("events/a/Originals"))).toEqual([PolicyRule.protectedPath]);
    expect(rulesBroken(globs, subject("events/a/Ｏriginals"))).toEqual([PolicyRule.protectedPath]);
  });

  it("protects names written with an emoji's joiner or variation selector either way", () => {
    const policy = policyFor({ protectedPaths: ["events/❤️ 2024"] });
    expect(rulesBroken(policy, subject("events/❤ 2024"))).toEqual([PolicyRule.protectedPath]);
    expect(rulesBroken(policy, subject("events/❤️ 2024"))).toEqual([PolicyRule.protectedPath]);
  });
});

describe("the deletion policy, for protected paths", () => {
  const policy = policyFor({ protectedPaths: ["events/2024/keep"] });

  it.each([
    ["events/2024/keep", PolicyRule.protectedPath],
    ["events/2024/keep/inside", PolicyRule.protectedPath],
    ["events/2024", PolicyRule.protectsDescendant],
  ])("refuses %j: %s", (path, rule) => {
    expect(rulesBroken(policy, subject(path))).toEqual([rule]);
  });

  it("refuses the top of the allowed tree, whose deletion would take the protected path with it", () => {
    expect(
      rulesBroken(
        policyFor({ protectedPaths: ["events/a/b/c"], allowedPaths: ["events"] }),
        subject("events"),
      ),
    ).toEqual([PolicyRule.protectsDescendant]);
  });

  it.each([
    "events/2024/keeper",
    "events/2024/kee",
    "events/2024/other",
    "events/2025/keep",
    "events/20",
  ])("allows %j, a sibling or look-alike of the protected path", (path) => {
    expect(rulesBroken(policy, subject(path))).toEqual([]);
  });

  it("names the protected path in the message", () => {
    const verdict = evaluatePolicy(policy, subject("events/2024"));
    expect(verdict.allowed || verdict.violations[0]?.message).toContain('"events/2024/keep"');
  });

  it("reports protection and ancestry together when both apply", () => {
    const both = policyFor({ protectedPaths: ["events/a", "events/a/b/c"] });
    expect(rulesBroken(both, subject("events/a/b"))).toEqual([
      PolicyRule.protectedPath,
      PolicyRule.protectsDescendant,
    ]);
  });
});

describe("the deletion policy, for protected globs", () => {
  const policy = policyFor({ protectedGlobs: ["events/*/originals"] });

  it.each([
    ["events/2024/originals", PolicyRule.protectedPath],
    ["events/2024/originals/raw", PolicyRule.protectedPath],
    ["events/.hidden/originals", PolicyRule.protectedPath],
    ["events/2024", PolicyRule.protectsDescendant],
  ])("refuses %j: %s", (path, rule) => {
    expect(rulesBroken(policy, subject(path))).toEqual([rule]);
  });

  it.each(["events/2024/thumbnails", "events/2024/thumbnails/x", "events/2024/originals2"])(
    "allows %j, which no match lies in or under",
    (path) => {
      expect(rulesBroken(policy, subject(path))).toEqual([]);
    },
  );

  it("treats ** as 'anything below': every ancestor of a possible match is refused", () => {
    const deep = policyFor({ protectedGlobs: ["events/archive/**/*.keep"] });
    expect(rulesBroken(deep, subject("events/archive"))).toEqual([PolicyRule.protectsDescendant]);
    expect(rulesBroken(deep, subject("events/archive/a/b"))).toEqual([
      PolicyRule.protectsDescendant,
    ]);
    expect(rulesBroken(deep, subject("events/archive/a/x.keep"))).toEqual([
      PolicyRule.protectedPath,
    ]);
    expect(rulesBroken(deep, subject("events/live/a"))).toEqual([]);
  });

  it("refuses every deletion when a glob starts with **, since any directory may hold a match", () => {
    const everywhere = policyFor({ protectedGlobs: ["**/.keep"] });
    expect(rulesBroken(everywhere, subject("events/anything"))).toEqual([
      PolicyRule.protectsDescendant,
    ]);
  });

  it("supports braces and character classes within one segment", () => {
    const braces = policyFor({ protectedGlobs: ["events/{2023,2024}/[a-c]*"] });
    expect(rulesBroken(braces, subject("events/2024/best"))).toEqual([PolicyRule.protectedPath]);
    expect(rulesBroken(braces, subject("events/2024/zoo"))).toEqual([]);
    expect(rulesBroken(braces, subject("events/2022"))).toEqual([]);
    expect(rulesBroken(braces, subject("events/2023"))).toEqual([PolicyRule.protectsDescendant]);
  });
});

describe("the deletion policy, for album spaces", () => {
  const albums = policyFor({
    spaces: ["-", "albums"],
    allowedPrefixes: [],
    albumSpaces: ["albums"],
  });

  it("allows deleting a top-level album of an album space", () => {
    expect(evaluatePolicy(albums, subject("2024-07 Beach trip", { spaceId: "albums" }))).toEqual({
      allowed: true,
    });
  });

  it("does not allow top-level directories of other spaces", () => {
    const verdict = evaluatePolicy(albums, subject("users", { spaceId: "-" }));
    expect(verdict.allowed).toBe(false);
    if (!verdict.allowed)
      expect(verdict.violations.map(({ rule }) => rule)).toEqual(["prefix-not-allowed"]);
  });

  it("does not allow anything below an album: albums do not nest", () => {
    expect(
      evaluatePolicy(albums, subject("2024-07 Beach trip/x", { spaceId: "albums" })).allowed,
    ).toBe(false);
  });

  it("still protects a protected album", () => {
    const guarded = policyFor({
      spaces: ["albums"],
      allowedPrefixes: [],
      albumSpaces: ["albums"],
      protectedPaths: ["Wedding"],
    });
    const verdict = evaluatePolicy(guarded, subject("Wedding", { spaceId: "albums" }));
    expect(verdict.allowed).toBe(false);
    if (!verdict.allowed)
      expect(verdict.violations.map(({ rule }) => rule)).toEqual(["protected-path"]);
  });
});

describe("the deletion policy, for depth", () => {
  it("refuses a path shallower than minDepth, even when it is an allowed path", () => {
    const policy = policyFor({ allowedPaths: ["users"], minDepth: 2 });
    expect(rulesBroken(policy, subject("users"))).toEqual([PolicyRule.pathTooShallow]);
  });

  it("allows a top-level directory only when named in allowedPaths under the default minDepth of 1", () => {
    expect(rulesBroken(policyFor(), subject("users"))).toEqual([PolicyRule.prefixNotAllowed]);
    expect(rulesBroken(policyFor({ allowedPaths: ["users"] }), subject("users"))).toEqual([]);
  });

  it("refuses a path deeper than maxDepth and allows one exactly at it", () => {
    const policy = policyFor({ maxDepth: 3 });
    expect(rulesBroken(policy, subject("events/a/b"))).toEqual([]);
    expect(rulesBroken(policy, subject("events/a/b/c"))).toEqual([PolicyRule.pathTooDeep]);
  });
});

describe("the deletion policy, for permanent deletion", () => {
  it("refuses permanent deletion by default, and allows the same job to use the recycle bin", () => {
    expect(rulesBroken(policyFor(), subject("events/a", { permanent: true }))).toEqual([
      PolicyRule.permanentNotAllowed,
    ]);
    expect(rulesBroken(policyFor(), subject("events/a"))).toEqual([]);
  });

  it("allows permanent deletion wherever deletion is allowed when permanentPrefixes is *", () => {
    const policy = policyFor({ permanentPrefixes: "*", allowedPaths: ["scratch"] });
    expect(rulesBroken(policy, subject("events/a", { permanent: true }))).toEqual([]);
    expect(rulesBroken(policy, subject("scratch", { permanent: true }))).toEqual([]);
  });

  it.each([
    ["events/tmp/x", []],
    ["events/tmp/x/y", []],
    ["events/tmp", [PolicyRule.permanentNotAllowed]],
    ["events/tmpX/y", [PolicyRule.permanentNotAllowed]],
    ["events/other", [PolicyRule.permanentNotAllowed]],
  ])("with permanentPrefixes [events/tmp], permanent deletion of %j breaks %j", (path, rules) => {
    const policy = policyFor({ permanentPrefixes: ["events/tmp"] });
    expect(rulesBroken(policy, subject(path, { permanent: true }))).toEqual(rules);
  });
});

describe("the deletion policy, for invalid paths", () => {
  it.each(["", "/", "..", "events/../users", "events/\u0000", "events/x ", "events/%2e%2e"])(
    "refuses %j as an invalid path, whatever the prefixes say",
    (path) => {
      expect(rulesBroken(policyFor(), subject(path))).toEqual([PolicyRule.invalidPath]);
    },
  );
});

describe("the deletion policy, for a job that breaks many rules", () => {
  it("returns every broken rule by name, each once", () => {
    const policy = policyFor({ protectedPaths: ["users/alice/keep"], minDepth: 3 });
    const verdict = evaluatePolicy(
      policy,
      subject("users/alice", { spaceId: "space1", permanent: true }),
    );
    expect(verdict.allowed).toBe(false);
    expect(verdict.allowed || verdict.violations.map((violation) => violation.rule)).toEqual([
      PolicyRule.spaceNotAllowed,
      PolicyRule.pathTooShallow,
      PolicyRule.prefixNotAllowed,
      PolicyRule.protectsDescendant,
      PolicyRule.permanentNotAllowed,
    ]);
    for (const violation of verdict.allowed ? [] : verdict.violations) {
      expect(violation.message.length).toBeGreaterThan(0);
    }
  });
});
