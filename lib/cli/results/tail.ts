/**
 * `results --tail`: follows the results queue, printing each new result once (a duplicate by
 * dedupKey is hidden, unless it carries the restore handle the first one lacked), until Ctrl-C.
 * Nothing is deleted; the messages it shows stay hidden from other readers while it runs (their
 * visibility timeout is renewed each time they are received again), and are released on exit.
 */

import type { LedgerSelectors } from "../../ledger/select.ts";
import { receive } from "../../queues/receive.ts";
import { createQueueContext } from "../context.ts";
import { ExitCode } from "../exit-codes.ts";
import { listenForInterrupt } from "../interrupt.ts";
import type { QueueLocationFlags } from "../options.ts";
import { info, type OutputFlags, printLine, warn } from "../output.ts";
import { ResultCollector } from "./collector.ts";
import { describeResult } from "./describe.ts";
import { HeldMessages, messageMatches } from "./filter.ts";
import { release } from "./release.ts";

/** Each poll; Ctrl-C takes effect after the current one (see `lib/cli/receive-loop.ts`). */
const TAIL_POLL_SECONDS = 2;

/**
 * Follows the results queue until SIGINT/SIGTERM; prints NDJSON with `--json`. With `filter`, only
 * the results it selects are shown (the others are held like the rest, and released on exit).
 * Exits 0.
 */
export async function followResults(
  flags: QueueLocationFlags & OutputFlags,
  filter?: LedgerSelectors,
): Promise<ExitCode> {
  const context = await createQueueContext(flags);
  const interrupt = listenForInterrupt();
  const collector = new ResultCollector();
  const held = new HeldMessages();
  try {
    const queue = await context.queue("results");
    info(flags, `following ${queue.url} (Ctrl-C stops; nothing is deleted)`);
    while (!interrupt.requested) {
      // Never cancelled mid-poll: a dropped poll would hide the messages it was handed.
      const messages = await receive(context.sqs, queue.url, {
        waitTimeSeconds: TAIL_POLL_SECONDS,
      });
      for (const message of messages) {
        if (filter !== undefined && !messageMatches(message, filter)) {
          held.add(message);
          continue;
        }
        const collected = collector.add(message);
        if (collected.kind === "new" || collected.kind === "replaced") {
          printLine(
            flags.json ? JSON.stringify(collected.result) : describeResult(collected.result),
          );
        } else if (collected.kind === "invalid") {
          const reasons = collected.invalid.reasons.map((reason) => reason.message).join("; ");
          warn(`not a valid result: message ${collected.invalid.messageId}: ${reasons}`);
        }
      }
    }
    const released = await release(context.sqs, queue.url, [
      ...collector.receipts(),
      ...held.receipts(),
    ]);
    info(
      flags,
      `stopped: ${collector.results.size} results shown (${collector.results.duplicates} duplicates hidden), ${collector.invalid.length} invalid; ${released.done} messages released`,
    );
    return ExitCode.ok;
  } finally {
    interrupt.dispose();
    context.close();
  }
}
