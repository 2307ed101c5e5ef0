import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Simulator } from "../../lib/sim/simulator.ts";
import {
  encodePath,
  InvalidPathError,
  isRootPath,
  normalizePath,
  PathProblem,
  toSegments,
} from "../../lib/smh/paths.ts";
import { allPages, contractClient, rejectionOf } from "./helpers/client.ts";
import {
  callsOf,
  LIB,
  OTHER_SPACE,
  SPACE,
  startContractSimulator,
  unique,
} from "./helpers/simulator.ts";

// biome-ignore lint/suspicious/noControlCharactersInRegex: the property is about control characters.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;

/** Segments chosen to hit every rule: dots, blanks, slashes, escapes, controls, surrogates. */
const trickySegment = fc.oneof(
  fc.constantFrom(
    "",
    ".",
    "..",
    "...",
    " ",
    " .. ",
    "/",
    "//",
    "%2e%2e",
    "%2F",
    "\\",
    "\t",
    "\u0000",
    "\u0085",
    "\ud800",
    "\udfff",
    "🎉",
    "中文",
    "a b",
    "#?&=+",
  ),
  fc.string({ unit: "binary", maxLength: 8 }),
  fc.string({ unit: "grapheme", maxLength: 8 }),
);

/** Strings shaped like paths: tricky segments joined by slashes, with noise around. */
const pathLike = fc.oneof(
  fc
    .tuple(
      fc.constantFrom("", " ", "/", " / ", "//"),
      fc.array(trickySegment, { maxLength: 6 }),
      fc.constantFrom("", " ", "/", " / "),
    )
    .map(([before, segments, after]) => `${before}${segments.join("/")}${after}`),
  fc.string({ unit: "binary", maxLength: 40 }),
);

/** The normalised path, or the refusal. Any other exception fails the property. */
function normalised(input: string): string | InvalidPathError {
  try {
    return normalizePath(input);
  } catch (error) {
    if (error instanceof InvalidPathError) return error;
    throw error;
  }
}

describe("path normalisation (fast-check)", () => {
  it("never yields an empty, root or traversing path, a control character or a lone surrogate", () => {
    fc.assert(
      fc.property(pathLike, (input) => {
        const result = normalised(input);
        if (result instanceof InvalidPathError) return;
        const segments = toSegments(input);
        expect(result).not.toBe("");
        expect(isRootPath(result)).toBe(false);
        expect(segments.length).toBeGreaterThan(0);
        for (const segment of segments) {
          expect(segment).not.toBe("");
          expect(segment).not.toBe(".");
          expect(segment).not.toBe("..");
          expect(segment).not.toContain("/");
        }
        expect(CONTROL.test(result)).toBe(false);
        expect(result.isWellFormed()).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it("is idempotent, and toSegments, normalizePath and encodePath agree", () => {
    fc.assert(
      fc.property(pathLike, (input) => {
        const result = normalised(input);
        if (result instanceof InvalidPathError) {
          expect(() => toSegments(input)).toThrow(InvalidPathError);
          expect(() => encodePath(input)).toThrow(InvalidPathError);
          return;
        }
        expect(normalizePath(result)).toBe(result);
        expect(toSegments(result)).toEqual(toSegments(input));
        expect(toSegments(input).join("/")).toBe(result);
        expect(encodePath(input)).toBe(encodePath(result));
      }),
      { numRuns: 3000 },
    );
  });

  it("refuses every path with a '.' or '..' segment, wherever it stands", () => {
    // Names that are fine on their own, so the dots are the path's only problem.
    const fine = fc
      .string({ unit: "grapheme-ascii", minLength: 1, maxLength: 5 })
      .filter((name) => !(normalised(name) instanceof InvalidPathError) && !name.includes("/"));
    const withDots = fc
      .tuple(
        fc.array(fine, { maxLength: 3 }),
        fc.constantFrom(".", ".."),
        fc.array(fine, { maxLength: 3 }),
        fc.constantFrom("", "/", "//", "///"),
      )
      .map(
        ([before, dots, after, edge]) => `${edge}${[...before, dots, ...after].join("/")}${edge}`,
      );
    fc.assert(
      fc.property(withDots, (input) => {
        const result = normalised(input);
        expect(result).toBeInstanceOf(InvalidPathError);
        expect((result as InvalidPathError).problem).toBe(PathProblem.dotSegment);
      }),
      { numRuns: 2000 },
    );
  });

  it("encodes every segment to unreserved characters and percent escapes only", () => {
    fc.assert(
      fc.property(pathLike, (input) => {
        const result = normalised(input);
        if (result instanceof InvalidPathError) return;
        const encoded = encodePath(result);
        expect(encoded).toMatch(/^(?:[A-Za-z0-9\-_.!~*'()/]|%[0-9A-F]{2})+$/);
        expect(encoded.split("/").map(decodeURIComponent)).toEqual(toSegments(result));
      }),
      { numRuns: 3000 },
    );
  });
});

describe("path encoding through the simulator's decoding (real HTTP, fast-check)", () => {
  let sim: Simulator;

  beforeAll(async () => {
    sim = await startContractSimulator();
  });
  afterAll(async () => {
    await sim.close();
  });

  /** A name the client reads as one segment in the middle of a path. */
  const name = fc
    .oneof(
      fc.string({ unit: "grapheme", minLength: 1, maxLength: 12 }),
      fc.string({ unit: "binary", minLength: 1, maxLength: 12 }),
      fc.constantFrom("%", "%25", "%2F", "+", " ", "#", "?", "&", "=", "'", '"', "...", "🎉"),
    )
    .filter((candidate) => {
      try {
        const segments = toSegments(`x/${candidate}/y`, "read");
        return segments.length === 3 && segments[1] === candidate;
      } catch {
        return false;
      }
    });

  it("reaches exactly the directory it names, for arbitrary unicode names", async () => {
    const { client } = contractClient(sim);
    await fc.assert(
      fc.asyncProperty(name, async (dirName) => {
        const base = unique("prop");
        const path = `${base}/${dirName}/leaf`;
        sim.createDirectory(LIB, SPACE, path);

        const { info } = await client.directoryInfo({ libraryId: LIB, spaceId: SPACE, path });
        const entries = (
          await allPages(client.listDirectory({ libraryId: LIB, spaceId: SPACE, path: base }))
        ).flatMap((page) => page.entries);

        expect(info.path).toBe(path);
        expect(entries.map((entry) => entry.name)).toEqual([dirName]);
        expect(sim.tree(LIB, SPACE, base)?.children?.map((child) => child.name)).toEqual([dirName]);
      }),
      { numRuns: 150 },
    );
  });

  it("sends nothing for a path it refuses, and exactly one delete for any other", async () => {
    const { client } = contractClient(sim);
    await fc.assert(
      fc.asyncProperty(pathLike, async (input) => {
        const before = callsOf(sim, "directory.delete");
        const refused = normalised(input) instanceof InvalidPathError;

        const outcome = await rejectionOf(
          client.deleteDirectory({ libraryId: LIB, spaceId: OTHER_SPACE, path: input }),
        ).catch(() => "deleted");

        if (refused) {
          expect(outcome).toBeInstanceOf(InvalidPathError);
          expect(callsOf(sim, "directory.delete")).toBe(before);
        } else {
          // The space is empty: whatever the path, SMH finds nothing there to delete.
          expect(outcome).toMatchObject({ kind: "notFound" });
          expect(callsOf(sim, "directory.delete")).toBe(before + 1);
        }
      }),
      { numRuns: 200 },
    );
  });
});
