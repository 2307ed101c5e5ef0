// Exact paths, as properties (fast-check, fixed seeds), through the real delete pipeline and the
// real SMH client talking HTTP to a scripted SMH on loopback:
//
// 1. For every path the intake accepts, the directory SMH is asked to delete, decoded segment by
//    segment, is the job's path split at its slashes: nothing trimmed, decoded, folded or
//    normalised on the way. Every result repeats the path exactly as the job wrote it.
// 2. For every protected path P and every look-alike of P the generator builds (invisible
//    characters, NFD, compatibility and full-width forms, another case, whitespace at an end,
//    percent-encoded once or twice), a job for it, or for something inside it, is refused before
//    SMH hears a single request.
//
// Characters above U+FFFF (emoji, CJK extension B, tag characters) are covered here: fauxqs refuses
// them in message bodies, so the end-to-end corpus (hostile-jobs.test.ts) carries them escaped.
import fc from "fast-check";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { QueueRecord } from "../../lib/batch/records.ts";
import { type DeletePipeline, processDeleteBatch } from "../../lib/delete/process-batch.ts";
import type { DeletionResult } from "../../lib/messages/deletion-result.ts";
import { parsePolicy } from "../../lib/policy/config.ts";
import { createSmhClient, type SmhClient } from "../../lib/smh/client.ts";
import {
  CapturingParker,
  CapturingPublisher,
  circuitsOf,
  FakeClock,
} from "../unit/batch/factories.ts";
import { testSettings } from "../unit/delete/factories.ts";
import { LIBRARY, SECRET } from "../unit/smh/helpers/client.ts";
import { type ReceivedRequest, SmhTestServer } from "../unit/smh/helpers/smh-test-server.ts";
import { lookAlikeOf, pathBelow, protectedName } from "./look-alikes.ts";

const DIRECTORY = `/api/v1/directory/${LIBRARY}/-/`;
const BATCH = `/api/v1/batch/${LIBRARY}/-`;

let server: SmhTestServer;
let client: SmhClient;
let nextId = 1;

beforeAll(async () => {
  server = await SmhTestServer.start();
  // Any directory: recycled (200). A batch: every item recycled, reported by its segments.
  server.on("DELETE", /^\/api\/v1\/directory\//, () => ({
    status: 200,
    json: { recycledItemId: nextId++ },
  }));
  server.on("POST", BATCH, (request) => ({
    status: 200,
    json: {
      result: (request.body as { path: string }[]).map(({ path }) => ({
        status: 200,
        recycledItemId: nextId++,
        path: path.split("/"),
      })),
    },
  }));
  client = createSmhClient({
    libraries: [{ libraryId: LIBRARY, librarySecret: SECRET, baseUrl: server.url }],
    retry: { baseDelayMs: 5, maxDelayMs: 40 },
    limiter: { initialRate: 5000, maxRate: 10_000, burst: 1000 },
  });
});

afterAll(async () => {
  await server?.close();
});

beforeEach(() => {
  server.requests.length = 0;
});

/** The pipeline the handler runs, over the real client, with `policy`. */
function pipelineWith(
  policy: unknown,
): DeletePipeline & { publisher: CapturingPublisher<DeletionResult> } {
  const clock = new FakeClock();
  const settings = testSettings();
  return {
    smh: client,
    publisher: new CapturingPublisher<DeletionResult>(),
    parker: new CapturingParker(),
    policy: parsePolicy(policy),
    settings,
    circuits: circuitsOf(settings, clock),
  };
}

let messages = 0;
function recordOf(body: Record<string, unknown>): QueueRecord {
  messages += 1;
  return {
    messageId: `m-${messages}`,
    body: JSON.stringify(body),
    receiveCount: 1,
    sentAt: Date.now(),
  };
}

/** The directories SMH was asked to delete, each as its decoded segments. */
function requestedDirectories(requests: readonly ReceivedRequest[]): string[][] {
  const directories: string[][] = [];
  for (const request of requests) {
    if (request.method === "DELETE" && request.rawPath.startsWith(DIRECTORY)) {
      directories.push(request.rawPath.slice(DIRECTORY.length).split("/").map(decodeURIComponent));
    } else if (request.method === "POST" && request.rawPath === BATCH) {
      for (const item of request.body as { path: string }[]) directories.push(item.path.split("/"));
    }
  }
  return directories;
}

/** What a job names: its path split at its slashes, the empty pieces (extra slashes) dropped. */
function segmentsAsWritten(path: string): string[] {
  return path.split("/").filter((segment) => segment !== "");
}

const key = (segments: readonly string[]) => JSON.stringify(segments);

/** The invocation's deadline: far enough that every job is started. */
function aMinuteFromNow(): number {
  return Date.now() + 60_000;
}

describe("exact paths: what the intake accepts is what SMH is asked to delete", () => {
  const policy = { libraries: { [LIBRARY]: { spaces: ["-"], allowedPrefixes: ["p"] } } };

  it("asks SMH for exactly the job's segments, for 1 to 4 jobs at once (single and batch deletes), and reports each path as sent", async () => {
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(pathBelow("p"), { minLength: 1, maxLength: 4 }), async (paths) => {
        server.requests.length = 0;
        const pipeline = pipelineWith(policy);
        const jobIds = paths.map((_, index) => `prop-${messages}-${index}`);
        const records = paths.map((path, index) =>
          recordOf({ v: 1, jobId: jobIds[index], libraryId: LIBRARY, path, source: "prop" }),
        );
        await processDeleteBatch(records, pipeline, aMinuteFromNow());
        const results = pipeline.publisher.published;
        expect(results).toHaveLength(paths.length);
        const expected = new Set<string>();
        for (const [index, path] of paths.entries()) {
          const result = results.find(({ jobId }) => jobId === jobIds[index]);
          expect(result, path).toBeDefined();
          if (result?.outcome === "rejected") continue;
          accepted += 1;
          expect(result?.outcome).toBe("recycled");
          expect(result?.path).toBe(path);
          expect(result?.libraryId).toBe(LIBRARY);
          expect(segmentsAsWritten(path)[0]).toBe("p");
          expected.add(key(segmentsAsWritten(path)));
        }
        const requested = requestedDirectories(server.requests).map(key);
        expect(new Set(requested)).toEqual(expected);
      }),
      { numRuns: 400, seed: 10_001 },
    );
    // The generator must mostly build paths the intake accepts, or the property says little.
    expect(accepted).toBeGreaterThan(200);
  });
});

describe("exact paths: a look-alike of a protected path never reaches SMH", () => {
  const protectedPath = fc.array(protectedName, { minLength: 1, maxLength: 2 });

  it("refuses every look-alike of a protected path, and everything inside one, before any SMH call", async () => {
    await fc.assert(
      fc.asyncProperty(
        protectedPath.chain((segments) =>
          fc.record({
            segments: fc.constant(segments),
            lookAlike: lookAlikeOf(segments),
            inside: fc.constantFrom([], ["child"], ["a", "b"]),
            protection: fc.constantFrom("protectedPaths", "protectedGlobs"),
            slashes: fc.constantFrom("", "/", "//"),
          }),
        ),
        async ({ segments, lookAlike, inside, protection, slashes }) => {
          server.requests.length = 0;
          const pipeline = pipelineWith({
            libraries: {
              [LIBRARY]: {
                spaces: ["-"],
                allowedPrefixes: ["p"],
                [protection]: [["p", ...segments].join("/")],
              },
            },
          });
          const path = `${slashes}${["p", ...lookAlike.segments, ...inside].join("/")}${slashes}`;
          await processDeleteBatch(
            [recordOf({ v: 1, libraryId: LIBRARY, path, source: "prop" })],
            pipeline,
            aMinuteFromNow(),
          );
          const [result] = pipeline.publisher.published;
          expect(
            result?.outcome,
            `${JSON.stringify(path)} (${JSON.stringify(lookAlike.disguises)})`,
          ).toBe("rejected");
          // Refused as protected, or as a path no job may name (whitespace at an end, an
          // invisible character, a name grown past 255 characters by escaping it): never for a
          // reason that has nothing to do with the disguise.
          const reasons = result?.outcome === "rejected" ? result.reasons : [];
          expect(
            reasons.some(
              (reason) =>
                ("rule" in reason && reason.rule === "protected-path") ||
                ("code" in reason &&
                  (reason.code === "edge-whitespace" ||
                    reason.code === "invisible-character" ||
                    reason.code === "segment-too-long")),
            ),
            JSON.stringify(reasons),
          ).toBe(true);
          expect(result?.path).toBe(path);
          expect(server.requests).toEqual([]);
        },
      ),
      { numRuns: 1500, seed: 10_002 },
    );
  });

  it("still deletes a name that only shares letters with a protected one", async () => {
    const pipeline = pipelineWith({
      libraries: {
        [LIBRARY]: { spaces: ["-"], allowedPrefixes: ["p"], protectedPaths: ["p/apollo"] },
      },
    });
    const paths = ["p/apollo-11", "p/apoll", "p/ap ollo", "p/apollo11/x"];
    await processDeleteBatch(
      paths.map((path) => recordOf({ v: 1, libraryId: LIBRARY, path, source: "prop" })),
      pipeline,
      aMinuteFromNow(),
    );
    expect(pipeline.publisher.published.map(({ outcome }) => outcome)).toEqual(
      paths.map(() => "recycled"),
    );
    expect(new Set(requestedDirectories(server.requests).map(key))).toEqual(
      new Set(paths.map((path) => key(path.split("/")))),
    );
  });
});
