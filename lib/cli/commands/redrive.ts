import { Command, Option } from "commander";
import { readQueueAttributes } from "../../queues/attributes.ts";
import { queueDepths } from "../../queues/depths.ts";
import { createQueueContext } from "../context.ts";
import { CliError } from "../errors.ts";
import { ExitCode } from "../exit-codes.ts";
import { listenForInterrupt } from "../interrupt.ts";
import {
  addOutputOptions,
  addQueueLocationOptions,
  nonNegativeSeconds,
  positiveInteger,
  type QueueLocationFlags,
} from "../options.ts";
import { info, type OutputFlags, printJson, printLine, warn } from "../output.ts";
import { progressWanted, startProgress } from "../progress.ts";
import { redriveByCopy } from "../redrive/copy.ts";
import { redriveByMoveTask } from "../redrive/move-task.ts";

const SOURCES = ["jobs", "recycle-actions"] as const;
type Source = (typeof SOURCES)[number];
const METHODS = ["move-task", "copy"] as const;
type Method = (typeof METHODS)[number];

interface RedriveFlags extends QueueLocationFlags, OutputFlags {
  queue: Source;
  method?: Method;
  max?: number;
  idleSeconds: number;
  wait: boolean;
}

const HELP = `
Moves the messages of a dead-letter queue (jobs-dlq or recycle-actions-dlq) back to its source
queue, to be processed again.
  move-task  (default on AWS) SQS's StartMessageMoveTask moves them server-side; the command waits
             for the task and reports how many moved (Ctrl-C cancels the task; moved messages
             stay moved). --no-wait returns once the task started.
  copy       (default elsewhere) receive, send to the source queue with the same body and message
             attributes (and a smhCleanerRedrivenAt mark), and delete from the dead-letter queue
             only after the send was accepted, until the DLQ stays empty for --idle-seconds or
             --max messages moved. A message whose send failed stays in the DLQ, and the redrive
             stops.
A job (command) the handler gave up carries that in its message: moved back either way, it gets a
fresh retry budget, and its new results carry "supersedes" naming the failed result they replace
(smh-cleaner results then drops that failed result).

Exit codes: 0 ok, 1 a message could not be moved (it is still in the DLQ), was moved but not
  deleted from the DLQ, or the move task failed, 2 usage, 5 SQS or a queue unavailable,
  130 interrupted.

Examples:
  smh-cleaner redrive --queue jobs
  smh-cleaner redrive --queue recycle-actions --method copy --max 100 --json`;

/** `smh-cleaner redrive`: moves dead-lettered messages back to their source queue. */
export function redriveCommand(): Command {
  const command = new Command("redrive")
    .description("Move dead-lettered messages back to their source queue")
    .addOption(
      new Option("--queue <queue>", "the source queue whose DLQ to empty")
        .choices(SOURCES)
        .makeOptionMandatory(),
    )
    .addOption(
      new Option(
        "--method <method>",
        "move-task (default on AWS) or copy (default elsewhere)",
      ).choices(METHODS),
    )
    .option("--max <n>", "move at most this many messages (copy only)", positiveInteger)
    .option(
      "--idle-seconds <seconds>",
      "copy: stop once the DLQ stayed empty this long",
      nonNegativeSeconds,
      3,
    )
    .option("--no-wait", "move-task: return once the task started");
  addOutputOptions(command, "print the outcome as JSON");
  addQueueLocationOptions(command, ["jobs", "jobs-dlq", "recycle-actions", "recycle-actions-dlq"]);
  return command.addHelpText("after", HELP).action(async (flags: RedriveFlags) => {
    process.exitCode = await redrive(flags);
  });
}

async function redrive(flags: RedriveFlags): Promise<ExitCode> {
  const context = await createQueueContext(flags);
  const method: Method = flags.method ?? (context.isAws ? "move-task" : "copy");
  if (method === "move-task" && flags.max !== undefined) {
    context.close();
    throw new CliError(
      ExitCode.usage,
      "--max needs --method copy: a move task moves every message",
    );
  }
  const interrupt = listenForInterrupt(() => info(flags, "stopping after the current batch"));
  try {
    const source = await context.queue(flags.queue);
    const deadLetter = await context.queue(`${flags.queue}-dlq`);
    const showProgress = progressWanted(flags);
    if (method === "move-task") {
      const [{ QueueArn: sourceArn }, { QueueArn: deadLetterArn }] = await Promise.all([
        readQueueAttributes(context.sqs, source.url, ["QueueArn"]),
        readQueueAttributes(context.sqs, deadLetter.url, ["QueueArn"]),
      ]);
      if (!sourceArn || !deadLetterArn) {
        throw new CliError(ExitCode.unavailable, "SQS did not report the queues' ARNs");
      }
      const progress = startProgress(showProgress && flags.wait, "redrive", 0);
      const result = await redriveByMoveTask(context.sqs, deadLetterArn, sourceArn, {
        wait: flags.wait,
        signal: interrupt.signal,
        onProgress: (moved, toMove) => {
          if (toMove !== undefined) progress.setTotal(toMove);
          progress.setValue(moved);
        },
      });
      progress.stop();
      if (flags.json) {
        printJson({ queue: flags.queue, from: deadLetter.url, to: source.url, method, ...result });
      } else {
        printLine(
          `move task ${result.taskHandle}: ${result.status}, ${result.moved} messages moved from ${deadLetter.url} to ${source.url}`,
        );
        if (result.failureReason) warn(`the move task failed: ${result.failureReason}`);
      }
      if (result.interrupted) return ExitCode.interrupted;
      const ok = result.status === "COMPLETED" || (!flags.wait && result.status === "RUNNING");
      return ok ? ExitCode.ok : ExitCode.failure;
    }

    const estimate = showProgress ? (await queueDepths(context.sqs, deadLetter.url)).visible : 0;
    const progress = startProgress(showProgress, "redrive", flags.max ?? estimate);
    const result = await redriveByCopy(context.sqs, deadLetter.url, source.url, {
      idleSeconds: flags.idleSeconds,
      signal: interrupt.signal,
      onMoved: (count) => progress.increment(count),
      ...(flags.max === undefined ? {} : { max: flags.max }),
    });
    progress.stop();
    if (flags.json) {
      printJson({ queue: flags.queue, from: deadLetter.url, to: source.url, method, ...result });
    } else {
      for (const failure of result.notSent) {
        warn(
          `not moved (still in the DLQ): message ${failure.messageId}: ${failure.code}: ${failure.message}`,
        );
      }
      for (const failure of result.notDeleted) {
        warn(
          `moved but not deleted from the DLQ (now in both): message ${failure.messageId}: ${failure.code}: ${failure.message}`,
        );
      }
      printLine(`moved ${result.moved} messages from ${deadLetter.url} to ${source.url}`);
    }
    if (result.notSent.length > 0 || result.notDeleted.length > 0) return ExitCode.failure;
    return result.interrupted ? ExitCode.interrupted : ExitCode.ok;
  } finally {
    interrupt.dispose();
    context.close();
  }
}
