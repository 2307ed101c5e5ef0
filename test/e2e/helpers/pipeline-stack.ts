/**
 * The local stack for the delete pipeline's end-to-end tests: fauxqs with the queues of
 * serverless.yml, the SMH simulator (demo seed plus libraries each scenario owns, so scenarios can
 * run at the same time without sharing faults or recycle bins), the local runner invoking the real
 * handler module, the SQS fault proxy between the handler and fauxqs, the S3 fault proxy between
 * the handler and fauxqs's S3 (the ledger), and a relay between the handler and the simulator that
 * captures access tokens.
 *
 * The handler module builds its pipeline once per process (cold start), so a test file starts one
 * such stack, in beforeAll.
 */
import { randomBytes } from "node:crypto";
import { SendMessageBatchCommand } from "@aws-sdk/client-sqs";
import { demoPolicy } from "../../../lib/local/demo-policy.ts";
import type { RunnerEvent } from "../../../lib/local/runner-events.ts";
import { type S3FaultProxy, startS3FaultProxy } from "../../../lib/local/s3-fault-proxy.ts";
import { type SqsFaultProxy, startSqsFaultProxy } from "../../../lib/local/sqs-fault-proxy.ts";
import type { LocalStack } from "../../../lib/local/stack.ts";
import { readTopology } from "../../../lib/local/topology.ts";
import type { DeletionResult } from "../../../lib/messages/deletion-result.ts";
import { parseResultMessage, type ResultMessage } from "../../../lib/messages/result-message.ts";
import { ResultSet } from "../../../lib/messages/result-set.ts";
import type { DeletionPolicyConfig } from "../../../lib/policy/config.ts";
import { queueDepths } from "../../../lib/queues/depths.ts";
import { publish } from "../../../lib/queues/publish.ts";
import type { Simulator } from "../../../lib/sim/simulator.ts";
import { type SmhCapture, startSmhCapture } from "./smh-capture.ts";

/** One library's entry in a deletion policy. */
export type LibraryPolicyConfig = DeletionPolicyConfig["libraries"][string];

import {
  demoLibrarySecrets,
  drain,
  type E2eLocalStack,
  type E2eStackOptions,
  queueUrl,
  startE2eLocalStack,
  until,
} from "./stack-io.ts";

/** A library a scenario owns: single-tenant (space `-`), deletion allowed under `jobs/`. */
export interface TestLibrary {
  readonly libraryId: string;
  readonly secret: string;
  readonly recycleBin: boolean;
  /** Directories seeded in space `-` (each with one file, so a deletion takes content). */
  readonly directories: readonly string[];
  /** Its deletion policy (default: space `-`, deletion under `jobs/`). */
  readonly policy?: LibraryPolicyConfig;
}

/** A library named `e2e<name>` with a fresh secret. */
export function testLibrary(
  name: string,
  directories: readonly string[],
  options: { recycleBin?: boolean; policy?: LibraryPolicyConfig } = {},
): TestLibrary {
  return {
    libraryId: `e2e${name}`,
    secret: `e2e-secret-${name}-${randomBytes(12).toString("hex")}`,
    recycleBin: options.recycleBin ?? true,
    directories,
    ...(options.policy ? { policy: options.policy } : {}),
  };
}

/** One result read from the results queue. */
export interface ReceivedResult {
  readonly result: DeletionResult;
  /** The message body exactly as it was on the queue. */
  readonly body: string;
}

export interface PipelineStack {
  readonly stack: LocalStack;
  readonly sim: Simulator;
  readonly sqsProxy: SqsFaultProxy;
  /** Between the handler and the ledger's S3 (no faults until a test sets them). */
  readonly s3Proxy: S3FaultProxy;
  readonly smhCapture: SmhCapture;
  readonly jobsUrl: string;
  readonly resultsUrl: string;
  readonly dlqUrl: string;
  /** The jobs queue's maxReceiveCount, as serverless.yml sets it. */
  readonly maxReceiveCount: number;
  /** Every result read so far (the results queue is drained continuously). */
  readonly results: ReceivedResult[];
  /** Bodies of results-queue messages that are not valid results (must stay empty). */
  readonly unreadable: string[];
  /** Bodies of messages moved to the jobs DLQ, read so far. */
  readonly deadLetters: string[];
  /** Every runner event, from the start. */
  readonly events: RunnerEvent[];
  /** Lines the handlers wrote to stdout/stderr, when logs are captured. */
  readonly logLines: string[];
  /** Sends job bodies in ONE SendMessageBatch call (≤ 10), so they arrive together; message ids. */
  send(bodies: readonly (string | Record<string, unknown>)[]): Promise<string[]>;
  /**
   * Sends any number of bodies exactly as written (in batches, `concurrency` calls at once), then
   * waits until each has a result (readable or not) and the jobs queue, the results queue and the
   * DLQ hold nothing, twice in a row. Fails when fauxqs refuses a body, or after `timeoutMs`.
   */
  sendAndSettle(
    bodies: readonly string[],
    options: { concurrency: number; timeoutMs: number },
  ): Promise<void>;
  /** How many times the runner has handed this message to the handler. */
  deliveries(messageId: string): number;
  /** Results of one job, in the order they were read. */
  resultsOf(jobId: string): DeletionResult[];
  /** Waits (polling) until `condition` holds; fails with `what` after `timeoutMs`. */
  until(what: string, condition: () => boolean, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface PipelineStackOptions extends E2eStackOptions {
  readonly libraries: readonly TestLibrary[];
}

/**
 * Starts the stack. The handler reaches SQS through the fault proxy (no faults until a test sets
 * them) and SMH through the capture relay. Libraries are added to the simulator before any job is
 * sent; the handler's policy and secrets name them.
 */
export async function startPipelineStack(options: PipelineStackOptions): Promise<PipelineStack> {
  const sqsProxy = await startSqsFaultProxy({ randomSeed: "pipeline-e2e" });
  const s3Proxy = await startS3FaultProxy({ randomSeed: "pipeline-e2e" });
  const smhCapture = await startSmhCapture();

  const policy: DeletionPolicyConfig = demoPolicy();
  const secrets = demoLibrarySecrets();
  for (const library of options.libraries) {
    policy.libraries[library.libraryId] = library.policy ?? {
      spaces: ["-"],
      allowedPrefixes: ["jobs"],
    };
    secrets[library.libraryId] = library.secret;
  }

  let e2e: E2eLocalStack;
  let maxReceiveCount: number;
  try {
    e2e = await startE2eLocalStack({
      visibilityTimeoutSeconds: options.visibilityTimeoutSeconds,
      captureLogs: options.captureLogs,
      policy,
      secrets,
      env: {
        SQS_ENDPOINT: sqsProxy.url,
        S3_ENDPOINT: s3Proxy.url,
        SMH_BASE_URL: smhCapture.url,
        ...options.env,
      },
    });
  } catch (error) {
    await Promise.all([sqsProxy.close(), s3Proxy.close(), smhCapture.close()]);
    throw error;
  }
  const { stack, sim, events, logLines } = e2e;
  const url = (key: string) => queueUrl(stack, key);
  try {
    maxReceiveCount = prepare(stack, sim, options.libraries);
  } catch (error) {
    await e2e.stop();
    await Promise.all([sqsProxy.close(), s3Proxy.close(), smhCapture.close()]);
    throw error;
  }
  sqsProxy.setUpstream(stack.sqsEndpoint);
  s3Proxy.setUpstream(stack.s3Endpoint);
  smhCapture.setUpstream(sim.url);

  const results: ReceivedResult[] = [];
  const unreadable: string[] = [];
  const deadLetters: string[] = [];
  const draining = new AbortController();
  const drains = [
    drain(stack.sqs, url("results"), draining.signal, (body) => {
      const parsed = parseResultMessage(body);
      if (parsed.ok && isDeletion(parsed.result)) results.push({ result: parsed.result, body });
      else unreadable.push(body);
    }),
    drain(stack.sqs, url("jobs-dlq"), draining.signal, (body) => deadLetters.push(body)),
  ];

  let stopping: Promise<void> | undefined;
  return {
    stack,
    sim,
    sqsProxy,
    s3Proxy,
    smhCapture,
    jobsUrl: url("jobs"),
    resultsUrl: url("results"),
    dlqUrl: url("jobs-dlq"),
    maxReceiveCount,
    results,
    unreadable,
    deadLetters,
    events,
    logLines,
    async send(bodies) {
      if (bodies.length === 0 || bodies.length > 10) {
        throw new Error(`send 1 to 10 bodies in one call, not ${bodies.length}`);
      }
      const entries = bodies.map((body, index) => ({
        Id: String(index),
        MessageBody: typeof body === "string" ? body : JSON.stringify(body),
      }));
      const answer = await stack.sqs.send(
        new SendMessageBatchCommand({ QueueUrl: url("jobs"), Entries: entries }),
      );
      if ((answer.Failed ?? []).length > 0) {
        throw new Error(`fauxqs refused jobs: ${JSON.stringify(answer.Failed)}`);
      }
      const byId = new Map((answer.Successful ?? []).map((entry) => [entry.Id, entry.MessageId]));
      return entries.map(({ Id }) => String(byId.get(Id)));
    },
    async sendAndSettle(bodies, { concurrency, timeoutMs }) {
      const sent = await publish(
        stack.sqs,
        url("jobs"),
        bodies.map((body, index) => ({ id: String(index), body })),
        { concurrency },
      );
      if (sent.failed.length > 0) {
        throw new Error(`fauxqs refused bodies: ${JSON.stringify(sent.failed.slice(0, 3))}`);
      }
      await until(
        "a result for every body",
        () => results.length + unreadable.length >= bodies.length,
        timeoutMs,
      );
      // Nothing left anywhere: no record waiting to come back, nothing dead-lettered.
      for (let quiet = 0; quiet < 2; ) {
        const depths = await Promise.all(
          [url("jobs"), url("results"), url("jobs-dlq")].map((queue) =>
            queueDepths(stack.sqs, queue),
          ),
        );
        const empty = depths.every((d) => d.visible + d.inFlight + d.delayed === 0);
        quiet = empty ? quiet + 1 : 0;
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
    },
    deliveries: (messageId) =>
      events.filter(
        (event) => event.type === "invocation-started" && event.messageIds.includes(messageId),
      ).length,
    resultsOf: (jobId) =>
      results.filter(({ result }) => result.jobId === jobId).map(({ result }) => result),
    until: (what, condition, timeoutMs = 45_000) => until(what, condition, timeoutMs),
    stop() {
      stopping ??= (async () => {
        draining.abort();
        await Promise.all(drains);
        await e2e.stop();
        await Promise.all([sqsProxy.close(), s3Proxy.close(), smhCapture.close()]);
      })();
      return stopping;
    },
  };
}

/**
 * Checks the stack (MAX_RECEIVE_COUNT as serverless.yml sets it) and seeds the test libraries;
 * the jobs queue's maxReceiveCount.
 */
function prepare(stack: LocalStack, sim: Simulator, libraries: readonly TestLibrary[]): number {
  const jobsDefinition = readTopology().queues.find(({ key }) => key === "jobs");
  const maxReceiveCount = jobsDefinition?.deadLetter?.maxReceiveCount;
  if (maxReceiveCount === undefined) throw new Error("the jobs queue has no redrive policy");
  if (stack.handlerEnv.MAX_RECEIVE_COUNT !== String(maxReceiveCount)) {
    throw new Error(
      `MAX_RECEIVE_COUNT (${stack.handlerEnv.MAX_RECEIVE_COUNT}) differs from serverless.yml's maxReceiveCount (${maxReceiveCount})`,
    );
  }
  for (const library of libraries) {
    sim.addLibrary({
      id: library.libraryId,
      secret: library.secret,
      multiSpace: false,
      recycleBin: library.recycleBin,
      spaces: [
        {
          id: "-",
          directories: library.directories.map((path) => ({
            path,
            files: [{ name: "photo.jpg", size: 1024, contentType: "image/jpeg" }],
          })),
        },
      ],
    });
  }
  return maxReceiveCount;
}

export { until } from "./stack-io.ts";

/** A directory job body for a test library (space `-`) with its own jobId. */
export function jobFor(
  library: TestLibrary | string,
  path: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const libraryId = typeof library === "string" ? library : library.libraryId;
  return {
    v: 1,
    jobId: `${libraryId}:${path}`,
    libraryId,
    path,
    source: "bulk",
    ...extra,
  };
}

/** Results grouped by dedupKey, each group reduced to the one a consumer keeps. */
export function dedupe<Result extends ResultMessage>(results: readonly Result[]): Result[] {
  const kept = new ResultSet();
  for (const result of results) kept.add(result);
  return kept.results() as Result[];
}

/** The settled outcomes: what leaves the directory gone as asked. */
export const SETTLED = new Set(["recycled", "deleted", "recovered", "already_absent"]);

function isDeletion(result: ResultMessage): result is DeletionResult {
  return result.type === "deletion";
}
