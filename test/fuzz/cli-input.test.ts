// Bad input for `smh-cleaner enqueue`: arbitrary plain path lists, CSV and NDJSON files (fast-check,
// fixed seeds) with bad lines at known places — invalid paths, `..`, the root, control characters,
// unknown keys and columns, `__proto__`, wrong types, broken quotes, duplicate jobs, mixed line
// ends, a BOM.
//
// First as a property of the input readers: every bad line is reported with its line number, no
// good line is, nothing throws. Then through the real CLI, spawned against a jobs queue in fauxqs:
// exit code 3, every bad line named as `file:line:`, and nothing on the queue; the same CLI does
// enqueue a good file, so the queue check can fail.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { CreateQueueCommand, type SQSClient } from "@aws-sdk/client-sqs";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readJobsFrom } from "../../lib/cli/input/read.ts";
import type { InputFormat } from "../../lib/cli/input/records.ts";
import { type LocalSqs, startLocalSqs } from "../../lib/local/sqs-server.ts";
import { parseJobBody } from "../../lib/messages/job-body.ts";
import { createSqsClient } from "../../lib/queues/client.ts";
import { queueDepths } from "../../lib/queues/depths.ts";
import { DEFAULT_LIBRARY, type InputFile, inputFile } from "./cli-input.ts";
import { fauxqsCanCarry } from "./job-bodies.ts";

const FORMATS: readonly InputFormat[] = ["plain", "csv", "ndjson"];
const CLI = new URL("../../bin/smh-cleaner.js", import.meta.url).pathname;
const EXTENSION: Record<InputFormat, string> = { plain: "txt", csv: "csv", ndjson: "ndjson" };

function read(file: InputFile) {
  return readJobsFrom(Readable.from([Buffer.from(file.text, "utf8")]), file.format, {
    libraryId: DEFAULT_LIBRARY,
    requestedBy: "fuzz",
  });
}

describe.each(FORMATS)("arbitrary %s input files: the readers", (format) => {
  it("report every bad line by its number and no good line, never throw, and turn every good line into a valid job", async () => {
    await fc.assert(
      fc.asyncProperty(inputFile(format), async (file) => {
        const { jobs, problems } = await read(file);
        const lineCount = file.text.split(/\r?\n/).length - 1;
        for (const problem of problems) {
          expect(problem.line).toBeGreaterThanOrEqual(1);
          expect(problem.line).toBeLessThanOrEqual(lineCount);
          expect(typeof problem.field).toBe("string");
          expect(problem.message.trim()).not.toBe("");
        }
        const reported = new Set(problems.map(({ line }) => line));
        const checked = (line: number) => file.fatalLine === undefined || line <= file.fatalLine;
        expect([...reported].filter(checked).sort((a, b) => a - b)).toEqual(file.badLines);
        if (file.badLines.length === 0) expect(jobs).toHaveLength(file.goodJobs);
        for (const job of jobs) {
          expect(reported.has(job.line)).toBe(false);
          expect(parseJobBody(job.body).ok).toBe(true);
        }
      }),
      { numRuns: 1_000, seed: 7_101 + FORMATS.indexOf(format) },
    );
  });
});

describe("arbitrary input files: the enqueue CLI", () => {
  let sqsServer: LocalSqs;
  let sqs: SQSClient;
  let workDir: string;
  let cliRuns = 0;

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), "smh-fuzz-cli-"));
    sqsServer = await startLocalSqs({ port: 0 });
    sqs = createSqsClient({ endpoint: sqsServer.endpoint, region: "us-east-1", env: {} });
  });

  afterAll(async () => {
    sqs?.destroy();
    await sqsServer?.stop();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  async function enqueue(
    file: InputFile,
  ): Promise<{ code: number | null; stderr: string; queueUrl: string; name: string }> {
    cliRuns++;
    const name = `input-${cliRuns}.${EXTENSION[file.format]}`;
    writeFileSync(join(workDir, name), file.text);
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `jobs-${cliRuns}` }));
    const queueUrl = String(QueueUrl);
    const { code, stderr } = await run(
      [
        "enqueue",
        "--file",
        name,
        "--format",
        file.format,
        "--library",
        DEFAULT_LIBRARY,
        "--requested-by",
        "fuzz",
        "--sqs-endpoint",
        sqsServer.endpoint,
        "--jobs-queue-url",
        queueUrl,
        "--region",
        "us-east-1",
      ],
      workDir,
    );
    return { code, stderr, queueUrl, name };
  }

  async function depth(queueUrl: string): Promise<number> {
    const { visible, inFlight, delayed } = await queueDepths(sqs, queueUrl);
    return visible + inFlight + delayed;
  }

  it.each(FORMATS)(
    "refuses %s files with bad lines: exit 3, every bad line named file:line, nothing sent",
    async (format) => {
      const files = fc
        .sample(inputFile(format, 25), { numRuns: 200, seed: 7_201 + FORMATS.indexOf(format) })
        .filter((file) => file.badLines.length > 0)
        .slice(0, 3);
      expect(files).toHaveLength(3);
      for (const file of files) {
        const { code, stderr, queueUrl, name } = await enqueue(file);
        expect(code, stderr).toBe(3);
        for (const line of file.badLines) expect(stderr).toContain(`${name}:${line}: `);
        expect(stderr).toMatch(/nothing was sent/);
        expect(await depth(queueUrl)).toBe(0);
      }
    },
    60_000,
  );

  it.each(FORMATS)(
    "enqueues a %s file whose every line is good",
    async (format) => {
      const [file] = fc
        .sample(inputFile(format, 25), { numRuns: 300, seed: 7_301 + FORMATS.indexOf(format) })
        // fauxqs refuses emoji that SQS carries (see fauxqsCanCarry): keep them out of what is sent.
        .filter(
          (candidate) =>
            candidate.badLines.length === 0 &&
            candidate.goodJobs > 0 &&
            fauxqsCanCarry(candidate.text.replace(/^\ufeff/, "")),
        );
      if (!file) throw new Error("no all-good file drawn");
      const { code, stderr, queueUrl } = await enqueue(file);
      expect(code, stderr).toBe(0);
      expect(await depth(queueUrl)).toBe(file.goodJobs);
    },
    30_000,
  );
});

/** Runs the CLI with an environment that holds nothing of this process's (no secret, no AWS). */
function run(args: string[], cwd: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? "", HOME: cwd, SMH_CLEANER_STATE_DIR: cwd, NO_COLOR: "1" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stderr }));
  });
}
