/**
 * Properties of the policy checked against a deliberately naive model: string prefixes with a "/"
 * after them, on paths built from names chosen to collide (`events`, `eventsX`, case and Unicode
 * variants).
 */
import fc from "fast-check";
import picomatch from "picomatch";
import { describe, expect, it } from "vitest";
import { parsePolicy } from "../../../lib/policy/config.ts";
import { evaluatePolicy } from "../../../lib/policy/evaluate.ts";

const names = [
  "events",
  "eventsX",
  "event",
  "Events",
  "a",
  "b",
  "café",
  "cafe\u0301",
  "活动",
  ".hidden",
];
const name = fc.constantFrom(...names);
const path = fc.array(name, { minLength: 1, maxLength: 4 }).map((segments) => segments.join("/"));
const fold = (text: string) => text.normalize("NFC").toLowerCase();

const library = fc.record({
  allowedPrefixes: fc.array(path, { maxLength: 3 }),
  allowedPaths: fc.array(path, { maxLength: 2 }),
  protectedPaths: fc.array(path, { maxLength: 3 }),
  permanentPrefixes: fc.oneof(fc.constant("*" as const), fc.array(path, { maxLength: 2 })),
});

const job = fc.record({ path, permanent: fc.boolean() });

describe("the deletion policy, as a property", () => {
  it("never allows a path outside the allowed prefixes and paths, in or above a protected path, or permanent where it may not be", () => {
    fc.assert(
      fc.property(library, job, (config, { path: jobPath, permanent }) => {
        const policy = parsePolicy({ libraries: { smh1: { spaces: "*", ...config } } });
        const verdict = evaluatePolicy(policy, {
          libraryId: "smh1",
          spaceId: "-",
          path: jobPath,
          permanent,
        });

        const underAllowed =
          config.allowedPrefixes.some((prefix) => jobPath.startsWith(`${prefix}/`)) ||
          config.allowedPaths.includes(jobPath);
        const touchesProtected = config.protectedPaths.some((protectedPath) => {
          const [ours, theirs] = [fold(jobPath), fold(protectedPath)];
          return ours === theirs || ours.startsWith(`${theirs}/`) || theirs.startsWith(`${ours}/`);
        });
        const permanentOk =
          !permanent ||
          config.permanentPrefixes === "*" ||
          config.permanentPrefixes.some((prefix) => jobPath.startsWith(`${prefix}/`));

        // The model and the policy agree both ways: nothing unsafe is allowed, nothing safe refused.
        expect(verdict.allowed).toBe(underAllowed && !touchesProtected && permanentOk);
      }),
      { numRuns: 2000 },
    );
  });

  it("never allows deleting a path below which a protected glob could match", () => {
    const segmentPattern = fc.constantFrom("*", "events", "a*", "{a,b}", "café", "**");
    const glob = fc
      .array(segmentPattern, { minLength: 1, maxLength: 3 })
      .map((parts) => parts.join("/"));
    const below = fc.array(name, { minLength: 0, maxLength: 3 });
    fc.assert(
      fc.property(glob, path, below, (pattern, jobPath, suffix) => {
        const policy = parsePolicy({
          libraries: {
            smh1: {
              spaces: "*",
              allowedPrefixes: names,
              allowedPaths: names,
              protectedGlobs: [pattern],
            },
          },
        });
        const verdict = evaluatePolicy(policy, {
          libraryId: "smh1",
          spaceId: "-",
          path: jobPath,
          permanent: false,
        });
        if (!verdict.allowed) return;
        // Nothing the job would delete — the path or anything below it — may match the glob.
        const deleted = [jobPath, ...suffix].join("/").normalize("NFC");
        const prefixes = deleted
          .split("/")
          .map((_, index, all) => all.slice(0, index + 1).join("/"));
        const matches = picomatch(pattern.normalize("NFC"), { dot: true, nocase: true });
        for (const candidate of prefixes.slice(jobPath.split("/").length - 1)) {
          expect(matches(candidate), `${candidate} matches ${pattern}`).toBe(false);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
