/**
 * A local stack for the producer examples: the simulator's demo library, the delete function in
 * the local runner, and the results queue drained in the background into results by jobId, so a
 * test sends jobs the way the example does and waits for their results.
 */
import { type LocalStack, startLocalStack } from "../../../lib/local/stack.ts";
import { type DeletionResult, parseResultMessage } from "../../../lib/messages/index.ts";
import type { Simulator } from "../../../lib/sim/index.ts";
import { drain, queueUrl, until } from "./stack-io.ts";

export interface ProducerStack {
  readonly stack: LocalStack;
  readonly sim: Simulator;
  readonly jobsQueueUrl: string;
  /** Waits (up to a minute) for the deletion result of each job, and returns them in order. */
  resultsOf(jobIds: readonly string[]): Promise<DeletionResult[]>;
  stop(): Promise<void>;
}

/** Starts the stack, on fauxqs or on `sqsEndpoint` (another SQS implementation). */
export async function startProducerStack(sqsEndpoint?: string): Promise<ProducerStack> {
  const stack = await startLocalStack({
    hostEnv: {},
    pollWaitSeconds: 1,
    visibilityTimeoutSeconds: 8,
    env: { POWERTOOLS_LOG_LEVEL: "SILENT" },
    ...(sqsEndpoint === undefined ? {} : { endpoints: { sqs: sqsEndpoint } }),
  });
  const sim = stack.sim;
  if (sim === undefined) throw new Error("the producer examples run against the simulator");
  const results = new Map<string, DeletionResult>();
  const draining = new AbortController();
  const drained = drain(stack.sqs, queueUrl(stack, "results"), draining.signal, (body) => {
    const parsed = parseResultMessage(body);
    if (parsed.ok && parsed.result.type === "deletion") {
      results.set(parsed.result.jobId, parsed.result);
    }
  });
  return {
    stack,
    sim,
    jobsQueueUrl: queueUrl(stack, "jobs"),
    async resultsOf(jobIds) {
      await until(
        `the results of ${jobIds.join(", ")}`,
        () => jobIds.every((jobId) => results.has(jobId)),
        60_000,
      );
      return jobIds.map((jobId) => results.get(jobId) as DeletionResult);
    },
    async stop() {
      draining.abort();
      await drained;
      await stack.stop();
    },
  };
}
