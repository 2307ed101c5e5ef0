// The boundaries of the one glob dialect (docs/globs.md) where a glob library would select MORE
// names: a retention rule or `purge-albums --name` selects what gets deleted, so each of these
// characters means only itself, and a name is what a person counts as characters.
import picomatch from "picomatch";
import { describe, expect, it } from "vitest";
import { compileGlob } from "../../../lib/glob/glob.ts";

/** What picomatch (the policy's protected globs) would select, for the comparison in the names. */
const picomatchSelects = (pattern: string, name: string) => picomatch(pattern, { dot: true })(name);

describe("the name glob dialect selects no more than a shell glob says", () => {
  it.each([
    ["2019-(a|b)", "2019-a", "2019-(a|b)"],
    ["2019-@(a|b)", "2019-a", "2019-@(a|b)"],
    ["2019-+(a)", "2019-aa", "2019-+(a)"],
    ["2019-*(a)", "2019-aa", "2019-x(a)"],
    ["2019-!(keep)", "2019-delete", "2019-!(keep)"],
    ["2019-[0-9]+", "2019-12", "2019-1+"],
  ])(
    "%j means its characters: not %j (picomatch would select it), but %j",
    (pattern, wider, literal) => {
      expect(picomatchSelects(pattern, wider)).toBe(true);
      expect(compileGlob(pattern)(wider)).toBe(false);
      expect(compileGlob(pattern)(literal)).toBe(true);
    },
  );

  it("reads [!...] as 'not these characters', as a shell does (picomatch reads '!' or these)", () => {
    expect(compileGlob("[!a]*")("b-2019")).toBe(true);
    expect(compileGlob("[!a]*")("a-2019")).toBe(false);
    expect(compileGlob("[!a]*")("!-2019")).toBe(true);
    expect(picomatchSelects("[!a]*", "b-2019")).toBe(false);
  });

  it("counts characters as people do: ? is one emoji or one accented letter, in either Unicode form", () => {
    expect(compileGlob("tmp-?")("tmp-😀")).toBe(true);
    expect(compileGlob("tmp-?")("tmp-😀😀")).toBe(false);
    expect(compileGlob("tmp-?")("tmp-e\u0301")).toBe(true);
    expect(picomatchSelects("tmp-?", "tmp-😀")).toBe(false);
  });

  it("ignores case one character at a time: Σ, σ and ς are one letter, İ stays one character", () => {
    expect(compileGlob("οδος-*", true)("ΟΔΟΣ-2019")).toBe(true);
    expect(compileGlob("ΟΔΟΣ-*", true)("οδος-2019")).toBe(true);
    expect(compileGlob("İstanbul-*", true)("İSTANBUL-2019")).toBe(true);
    expect(compileGlob("?stanbul", true)("İstanbul")).toBe(true);
    expect(compileGlob("[s]*", true)("ßx")).toBe(false);
    expect(compileGlob("οδος-*")("ΟΔΟΣ-2019")).toBe(false);
  });

  it("refuses what it cannot read exactly rather than guess: ranges, classes, negation", () => {
    for (const pattern of ["{1..3}", "[[:digit:]]*", "!2019-*"]) {
      expect(() => compileGlob(pattern), pattern).toThrow();
    }
  });
});
