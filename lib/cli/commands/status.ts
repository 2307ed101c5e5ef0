import { Command } from "commander";
import { fauxqsOldestMessageAge } from "../../local/fauxqs-age.ts";
import { STACK_QUEUE_KEYS, type StackQueueKey } from "../../local/stack-file.ts";
import { type OldestMessageAgeProbe, type QueueDepths, queueDepths } from "../../queues/depths.ts";
import { createQueueContext, type QueueContext } from "../context.ts";
import { CliError } from "../errors.ts";
import { ExitCode } from "../exit-codes.ts";
import { addQueueLocationOptions, type QueueLocationFlags } from "../options.ts";
import { type OutputFlags, printJson, printLine, table } from "../output.ts";

interface StatusFlags extends QueueLocationFlags, OutputFlags {
  failOnDlq?: boolean;
}

/** Each source queue's dead-letter queue. */
const DEAD_LETTER: Partial<Record<StackQueueKey, StackQueueKey>> = {
  jobs: "jobs-dlq",
  "recycle-actions": "recycle-actions-dlq",
  "retention-continuations": "retention-continuations-dlq",
};

/** One queue in the status report. */
export interface QueueStatus {
  url: string | null;
  configured: boolean;
  visible?: number;
  inFlight?: number;
  delayed?: number;
  /** Seconds; `null` where the endpoint cannot tell (AWS: CloudWatch ApproximateAgeOfOldestMessage). */
  oldestMessageAgeSeconds?: number | null;
  /** For a source queue: its dead-letter queue and how many messages wait there. */
  deadLetter?: { queue: StackQueueKey; visible: number | null };
}

const HELP = `
For each queue (jobs, jobs-dlq, results, recycle-actions, recycle-actions-dlq,
retention-continuations, retention-continuations-dlq): messages visible,
in flight (received, not yet deleted), delayed, and the age of the oldest message — on the local
stack (fauxqs) only; on AWS it is "unavailable" (see the CloudWatch metric
ApproximateAgeOfOldestMessage). Source queues also show their dead-letter queue's depth.
A queue that is configured nowhere is listed as not configured.

--json prints {"endpoint", "queues": {"jobs": {"url", "visible", "inFlight", "delayed",
"oldestMessageAgeSeconds", "deadLetter": {"queue", "visible"}}, …}}.

Exit codes: 0 ok, 1 a dead-letter queue holds messages (only with --fail-on-dlq), 2 usage,
  5 SQS unavailable or no queue configured.`;

/** `smh-cleaner status`: queue depths, dead-letter depths and oldest-message ages. */
export function statusCommand(): Command {
  const command = new Command("status")
    .description("Show the depth of every queue and its dead-letter queue")
    .option("--json", "print the status as JSON")
    .option("--fail-on-dlq", "exit 1 when a dead-letter queue holds messages (for monitoring)");
  addQueueLocationOptions(command, STACK_QUEUE_KEYS);
  return command.addHelpText("after", HELP).action(async (flags: StatusFlags) => {
    process.exitCode = await status(flags);
  });
}

async function status(flags: StatusFlags): Promise<ExitCode> {
  const context = await createQueueContext(flags);
  try {
    const statuses = await readStatuses(context);
    if (Object.values(statuses).every((entry) => !entry.configured)) {
      await context.queue("jobs"); // throws the "not configured" error with what to set
      throw new CliError(ExitCode.unavailable, "no queue is configured");
    }
    if (flags.json) printJson({ endpoint: context.endpoint ?? null, queues: statuses });
    else printLine(render(statuses, context.isAws));
    const dlqHasMessages = Object.entries(statuses).some(
      ([key, entry]) => key.endsWith("-dlq") && (entry.visible ?? 0) + (entry.inFlight ?? 0) > 0,
    );
    return flags.failOnDlq && dlqHasMessages ? ExitCode.failure : ExitCode.ok;
  } finally {
    context.close();
  }
}

async function readStatuses(context: QueueContext): Promise<Record<StackQueueKey, QueueStatus>> {
  const probe: OldestMessageAgeProbe | undefined =
    context.isAws || context.endpoint === undefined
      ? undefined
      : fauxqsOldestMessageAge(context.endpoint);
  const depths = new Map<StackQueueKey, { url: string; depths: QueueDepths } | undefined>();
  await Promise.all(
    STACK_QUEUE_KEYS.map(async (key) => {
      const queue = await context.optionalQueue(key);
      if (queue === undefined) {
        depths.set(key, undefined);
        return;
      }
      const safeProbe: OldestMessageAgeProbe | undefined = probe
        ? (url) => probe(url).catch(() => undefined)
        : undefined;
      const found = await queueDepths(
        context.sqs,
        queue.url,
        safeProbe ? { oldestMessageAge: safeProbe } : {},
      );
      depths.set(key, { url: queue.url, depths: found });
    }),
  );
  const statuses = {} as Record<StackQueueKey, QueueStatus>;
  for (const key of STACK_QUEUE_KEYS) {
    const entry = depths.get(key);
    if (entry === undefined) {
      statuses[key] = { url: null, configured: false };
      continue;
    }
    const status: QueueStatus = {
      url: entry.url,
      configured: true,
      visible: entry.depths.visible,
      inFlight: entry.depths.inFlight,
      delayed: entry.depths.delayed,
      oldestMessageAgeSeconds: entry.depths.oldestMessageAgeSeconds ?? null,
    };
    const deadLetterKey = DEAD_LETTER[key];
    if (deadLetterKey !== undefined) {
      status.deadLetter = {
        queue: deadLetterKey,
        visible: depths.get(deadLetterKey)?.depths.visible ?? null,
      };
    }
    statuses[key] = status;
  }
  return statuses;
}

function render(statuses: Record<StackQueueKey, QueueStatus>, isAws: boolean): string {
  const rows = STACK_QUEUE_KEYS.map((key) => {
    const entry = statuses[key];
    if (!entry.configured) return [key, "not configured", "", "", "", ""];
    const age =
      entry.oldestMessageAgeSeconds === null || entry.oldestMessageAgeSeconds === undefined
        ? isAws
          ? "unavailable"
          : "?"
        : formatAge(entry.oldestMessageAgeSeconds);
    const deadLetter = entry.deadLetter
      ? entry.deadLetter.visible === null
        ? "?"
        : String(entry.deadLetter.visible)
      : "";
    return [
      key,
      String(entry.visible),
      String(entry.inFlight),
      String(entry.delayed),
      age,
      deadLetter,
    ];
  });
  return table(["queue", "visible", "in flight", "delayed", "oldest", "in DLQ"], rows);
}

function formatAge(seconds: number): string {
  if (seconds < 120) return `${Math.round(seconds)}s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)}m`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)}h`;
  return `${Math.round(seconds / 86_400)}d`;
}
