/**
 * The local stack for the retention end-to-end tests: fauxqs with the queues of serverless.yml,
 * the SMH simulator (demo seed plus the libraries a test file seeds), the local runner invoking the
 * real handler modules — retention-scan for continuations, delete-directories for the jobs — and
 * `invokeScheduled` firing the schedule as EventBridge would. The results queue is drained
 * continuously into typed lists.
 *
 * The handler modules build their wiring once per process (cold start): one stack per test file,
 * started in beforeAll, with the rules the file needs.
 */
import { demoPolicy } from "../../../lib/local/demo-policy.ts";
import type { RunnerEvent } from "../../../lib/local/runner-events.ts";
import type { LocalStack } from "../../../lib/local/stack.ts";
import type { DeletionResult } from "../../../lib/messages/deletion-result.ts";
import { parseResultMessage, type ResultMessage } from "../../../lib/messages/result-message.ts";
import type {
  RetentionAlert,
  RetentionPlanSummary,
} from "../../../lib/messages/retention-result.ts";
import type { DeletionPolicyConfig } from "../../../lib/policy/config.ts";
import type { RunDescription } from "../../../lib/retention/report.ts";
import type { Simulator } from "../../../lib/sim/simulator.ts";
import {
  demoLibrarySecrets,
  drain,
  type E2eStackOptions,
  queueUrl,
  startE2eLocalStack,
  until,
} from "./stack-io.ts";

/** A library as the simulator's seed describes it. */
export type SeedLibraryInput = Parameters<Simulator["addLibrary"]>[0];

export interface RetentionStack {
  readonly stack: LocalStack;
  readonly sim: Simulator;
  /** Every result read so far, in the order read, with its body as it was on the queue. */
  readonly received: { result: ResultMessage; body: string }[];
  /** Bodies on the results queue that are not results (must stay empty). */
  readonly unreadable: string[];
  /** Every runner event, from the start. */
  readonly events: RunnerEvent[];
  /** Handler log lines, when captured. */
  readonly logLines: string[];
  summaries(): RetentionPlanSummary[];
  alerts(): RetentionAlert[];
  deletions(): DeletionResult[];
  /** Fires the retention schedule at `time` (a fresh event ID unless `id` is given). */
  fire(time: Date, options?: { id?: string; timeoutSeconds?: number }): Promise<RunDescription>;
  /** Invokes the retention function by hand, as `aws lambda invoke` would. */
  invoke(event: unknown, options?: { timeoutSeconds?: number }): Promise<RunDescription>;
  /** Message IDs of the deletion jobs the delete function has been handed, each once. */
  jobMessagesDelivered(): Set<string>;
  /** Invocations of the retention function from its continuation queue. */
  continuationInvocations(): number;
  until(what: string, condition: () => boolean, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface RetentionStackOptions extends E2eStackOptions {
  /** Libraries to add to the simulator before anything runs. */
  readonly libraries: readonly SeedLibraryInput[];
  /** Policy entries for them (merged into the demo policy). */
  readonly policy: DeletionPolicyConfig["libraries"];
  /** The rules the retention function runs with (YAML or JSON text). */
  readonly rules: string;
  /** Seeds what `libraries` cannot hold cheaply (100,000 directories), before the stack runs. */
  readonly seed?: (sim: Simulator) => void;
}

/** Starts the stack; see the module comment. */
export async function startRetentionStack(options: RetentionStackOptions): Promise<RetentionStack> {
  const policy: DeletionPolicyConfig = demoPolicy();
  Object.assign(policy.libraries, options.policy);
  const secrets = demoLibrarySecrets();
  for (const library of options.libraries) secrets[library.id] = library.secret;

  const e2e = await startE2eLocalStack({
    visibilityTimeoutSeconds: options.visibilityTimeoutSeconds,
    captureLogs: options.captureLogs,
    policy,
    secrets,
    env: { RETENTION_RULES: options.rules, ...options.env },
  });
  const { stack, sim, events, logLines } = e2e;
  for (const library of options.libraries) sim.addLibrary(library);
  options.seed?.(sim);

  const received: { result: ResultMessage; body: string }[] = [];
  const unreadable: string[] = [];
  const draining = new AbortController();
  const resultsUrl = queueUrl(stack, "results");
  const drained = drain(stack.sqs, resultsUrl, draining.signal, (body) => {
    const parsed = parseResultMessage(body);
    if (parsed.ok) received.push({ result: parsed.result, body });
    else unreadable.push(body);
  });
  const describe = async (invocation: Promise<{ response: unknown }>) =>
    (await invocation).response as RunDescription;

  let stopping: Promise<void> | undefined;
  return {
    stack,
    sim,
    received,
    unreadable,
    events,
    logLines,
    summaries: () =>
      received.flatMap(({ result }) => (result.type === "retention-plan" ? [result] : [])),
    alerts: () =>
      received.flatMap(({ result }) => (result.type === "retention-alert" ? [result] : [])),
    deletions: () => received.flatMap(({ result }) => (result.type === "deletion" ? [result] : [])),
    fire: (time, fire = {}) =>
      describe(
        stack.invokeScheduled("retentionScan", {
          time,
          ...(fire.id ? { id: fire.id } : {}),
          ...(fire.timeoutSeconds ? { timeoutSeconds: fire.timeoutSeconds } : {}),
        }),
      ),
    invoke: (event, options) => describe(stack.invoke("retentionScan", event, options)),
    jobMessagesDelivered: () =>
      new Set(
        events.flatMap((event) =>
          event.type === "invocation-started" && event.functionName === "deleteDirectories"
            ? event.messageIds
            : [],
        ),
      ),
    continuationInvocations: () =>
      events.filter(
        (event) => event.type === "invocation-started" && event.functionName === "retentionScan",
      ).length,
    until: (what, condition, timeoutMs = 60_000) => until(what, condition, timeoutMs),
    stop() {
      stopping ??= (async () => {
        draining.abort();
        await drained;
        await e2e.stop();
      })();
      return stopping;
    },
  };
}
