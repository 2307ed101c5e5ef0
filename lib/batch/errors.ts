/**
 * Errors of a whole batch of queue records, as Powertools' batch package has them: a small
 * hierarchy to catch by kind, each carrying what is needed to act on it.
 */

/** What went wrong with a whole batch; narrow on `kind`. */
export type BatchProcessingErrorKind = "full-batch-failure";

/** Something about a whole batch of queue records; see the subclasses. */
export class BatchProcessingError extends Error {
  override readonly name: string = "BatchProcessingError";
  readonly kind: BatchProcessingErrorKind;

  constructor(kind: BatchProcessingErrorKind, message: string) {
    super(message);
    this.kind = kind;
  }
}

/**
 * The whole batch is failed on purpose: SMH keeps failing for a library (its circuit is open) and
 * nothing in the batch could be done. The handler throws it so Lambda slows its polling; every
 * record comes back through the queue (none was on its last receive, none had a result).
 */
export class FullBatchFailureError extends BatchProcessingError {
  override readonly name = "FullBatchFailureError";
  /** The library whose circuit is open. */
  readonly libraryId: string;
  /** The message IDs of every record of the batch, all of which come back. */
  readonly messageIds: readonly string[];

  constructor(libraryId: string, messageIds: readonly string[]) {
    super(
      "full-batch-failure",
      `SMH keeps failing for library ${libraryId} (circuit open): failing the whole batch so polling slows down`,
    );
    this.libraryId = libraryId;
    this.messageIds = messageIds;
  }
}
