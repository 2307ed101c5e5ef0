import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  encodePath,
  InvalidPathError,
  isRootPath,
  MAX_SEGMENT_LENGTH,
  normalizePath,
  PathProblem,
  samePath,
  toSegments,
} from "../../../lib/smh/paths.ts";

// biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters is the point.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;

/** Strings made of the pieces that make paths dangerous, mixed with arbitrary text. */
const pathLike = fc
  .array(
    fc.oneof(
      fc.constantFrom("/", "//", ".", "..", " ", "\t", "\u0000", "\n", "\u007f", "\u0085", "%2F"),
      fc.string({ unit: "binary", maxLength: 8 }),
      fc.constantFrom("a", "相册", "🎉", "#", "?", "%", "+", "a b"),
    ),
    { maxLength: 12 },
  )
  .map((parts) => parts.join(""));

/** Segments that make a valid path: anything but `/`, `.`/`..`, control characters, blanks. */
const validSegment = fc
  .string({ unit: "binary", minLength: 1, maxLength: 20 })
  .map((segment) => segment.replaceAll("/", "_"))
  .filter((segment) => segment !== "." && segment !== ".." && !CONTROL.test(segment))
  .filter((segment) => segment.trim() !== "");

describe("normalizePath", () => {
  it("collapses slashes and trims surrounding whitespace", () => {
    expect(normalizePath(" /events//2024/ ")).toBe("events/2024");
    expect(toSegments("a///b/")).toEqual(["a", "b"]);
  });

  it.each([
    ["", PathProblem.empty],
    ["   ", PathProblem.empty],
    ["/", PathProblem.root],
    ["///", PathProblem.root],
    ["a/./b", PathProblem.dotSegment],
    ["a/..", PathProblem.dotSegment],
    ["a\u0000b", PathProblem.controlCharacter],
    ["a\nb", PathProblem.controlCharacter],
    ["a\u0085b", PathProblem.controlCharacter],
    [`a/${"x".repeat(MAX_SEGMENT_LENGTH + 1)}`, PathProblem.segmentTooLong],
  ])("refuses %j (%s)", (input, problem) => {
    expect(() => normalizePath(input)).toThrow(InvalidPathError);
    try {
      normalizePath(input);
    } catch (error) {
      expect((error as InvalidPathError).problem).toBe(problem);
    }
  });

  it("counts a segment's length in characters, not UTF-16 units", () => {
    expect(normalizePath("🎉".repeat(MAX_SEGMENT_LENGTH))).toHaveLength(MAX_SEGMENT_LENGTH * 2);
  });

  it("never yields an empty, root, dot-segment or control-character path", () => {
    fc.assert(
      fc.property(pathLike, (input) => {
        let normalized: string;
        try {
          normalized = normalizePath(input);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidPathError);
          return;
        }
        expect(normalized).not.toBe("");
        expect(isRootPath(normalized)).toBe(false);
        expect(normalized.startsWith("/") || normalized.endsWith("/")).toBe(false);
        expect(normalized).not.toContain("//");
        for (const segment of normalized.split("/")) {
          expect(segment === "." || segment === "..").toBe(false);
        }
        expect(CONTROL.test(normalized)).toBe(false);
        expect(normalizePath(normalized)).toBe(normalized);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("isRootPath", () => {
  it("accepts only the root", () => {
    expect(["", "/", " // "].map(isRootPath)).toEqual([true, true, true]);
    expect(["a", "/a/", "\u0000", "\n/"].map(isRootPath)).toEqual([false, false, false, false]);
  });
});

describe("encodePath", () => {
  it.each([
    ["a b/c", "a%20b/c"],
    ["相册/2024", "%E7%9B%B8%E5%86%8C/2024"],
    ["#tag/?q", "%23tag/%3Fq"],
    ["50%/a+b", "50%25/a%2Bb"],
    ["🎉/x", "%F0%9F%8E%89/x"],
  ])("encodes %j as %j", (path, encoded) => {
    expect(encodePath(path)).toBe(encoded);
  });

  it("round-trips any valid path through a URL", () => {
    fc.assert(
      fc.property(fc.array(validSegment, { minLength: 1, maxLength: 5 }), (segments) => {
        const path = normalizePath(segments.join("/"));
        const encoded = encodePath(path);
        const url = new URL(`https://smh.example/api/v1/directory/lib/-/${encoded}`);
        expect(url.pathname).toBe(`/api/v1/directory/lib/-/${encoded}`);
        expect(url.search).toBe("");
        expect(url.hash).toBe("");
        const decoded = encoded.split("/").map(decodeURIComponent).join("/");
        expect(decoded).toBe(path);
        expect(samePath(toSegments(decoded), path)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("samePath", () => {
  it("compares SMH's segments with a normalised path", () => {
    expect(samePath(["events", "2024"], "events/2024")).toBe(true);
    expect(samePath(["events", "2024", "a"], "events/2024")).toBe(false);
  });
});
