// End to end: `smh-cleaner local --sqs-endpoint URL` runs the demo against a second SQS
// implementation, local-aws-sqs (pure JavaScript from npm, its own code for the JSON protocol the
// AWS SDK v3 speaks), instead of the embedded fauxqs: the stack creates its own queues there, the
// demo completes, the stack deletes its queues when it stops and never touches a queue it did not
// create.

import { mkdtemp, rm } from "node:fs/promises";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateQueueCommand, ListQueuesCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { createSqsServer } from "local-aws-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DemoSummary } from "../../lib/local/demo.ts";
import { createSqsClient } from "../../lib/queues/client.ts";
import { queueDepths } from "../../lib/queues/depths.ts";
import { publish } from "../../lib/queues/publish.ts";
import { environmentWithout, QUEUE_LOCATION_VARIABLES, spawnCli } from "./helpers/cli.ts";

let server: Server;
let endpoint: string;
let sqs: SQSClient;
let work: string;

beforeAll(async () => {
  // Without the lifecycle emulation, a deleted queue leaves ListQueues at once (on AWS: within 60 s).
  server = await createSqsServer({
    port: 0,
    hostname: "127.0.0.1",
    emulateQueueCreationLifecycle: false,
  });
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  sqs = createSqsClient({ endpoint, env: {} });
  work = await mkdtemp(join(tmpdir(), "smh-sqs-endpoint-"));
});

afterAll(async () => {
  sqs?.destroy();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  if (work) await rm(work, { recursive: true, force: true });
});

describe("smh-cleaner local --sqs-endpoint", () => {
  it("runs the demo to completion against local-aws-sqs, on queues of its own that it removes", async () => {
    // Someone's queue with the name the embedded stack gives its jobs queue: never read.
    const theirs = await sqs.send(new CreateQueueCommand({ QueueName: "jobs" }));
    const theirsUrl = String(theirs.QueueUrl);
    await publish(sqs, theirsUrl, [{ id: "1", body: "not ours" }]);

    const run = await spawnCli(["local", "--once", "--json", "--sqs-endpoint", endpoint], {
      cwd: work,
      env: {
        ...environmentWithout([...QUEUE_LOCATION_VARIABLES, "SMH_BASE_URL", "SMH_LIBRARY_SECRETS"]),
        SMH_CLEANER_STATE_DIR: join(work, "state"),
      },
    });
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout) as DemoSummary;
    expect(summary).toMatchObject({ missing: 0, duplicates: 0, missingRecycledIds: 0 });
    expect(summary.results).toBe(summary.jobs);
    expect(summary.retention?.jobs).toBeGreaterThan(0);
    expect(summary.retention).toMatchObject({ missing: 0, duplicates: 0 });
    expect(summary.retention?.results).toBe(summary.retention?.jobs);

    const left = await sqs.send(new ListQueuesCommand({}));
    expect(left.QueueUrls ?? []).toEqual([theirsUrl]);
    expect(await queueDepths(sqs, theirsUrl)).toMatchObject({ visible: 1, inFlight: 0 });
  }, 180_000);

  it("refuses an endpoint that is not an http(s) URL, as a usage error", async () => {
    const run = await spawnCli(["local", "--once", "--sqs-endpoint", "127.0.0.1:4566"], {
      cwd: work,
      env: {
        ...environmentWithout(QUEUE_LOCATION_VARIABLES),
        SMH_CLEANER_STATE_DIR: join(work, "s2"),
      },
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('the SQS endpoint "127.0.0.1:4566" is not an http(s) URL');
  });
});
