// The hostile job corpus (test/fixtures/hostile-jobs/): hand-written bodies a careless or hostile
// producer could put on the jobs queue — look-alike paths (edge whitespace, invisible characters,
// backslashes, percent-encoded dots and separators), look-alikes of protected paths, bad ids,
// flags and user ids, oversized and malformed bodies, keys given twice — and valid bodies with
// names that break naive code. Each is sent raw through fauxqs to the real delete-directories
// handler, which calls the SMH simulator over HTTP. Each must be either rejected with the reason
// the corpus names and no SMH request, or delete exactly the directory it names and report its
// path exactly as sent. Directories the corpus names but must not touch are seeded, and survive.
//
// fauxqs refuses characters above U+FFFF in a body (real SQS carries them), so the corpus writes
// them as JSON escapes (\ud83c\udf89); test/fuzz/exact-paths.test.ts covers them unescaped.
//
// Grow the corpus whenever a bug is found: one line of bodies.ndjson per body.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type DeletionResult,
  parseJobBody,
  type RejectionReason,
} from "../../lib/messages/index.ts";
import { fauxqsCanCarry } from "../fuzz/job-bodies.ts";
import {
  type LibraryPolicyConfig,
  type PipelineStack,
  startPipelineStack,
  testLibrary,
} from "./helpers/pipeline-stack.ts";

const FIXTURES = new URL("../fixtures/hostile-jobs/", import.meta.url);

/** What the corpus expects of a body. */
type Expectation =
  | { deletes: string[] }
  /** `code:<reason code>`, `rule:<policy rule>`, `field:<field>` or `body` (the whole body). */
  | { rejected: string };

interface CorpusEntry {
  case: string;
  expect: Expectation;
  /** A JSON object, sent as `JSON.stringify` writes it. */
  body?: unknown;
  /** The body exactly as sent, when it is not plain JSON of an object. */
  raw?: string;
}

interface Setup {
  library: string;
  policy: LibraryPolicyConfig;
  survivors: string[];
}

const setup = JSON.parse(readFileSync(new URL("setup.json", FIXTURES), "utf8")) as Setup;
const corpus = readFileSync(new URL("bodies.ndjson", FIXTURES), "utf8")
  .split("\n")
  .filter((line) => line.trim() !== "")
  .map((line) => {
    const entry = JSON.parse(line) as CorpusEntry;
    const body = entry.raw ?? JSON.stringify(entry.body);
    const parsed = parseJobBody(body);
    return { ...entry, body, jobId: parsed.ok ? parsed.job.jobId : parsed.identity.jobId };
  });
const targets = corpus.flatMap(({ expect: e }) => ("deletes" in e ? [e.deletes.join("/")] : []));
const LIBRARY = testLibrary(setup.library, [...targets, ...setup.survivors], {
  policy: setup.policy,
});

function matches(reason: RejectionReason, expected: string): boolean {
  const [kind, name = ""] = expected.split(":", 2) as [string, string | undefined];
  if (kind === "body") return "path" in reason && reason.path === "";
  if (kind === "code") return "code" in reason && reason.code === name;
  if (kind === "rule") return "rule" in reason && reason.rule === name;
  return "path" in reason && reason.path === name;
}

/** The path a body gives, as JSON reads it (the last one, for a key given twice). */
function pathOf(body: string): unknown {
  try {
    const value = JSON.parse(body) as unknown;
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as { path?: unknown }).path
      : undefined;
  } catch {
    return undefined;
  }
}

describe("the hostile job corpus", () => {
  it("holds at least 150 bodies of every kind, each one fauxqs can carry, each job identified once", () => {
    expect(corpus.length).toBeGreaterThanOrEqual(150);
    const kinds = new Set(
      corpus.map(({ expect: e }) => ("deletes" in e ? "deletes" : e.rejected.split(":")[0])),
    );
    expect([...kinds].sort()).toEqual(["body", "code", "deletes", "field", "rule"]);
    expect(corpus.filter(({ body }) => !fauxqsCanCarry(body)).map((entry) => entry.case)).toEqual(
      [],
    );
    expect(new Set(corpus.map(({ jobId }) => jobId)).size).toBe(corpus.length);
    expect(new Set(targets).size).toBe(targets.length);
    for (const survivor of setup.survivors) expect(targets).not.toContain(survivor);
  });
});

describe("the hostile job corpus, through the jobs queue and the real handler", () => {
  let p: PipelineStack;

  beforeAll(async () => {
    p = await startPipelineStack({ libraries: [LIBRARY], visibilityTimeoutSeconds: 60 });
    await p.sendAndSettle(
      corpus.map(({ body }) => body),
      { concurrency: 4, timeoutMs: 90_000 },
    );
  }, 150_000);

  afterAll(async () => {
    await p?.stop();
  }, 60_000);

  it("answers every body exactly once, with a valid result, and dead-letters none", () => {
    expect(p.unreadable).toEqual([]);
    expect(p.deadLetters).toEqual([]);
    expect(p.results).toHaveLength(corpus.length);
    for (const entry of corpus) {
      expect(p.resultsOf(entry.jobId), entry.case).toHaveLength(1);
    }
  });

  it.each(corpus.filter(({ expect: e }) => "rejected" in e).map((entry) => [entry.case, entry]))(
    "rejects %s, with its reason, before SMH",
    (_case, entry) => {
      const [result] = p.resultsOf(entry.jobId) as [DeletionResult];
      if (result.outcome !== "rejected") {
        throw new Error(`${entry.case}: ${result.outcome}, not rejected (${entry.body})`);
      }
      const expected = (entry.expect as { rejected: string }).rejected;
      expect(
        result.reasons.some((reason) => matches(reason, expected)),
        `${expected} among ${JSON.stringify(result.reasons)}`,
      ).toBe(true);
      expect(result.attempts).toBe(0);
      // The path as the body gave it, whenever a result may repeat it.
      if (result.path !== undefined) expect(result.path).toBe(pathOf(entry.body));
    },
  );

  it.each(corpus.filter(({ expect: e }) => "deletes" in e).map((entry) => [entry.case, entry]))(
    "deletes exactly the directory named by %s, and reports its path as sent",
    (_case, entry) => {
      const [result] = p.resultsOf(entry.jobId) as [DeletionResult];
      expect(result.outcome, `${entry.case}: ${JSON.stringify(result)}`).toBe(
        result.permanent ? "deleted" : "recycled",
      );
      expect(result.path).toBe(pathOf(entry.body));
      const segments = (entry.expect as { deletes: string[] }).deletes;
      const deletions = p.sim
        .groundTruth()
        .deletions.filter(
          (deletion) =>
            deletion.libraryId === LIBRARY.libraryId &&
            JSON.stringify(deletion.path) === JSON.stringify(segments),
        );
      expect(deletions, segments.join("/")).toHaveLength(1);
    },
  );

  it("asked SMH to delete the directories the corpus names, once each, and nothing else", () => {
    const requested = p.smhCapture.deletions().flatMap(({ method, rawPath, body }) => {
      if (method === "DELETE") {
        const segments = rawPath.slice(`/api/v1/directory/${LIBRARY.libraryId}/-/`.length);
        return [segments.split("/").map(decodeURIComponent).join("/")];
      }
      return (JSON.parse(body) as { path: string }[]).map(({ path }) => path);
    });
    expect([...requested].sort()).toEqual([...targets].sort());
    const deleted = p.sim
      .groundTruth()
      .deletions.filter(({ libraryId }) => libraryId === LIBRARY.libraryId)
      .map(({ path }) => path.join("/"));
    expect(deleted.sort()).toEqual([...targets].sort());
  });

  it("leaves every look-alike, protected and unnamed directory where it was", () => {
    const gone = setup.survivors.filter((path) => !p.sim.exists(LIBRARY.libraryId, "-", path));
    expect(gone).toEqual([]);
  });
});
