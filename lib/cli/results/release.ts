import { changeVisibilityBatch, type ReceiptEntry } from "../../queues/acknowledge.ts";
import type { SqsSender } from "../../queues/sqs-sender.ts";

/** Outcome of {@link release}. */
export interface ReleaseResult {
  /** Messages made visible again. */
  done: number;
  /** Messages whose visibility could not be changed: they come back when their timeout ends. */
  failed: { id: string; code: string; message: string }[];
}

/**
 * Makes received messages visible again at once (visibility timeout 0), for a reader that leaves
 * them on the queue (`--keep`, `--tail`, or an archive that could not be written).
 */
export async function release(
  sqs: SqsSender,
  queueUrl: string,
  receipts: readonly ReceiptEntry[],
): Promise<ReleaseResult> {
  const result = await changeVisibilityBatch(
    sqs,
    queueUrl,
    receipts.map((receipt) => ({ ...receipt, visibilityTimeoutSeconds: 0 })),
  );
  return {
    done: result.changed.length,
    failed: result.failed.map(({ id, code, message }) => ({ id, code, message })),
  };
}
