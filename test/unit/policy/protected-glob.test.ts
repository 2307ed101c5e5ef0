// Protected globs read in the product's glob dialect (docs/globs.md), loosely, and at least as
// widely as the picomatch reading they replaced: where the two differ, the protected reading
// protects what either meant, or the policy refuses the pattern when it loads.
import { describe, expect, it } from "vitest";
import { parsePolicy } from "../../../lib/policy/config.ts";
import {
  compileProtectedGlob,
  ProtectedGlobError,
  Protection,
} from "../../../lib/policy/protection.ts";

/** How a protected glob touches `path` (written with `/`). */
const protection = (pattern: string, path: string, ignoreCase = true) =>
  compileProtectedGlob(pattern, { ignoreCase }).protectionOf(path.split("/"));

describe("a protected glob, in the glob dialect", () => {
  it.each([
    ["events/*/originals", "events/2024/originals", Protection.covered],
    ["events/*/originals", "events/2024/originals/raw", Protection.covered],
    ["events/*/originals", "events/2024", Protection.ancestor],
    ["events/*/originals", "events/2024/thumbnails", undefined],
    ["events/{2023,2024}/keep", "events/2023/keep", Protection.covered],
    ["events/{2023,2024}/keep", "events/2022", undefined],
    ["events/[0-9][0-9]*", "events/2024", Protection.covered],
    ["events/[0-9][0-9]*", "events/x2024", undefined],
    ["events/[^a]*", "events/b", Protection.covered],
    ["events/[^a]*", "events/a", undefined],
    ["events/\\*", "events/*", Protection.covered],
    ["events/\\*", "events/x", undefined],
    ["events/*", "events/.hidden", Protection.covered],
  ])("%j: deleting %j is %s", (pattern, path, expected) => {
    expect(protection(pattern, path)).toBe(expected);
  });

  it("reads ** alone between slashes as any depth, none included, segment by segment for ancestors", () => {
    const glob = "archive/**/*.keep";
    expect(protection(glob, "archive/x.keep")).toBe(Protection.covered);
    expect(protection(glob, "archive/a/b/c/x.keep")).toBe(Protection.covered);
    expect(protection(glob, "archive/a/b")).toBe(Protection.ancestor);
    expect(protection(glob, "archive")).toBe(Protection.ancestor);
    expect(protection(glob, "live/a")).toBeUndefined();
    expect(protection("archive/**", "archive")).toBe(Protection.covered);
    expect(protection("**/.keep", "any/where")).toBe(Protection.ancestor);
  });

  it("counts ? as one character, an emoji or an accented letter in either Unicode form", () => {
    expect(protection("tmp-?", "tmp-😀")).toBe(Protection.covered);
    expect(protection("tmp-?", "tmp-e\u0301")).toBe(Protection.covered);
    expect(protection("tmp-?", "tmp-ab")).toBeUndefined();
  });

  it("matches whatever the letter case, ς and σ, İ and i̇ included, unless protectionIgnoresCase is off", () => {
    expect(protection("events/ODOS-*", "events/odos-1")).toBe(Protection.covered);
    expect(protection("events/οδος*", "events/ΟΔΟΣΑ")).toBe(Protection.covered);
    expect(protection("events/οδος*", "events/οδοσα")).toBe(Protection.covered);
    expect(protection("events/??", "events/İa")).toBe(Protection.covered);
    expect(protection("events/straße", "events/STRASSE")).toBe(Protection.covered);
    expect(protection("events/ODOS-*", "events/odos-1", false)).toBeUndefined();
  });
});

describe("a protected glob, where picomatch's reading differed, protects what either meant", () => {
  it("still counts characters as UTF-16 units too: tmp-?? keeps protecting tmp-😀", () => {
    expect(protection("tmp-??", "tmp-😀")).toBe(Protection.covered);
    expect(protection("tmp-??", "tmp-ab")).toBe(Protection.covered);
  });

  it("lets a [...] match its own text too: a bracket pasted from a name protects that name", () => {
    expect(protection("albums/Photos [2019]/*", "albums/Photos [2019]/raw")).toBe(
      Protection.covered,
    );
    expect(protection("albums/Photos [2019]/*", "albums/Photos 2/raw")).toBe(Protection.covered);
    expect(protection("albums/Photos [2019]/*", "albums/Photos [2019]")).toBe(Protection.ancestor);
    expect(protection("albums/*[keep]*", "albums/a [keep] b")).toBe(Protection.covered);
  });

  it("lets each segment match its own spelling: {2019,2020} protects the directory named so", () => {
    expect(protection("albums/Best of {2019,2020}", "albums/Best of {2019,2020}")).toBe(
      Protection.covered,
    );
    expect(protection("albums/Best of {2019,2020}", "albums/Best of 2020")).toBe(
      Protection.covered,
    );
    expect(protection("{a,b}/*/keep", "{a,b}/x")).toBe(Protection.ancestor);
  });
});

describe("a protected glob written in picomatch's syntax is refused when the policy loads", () => {
  it.each([
    ["2019-(a|b)", "\\( and \\)"],
    ["2019-@(a|b)", "extglob"],
    ["2019-!(keep)", "extglob"],
    ["2019-+(a)", "group"],
    ["photos (2019)", "\\( and \\)"],
    ["a|b", "'|'"],
    ['"keep"', "quoted"],
    ["[!a]*", "[^a]"],
    ["2019-[0-9]+", "once or more"],
    ["{a,b}+", "once or more"],
    ["c++", "[+]"],
    ["a$$", "[$]"],
    ["\\d*", "regex class"],
    ["[\\w]", "regex class"],
    ["a\\\\b", "backslash"],
    ["{a..c,x}", "range"],
    ["{1..3}", "range"],
  ])("refuses %j, saying what to write (%s)", (pattern, hint) => {
    expect(() => compileProtectedGlob(pattern)).toThrow(ProtectedGlobError);
    expect(() => compileProtectedGlob(pattern)).toThrow(hint);
  });

  it.each([
    ["**.keep", "whole segment"],
    ["archive/**.bak", "whole segment"],
    ["a**", "whole segment"],
    ["x{**,y}", "whole segment"],
    ["[[:digit:]]", "unexpected ']'"],
    ["{a/b,c}", "must not contain '/'"],
    ["[a/b]", "must not contain '/'"],
    ["a\\/b", "cannot be escaped"],
  ])("refuses %j, which the dialect cannot read as picomatch did (%s)", (pattern, hint) => {
    expect(() => compileProtectedGlob(pattern)).toThrow(ProtectedGlobError);
    expect(() => compileProtectedGlob(pattern)).toThrow(hint);
  });

  it("accepts the dialect's spelling of what picomatch read: escapes, [^a], {a,b}, **/", () => {
    expect(protection("photos \\(2019\\)", "photos (2019)")).toBe(Protection.covered);
    expect(protection("photos \\(2019\\)", "photos 2019")).toBeUndefined();
    expect(protection("c[+][+]", "c++")).toBe(Protection.covered);
    expect(protection("c[+][+]", "c+")).toBeUndefined();
    expect(protection("2019-{a,b}", "2019-a")).toBe(Protection.covered);
    expect(protection("**/*.keep", "a/b/x.keep")).toBe(Protection.covered);
  });

  it("names the glob and the problem in the policy's load error", () => {
    expect(() =>
      parsePolicy({ libraries: { smh1: { spaces: "*", protectedGlobs: ["events/[!a]*"] } } }),
    ).toThrow(
      /libraries\.smh1\.protectedGlobs\.0: \[!a\] means 'any character but a'.*write \[\^a\]/,
    );
  });
});
