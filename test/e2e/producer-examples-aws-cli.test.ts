// End to end: the aws CLI examples of examples/producers/aws-cli/, run for real with the aws CLI
// on PATH, against the local stack. The stack runs on local-aws-sqs here rather than fauxqs:
// fauxqs speaks only SQS's JSON protocol, while older aws CLI releases (Debian 12's awscli 2.9,
// which .ci/run installs when no aws CLI is on PATH) speak only the query protocol; local-aws-sqs
// speaks both. On CI an aws CLI must be there (.ci/run sees to it): the test fails
// without one rather than skip; elsewhere it is skipped, saying so.
import { execFile, spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { createSqsServer } from "local-aws-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DeleteJobSchema } from "../../lib/messages/index.ts";
import { DEMO } from "../../lib/sim/index.ts";
import { REPO } from "./helpers/packed-package.ts";
import { type ProducerStack, startProducerStack } from "./helpers/producer-stack.ts";

const run = promisify(execFile);
const SCRIPTS = join(REPO, "examples", "producers", "aws-cli");
const LIBRARY = DEMO.multiTenant.libraryId;
const FILES = DEMO.multiTenant.filesSpaceId;
const awsCli = spawnSync("aws", ["--version"], { encoding: "utf8" });
const haveAwsCli = awsCli.status === 0;
const onCi = Boolean(process.env.CI);

let server: Server;
let p: ProducerStack;
let home: string;

/** Runs an example script as a user would: the aws CLI's own configuration, none of ours. */
function script(name: string) {
  return run("bash", [join(SCRIPTS, name)], {
    env: {
      PATH: process.env.PATH,
      HOME: home,
      AWS_CONFIG_FILE: join(home, "none"),
      AWS_SHARED_CREDENTIALS_FILE: join(home, "none"),
      AWS_ACCESS_KEY_ID: "local",
      AWS_SECRET_ACCESS_KEY: "local",
      AWS_DEFAULT_REGION: "us-east-1",
      AWS_REGION: "us-east-1",
      JOBS_QUEUE_URL: p.jobsQueueUrl,
      SQS_ENDPOINT: p.stack.sqsEndpoint,
    },
  });
}

describe.skipIf(!haveAwsCli && !onCi)(
  `the aws CLI examples (with ${haveAwsCli ? awsCli.stdout.trim() : "no aws CLI on PATH: skipped outside CI"})`,
  () => {
    beforeAll(async () => {
      if (!haveAwsCli) throw new Error("no aws CLI on PATH: .ci/run installs Debian's awscli");
      home = await mkdtemp(join(tmpdir(), "smh-aws-cli-"));
      server = await createSqsServer({
        port: 0,
        hostname: "127.0.0.1",
        emulateQueueCreationLifecycle: false,
      });
      p = await startProducerStack(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    }, 60_000);

    afterAll(async () => {
      await p?.stop();
      server?.closeAllConnections();
      await new Promise((resolve) => server?.close(resolve));
      if (home) await rm(home, { recursive: true, force: true });
    });

    it("send-message puts job.json on the jobs queue, and the delete function recycles the directory", async () => {
      const { stdout } = await script("send-job.sh");
      expect(JSON.parse(stdout)).toHaveProperty("MessageId");
      const job = DeleteJobSchema.parse(
        JSON.parse(await readFile(join(REPO, "examples", "producers", "job.json"), "utf8")),
      );
      const [result] = await p.resultsOf([job.jobId]);
      expect(result).toMatchObject({ outcome: "recycled", path: "users/u1043/tmp" });
      expect(p.sim.exists(LIBRARY, FILES, "users/u1043/tmp")).toBe(false);
    }, 90_000);

    it("send-message-batch puts both jobs of jobs-batch.json on the queue, and both are carried out", async () => {
      const { stdout } = await script("send-jobs-batch.sh");
      expect(JSON.parse(stdout)).toMatchObject({ sent: ["1", "2"] });
      const results = await p.resultsOf(["media-app-2026-12-06-1", "media-app-2026-12-06-2"]);
      expect(results.map((r) => [r.path, r.outcome])).toEqual([
        ["users/u1050/tmp", "recycled"],
        ["users/u1057/documents", "recycled"],
      ]);
    }, 90_000);
  },
);
