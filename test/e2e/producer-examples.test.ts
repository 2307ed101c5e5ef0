// End to end: the producer examples of examples/producers/, run as another system would run them,
// against the local stack (fauxqs, the simulator's demo library, the delete function): the
// TypeScript producer from the packed package's "smh-batch-cleaner/messages" entry point, and the
// EventBridge Pipe's filter and input template. (The aws CLI examples: producer-examples-aws-cli.)
import { execFile } from "node:child_process";
import { copyFile, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DeleteJobSchema } from "../../lib/messages/index.ts";
import { publish } from "../../lib/queues/publish.ts";
import { receive } from "../../lib/queues/receive.ts";
import { DEMO } from "../../lib/sim/index.ts";
import {
  matches,
  readPipe,
  renderInputTemplate,
  sqsSourceEvent,
} from "./helpers/eventbridge-pipe.ts";
import { projectWithPackedPackage, REPO, typecheck } from "./helpers/packed-package.ts";
import { type ProducerStack, startProducerStack } from "./helpers/producer-stack.ts";

const run = promisify(execFile);
const EXAMPLES = join(REPO, "examples", "producers");
const LIBRARY = DEMO.multiTenant.libraryId;
const FILES = DEMO.multiTenant.filesSpaceId;

let p: ProducerStack;
let work: string;

/** The producer's environment: the local stack's queue, and any credentials (fauxqs checks none). */
function producerEnv(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    JOBS_QUEUE_URL: p.jobsQueueUrl,
    SQS_ENDPOINT: p.stack.sqsEndpoint,
    AWS_ACCESS_KEY_ID: "local",
    AWS_SECRET_ACCESS_KEY: "local",
  };
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "smh-producers-"));
  p = await startProducerStack();
}, 60_000);

afterAll(async () => {
  await p?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe("the job in examples/producers/job.json", () => {
  it("is a valid DeleteJob v1 of the demo library, for a directory the local stack has", async () => {
    const job = DeleteJobSchema.parse(
      JSON.parse(await readFile(join(EXAMPLES, "job.json"), "utf8")),
    );
    expect(job).toMatchObject({ v: 1, libraryId: LIBRARY, spaceId: FILES, permanent: false });
    expect(p.sim.exists(LIBRARY, FILES, job.path)).toBe(true);
  });
});

describe("the TypeScript producer (examples/producers/typescript/send-jobs.ts)", () => {
  let project: string;

  beforeAll(async () => {
    project = join(work, "consumer");
    await projectWithPackedPackage(project, ["@aws-sdk/client-sqs", "@types/node"]);
    await copyFile(join(EXAMPLES, "typescript", "send-jobs.ts"), join(project, "send-jobs.ts"));
  }, 120_000);

  it("installs as a dependency whose smh-cleaner says where it runs instead of failing on TypeScript", async () => {
    const bin = join(project, "node_modules", "smh-batch-cleaner", "bin", "smh-cleaner.js");
    const outcome = await run(process.execPath, [bin, "--help"], { cwd: project }).then(
      () => ({ code: 0, stderr: "" }),
      (error: { code: number; stderr: string }) => error,
    );
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toContain('import them from "smh-batch-cleaner/messages"');
  });

  it("type-checks in another project against the packed package's declarations", async () => {
    const { code, output } = await typecheck(project);
    expect(output).toBe("");
    expect(code).toBe(0);
  }, 60_000);

  it("validates with the package's schema and sends jobs the delete function carries out", async () => {
    const paths = ["users/u1064/tmp", "users/u1078/tmp"];
    const { stdout } = await run(process.execPath, ["send-jobs.ts", LIBRARY, FILES, ...paths], {
      cwd: project,
      env: producerEnv(),
    });
    const printed = JSON.parse(stdout) as { sent: string[]; failed: unknown[] };
    expect(printed.failed).toEqual([]);
    expect(printed.sent).toHaveLength(2);
    const results = await p.resultsOf(printed.sent);
    expect(results.map((r) => [r.path, r.outcome, r.source])).toEqual([
      ["users/u1064/tmp", "recycled", "media-app"],
      ["users/u1078/tmp", "recycled", "media-app"],
    ]);
    expect(p.sim.exists(LIBRARY, FILES, "users/u1078/tmp")).toBe(false);
  }, 90_000);

  it("sends nothing when one job is invalid, naming the field and the problem (exit 3)", async () => {
    const failure = await run(
      process.execPath,
      ["send-jobs.ts", LIBRARY, FILES, "users/u1099/tmp", "users/../etc"],
      {
        cwd: project,
        env: producerEnv(),
      },
    ).then(
      () => ({ code: 0, stderr: "" }),
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure.code).toBe(3);
    expect(failure.stderr).toContain("users/../etc: path: ");
    expect(await receive(p.stack.sqs, p.jobsQueueUrl, { waitTimeSeconds: 0 })).toEqual([]);
    expect(p.sim.exists(LIBRARY, FILES, "users/u1099/tmp")).toBe(true);
  }, 60_000);
});

describe("the EventBridge Pipe (examples/producers/eventbridge/account-closed-pipe.yml)", () => {
  it("turns the account service's AccountClosed event into a job that deletes the account's directory", async () => {
    const pipe = await readPipe(join(EXAMPLES, "eventbridge", "account-closed-pipe.yml"));
    const body = await readFile(join(EXAMPLES, "eventbridge", "account-closed.event.json"), "utf8");
    const event = sqsSourceEvent(body);
    expect(pipe.patterns.some((pattern) => matches(pattern, event))).toBe(true);

    const job = renderInputTemplate(pipe.inputTemplate, event);
    const parsed = DeleteJobSchema.parse(JSON.parse(job));
    expect(parsed).toMatchObject({
      jobId: "7f3d0c52-9a4e-4c1b-8d2f-1e5a6b7c8d90",
      libraryId: LIBRARY,
      spaceId: FILES,
      path: "users/u1029",
      source: "event",
      requestedBy: "com.example.accounts",
    });
    await publish(p.stack.sqs, p.jobsQueueUrl, [{ id: "1", body: job }]);
    const [result] = await p.resultsOf([parsed.jobId]);
    expect(result).toMatchObject({ outcome: "recycled", path: "users/u1029" });
    expect(p.sim.exists(LIBRARY, FILES, "users/u1029")).toBe(false);
  }, 90_000);

  it("lets other events through to no job, and writes a hostile value as a JSON string, not as JSON", async () => {
    const pipe = await readPipe(join(EXAMPLES, "eventbridge", "account-closed-pipe.yml"));
    const event = JSON.parse(
      await readFile(join(EXAMPLES, "eventbridge", "account-closed.event.json"), "utf8"),
    ) as { "detail-type": string; detail: { smh: { directory: string } } };
    const opened = { ...event, "detail-type": "AccountOpened" };
    expect(
      pipe.patterns.some((pattern) => matches(pattern, sqsSourceEvent(JSON.stringify(opened)))),
    ).toBe(false);

    // A directory that tries to add a second "path" key stays one (invalid) path.
    event.detail.smh.directory = 'users/u1031", "path": "events';
    const job = JSON.parse(
      renderInputTemplate(pipe.inputTemplate, sqsSourceEvent(JSON.stringify(event))),
    );
    expect(job.path).toBe('users/u1031", "path": "events');
  });
});
