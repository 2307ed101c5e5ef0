import { describe, expect, it } from "vitest";
import { z } from "zod";
import { compileGlob, GlobError } from "../../../lib/glob/glob.ts";
import { NamePatternSchema } from "../../../lib/retention/patterns.ts";
import { compileRegex, RegexError } from "../../../lib/retention/regex.ts";

describe("a name glob", () => {
  it.each([
    ["2019-*", "2019-summer", true],
    ["2019-*", "2019-", true],
    ["2019-*", "x2019-summer", false],
    ["2019-*", "2020-summer", false],
    ["tmp-??", "tmp-ab", true],
    ["tmp-??", "tmp-abc", false],
    ["tmp-??", "tmp-活动", true],
    ["[0-9][0-9]-*", "12-party", true],
    ["[0-9][0-9]-*", "1a-party", false],
    ["[!a-z]*", "Party", true],
    ["[!a-z]*", "party", false],
    ["[^a-z]*", "party", false],
    ["{draft,tmp}-*", "draft-1", true],
    ["{draft,tmp}-*", "tmp-1", true],
    ["{draft,tmp}-*", "final-1", false],
    ["{a,b{c,d}}x", "bdx", true],
    ["*", ".hidden", true],
    ["a\\*b", "a*b", true],
    ["a\\*b", "axb", false],
    ["*-keep", "2019-keep", true],
    ["*-keep", "2019-KEEP", false],
    ["*.*", "2019.summer", true],
    ["2019.*", "2019x", false],
  ])("%j against %j is %s", (pattern, name, expected) => {
    expect(compileGlob(pattern)(name)).toBe(expected);
  });

  it("with ignoreCase compares letters without case", () => {
    expect(compileGlob("*-keep", true)("2019-KEEP")).toBe(true);
    expect(compileGlob("[a-c]*", true)("Banana")).toBe(true);
  });

  it("matches names in Unicode NFC, whichever form either was written in", () => {
    expect(compileGlob("café-*")("cafe\u0301-2019")).toBe(true);
    expect(compileGlob("cafe\u0301-*")("café-2019")).toBe(true);
  });

  it.each([
    ["", "empty"],
    ["a/b", "cannot contain '/'"],
    ["!2019-*", "exclude"],
    ["[a-z", "never closed"],
    ["{a,b", "never closed"],
    ["{a}", "at least one ','"],
    ["a}", "without a matching"],
    ["[]", "empty set"],
    ["[z-a]", "backwards"],
    ["a\\", "lone"],
    ["a\u0000b", "control character"],
    ["{a,b}{c,d}{e,f}{g,h}{i,j}{k,l}{m,n}", "more than 64 alternatives"],
  ])("refuses %j (%s)", (pattern, message) => {
    expect(() => compileGlob(pattern)).toThrow(GlobError);
    expect(() => compileGlob(pattern)).toThrow(message);
  });

  it("decides many stars against a long name, which a backtracking glob would take minutes for", () => {
    // picomatch needs ~30 s for five stars on this name; this matcher is O(name × pattern), so
    // a regression to backtracking shows up as the test timing out.
    const name = "a".repeat(255);
    expect(compileGlob("*a*a*a*a*a*a*a*a*x")(name)).toBe(false);
    expect(compileGlob("*a*a*a*a*a*a*a*a*a")(name)).toBe(true);
  });
});

describe("a name regex", () => {
  it.each([
    ["^2019-", "2019-party", true],
    ["^2019-", "x2019-party", false],
    ["2019", "photos-2019-keep", true],
    ["^\\d{4}-\\d{2}-\\d{2}$", "2019-05-12", true],
    ["^\\d+-\\d+$", "12-345", true],
    ["-(old|archive)$", "x-archive", true],
    ["^img(-old)?$", "img", true],
    ["^(?<year>\\d{4})-", "2019-x", true],
    ["^\\p{Script=Han}+$", "活动", true],
  ])("%j against %j is %s", (source, name, expected) => {
    expect(compileRegex(source).test(name)).toBe(expected);
  });

  it("with ignoreCase compares letters without case", () => {
    expect(compileRegex("keep$", true).test("2019-KEEP")).toBe(true);
    expect(compileRegex("keep$").test("2019-KEEP")).toBe(false);
  });

  it.each([
    ["", "empty regex matches every name"],
    ["(", "not a valid regex"],
    ["a{", "not a valid regex"],
    ["x".repeat(257), "at most 256"],
    ["(a)\\1", "backreferences"],
    ["(?<y>a)\\k<y>", "backreferences"],
    ["^(?=2019)", "lookaround"],
    ["^(?!keep)", "lookaround"],
    ["(?<=x)a", "lookaround"],
    ["(?<!x)a", "lookaround"],
    ["(a+)+$", "too ambiguous"],
    ["^(\\w+\\s?)*$", "too ambiguous"],
    ["\\d+\\d+\\d+x", "too ambiguous"],
    [".*a.*a.*a.*x", "too ambiguous"],
    ["(a|b)*", "too ambiguous"],
    ["a?".repeat(17) + "a".repeat(17), "too ambiguous"],
    [`${"(a|a)?".repeat(20)}b`, "too ambiguous"],
    ["[a-z]{1,200}[a-z]{1,200}[a-z]{1,200}", "too ambiguous"],
  ])("refuses %j (%s)", (source, message) => {
    expect(() => compileRegex(source)).toThrow(RegexError);
    expect(() => compileRegex(source)).toThrow(message);
  });

  it("lets through at most two unbounded repetitions in a row (256 × 256 ways)", () => {
    expect(compileRegex("\\d+\\d+x").test("1".repeat(255))).toBe(false);
    expect(() => compileRegex("\\d+\\d+\\d+x")).toThrow("too ambiguous");
  });

  it.each([
    ["two unbounded repetitions", "^\\d+-\\d+$"],
    ["a repeated group with one way through", "^(ab)+$"],
    ["an optional group", "^img(-\\d+)?$"],
    ["escaped metacharacters", "^a\\(b\\)\\*c\\{2\\}$"],
    ["a class with quantifier characters inside", "^[*+?{}()|]+$"],
    ["a modifier group", "^(?i:tmp)-\\d+$"],
  ])("accepts %s", (_label, source) => {
    expect(() => compileRegex(source)).not.toThrow();
  });
});

describe("a name pattern in a rule", () => {
  const parse = (pattern: unknown) => z.array(NamePatternSchema).safeParse([pattern]);

  it("is a glob when written as a string, a regex only when written { regex }", () => {
    const [glob] = NamePatternSchema.array().parse(["2019.*"]);
    const [regex] = NamePatternSchema.array().parse([{ regex: "2019.*" }]);
    expect(glob?.kind).toBe("glob");
    expect(glob?.test("2019x")).toBe(false);
    expect(regex?.kind).toBe("regex");
    expect(regex?.test("2019x")).toBe(true);
  });

  it("names its own problem, not a union error, when a glob or regex is invalid", () => {
    expect(parse("a/b").error?.issues[0]?.message).toContain("invalid glob");
    expect(parse({ regex: "(a+)+$" }).error?.issues[0]?.message).toContain("too ambiguous");
  });

  it("refuses any other shape, and unknown keys", () => {
    expect(parse(3).error?.issues[0]?.message).toContain("must be a glob string");
    expect(parse({ regex: "x", flags: "g" }).success).toBe(false);
    expect(parse({ glob: "x", ignoreCase: "yes" }).success).toBe(false);
  });
});
