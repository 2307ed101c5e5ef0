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

/**
 * Segments that make a valid path to delete: anything but `/`, `\\`, `%`, `.`/`..`, control and
 * invisible characters, and whitespace at the ends.
 */
const validSegment = fc
  .string({ unit: "binary", minLength: 1, maxLength: 20 })
  .map((segment) => segment.replace(/[/\\%]/g, "_"))
  .filter((segment) => segment !== "." && segment !== ".." && !CONTROL.test(segment))
  .filter((segment) => !/^\p{White_Space}|\p{White_Space}$/u.test(segment))
  .filter((segment) => !/[\p{Default_Ignorable_Code_Point}\p{Cf}\p{Zl}\p{Zp}]/u.test(segment));

describe("normalizePath", () => {
  it("drops slashes at either end and repeated slashes, and nothing else", () => {
    expect(normalizePath("/events//2024/")).toBe("events/2024");
    expect(toSegments("a///b/")).toEqual(["a", "b"]);
    expect(normalizePath("活动/2024 夏天/a#b?c+e/🎉/100%/%E4%B8%AD")).toBe(
      "活动/2024 夏天/a#b?c+e/🎉/100%/%E4%B8%AD",
    );
    expect(normalizePath("summer\u00a0party/x y")).toBe("summer\u00a0party/x y");
  });

  it("keeps emoji sequences, whose joiners and variation selectors are part of the picture", () => {
    for (const name of ["❤️ 2024", "👨‍👩‍👧 family", "1️⃣ first", "🏳️‍🌈"]) {
      expect(normalizePath(`albums/${name}`)).toBe(`albums/${name}`);
    }
  });

  it.each([
    ["scratch/1 ", PathProblem.edgeWhitespace],
    [" scratch/1", PathProblem.edgeWhitespace],
    ["\u00a0scratch/2\u3000", PathProblem.edgeWhitespace],
    ["scratch/\u2003/x", PathProblem.edgeWhitespace],
    ["   ", PathProblem.edgeWhitespace],
    ["projects/apollo\u200b", PathProblem.invisibleCharacter],
    ["projects/apo\u200dllo", PathProblem.invisibleCharacter],
    ["projects/\u202eollopa", PathProblem.invisibleCharacter],
    ["projects/\u2066apollo\u2069", PathProblem.invisibleCharacter],
    ["projects/\ufeffapollo", PathProblem.invisibleCharacter],
    ["projects/apollo\ufe0f", PathProblem.invisibleCharacter],
    ["projects/apol\u00adlo", PathProblem.invisibleCharacter],
    ["projects/apollo\u{e0061}", PathProblem.invisibleCharacter],
    ["projects/apollo\u2028", PathProblem.invisibleCharacter],
    ["projects\\apollo", PathProblem.backslash],
    ["scratch/%2e%2e/projects/apollo", PathProblem.encodedDotSegment],
    ["scratch/%2E", PathProblem.encodedDotSegment],
    ["scratch/.%2e", PathProblem.encodedDotSegment],
    ["scratch/%252e%252e", PathProblem.encodedDotSegment],
    ["scratch/..%2Fprojects%2Fapollo", PathProblem.encodedSeparator],
    ["scratch/a%5Cb", PathProblem.encodedSeparator],
    ["scratch/a%252Fb", PathProblem.encodedSeparator],
    ["scratch/a%00b", PathProblem.encodedControlCharacter],
    ["scratch/%C0%AE%C0%AE", PathProblem.encodedDotSegment],
    ["scratch/%c0%ae%c0%ae%c0%afprojects", PathProblem.encodedSeparator],
    ["scratch/..%E0%80%AFprojects", PathProblem.encodedSeparator],
    ["scratch/..%c1%9c", PathProblem.encodedSeparator],
    ["scratch/a%0Ab", PathProblem.encodedControlCharacter],
  ])("refuses the look-alike %j to delete (%s), but reads it as a name", (input, problem) => {
    expect(() => normalizePath(input)).toThrow(InvalidPathError);
    try {
      normalizePath(input);
    } catch (error) {
      expect((error as InvalidPathError).problem).toBe(problem);
    }
    if (input.trim() !== "")
      expect(normalizePath(input, "read")).toBe(toSegments(input, "read").join("/"));
  });

  it("says, for a look-alike, what to send instead", () => {
    const messageOf = (input: string) => {
      try {
        normalizePath(input);
      } catch (error) {
        return (error as Error).message;
      }
      throw new Error(`${input} was accepted`);
    };
    expect(messageOf("scratch/1 ")).toBe(
      'segment 2 ("1 ") begins or ends with whitespace. Names are taken exactly as written: this names a directory whose name has that whitespace, not the trimmed one. If you mean "scratch/1", send that',
    );
    expect(messageOf("projects/apollo\u200b")).toContain(
      'segment 2 ("apollo\\u200B") contains U+200B, an invisible character',
    );
    expect(messageOf("projects/apollo\u200b")).toContain(
      'If you mean "projects/apollo", send that',
    );
    expect(messageOf("a\\b")).toContain('If you mean "a/b", send that');
    expect(messageOf("scratch/%2e%2e/projects/apollo")).toContain('percent-decodes to ".."');
    expect(messageOf("scratch/%2e%2e/projects/apollo")).not.toContain("If you mean");
    expect(messageOf("\u3000")).toContain('segment 1 ("\\u3000") is blank');
  });

  it.each([
    ["", PathProblem.empty],
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

  it("never yields an empty, root, dot-segment, control-character or look-alike path", () => {
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
        expect(normalized).not.toContain("\\");
        expect(normalizePath(normalized)).toBe(normalized);
        // The only rewriting: slashes.
        expect(normalized).toBe(
          input
            .split("/")
            .filter((s) => s !== "")
            .join("/"),
        );
      }),
      { numRuns: 2000 },
    );
  });
});

describe("isRootPath", () => {
  it("accepts only the root: nothing, or only slashes", () => {
    expect(["", "/", "//"].map(isRootPath)).toEqual([true, true, true]);
    expect(["a", "/a/", "\u0000", "\n/", " ", " // "].map(isRootPath)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
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
