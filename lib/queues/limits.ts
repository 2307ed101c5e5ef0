/**
 * The SQS API limits this module plans around. Kept in one place so a limit change (AWS raised the
 * message size to 1 MiB in 2025; emulators and older queues still enforce 256 KiB) is one edit.
 */

/** Entries allowed in one SendMessageBatch / DeleteMessageBatch / ChangeMessageVisibilityBatch. */
export const MAX_BATCH_ENTRIES = 10;

/**
 * Default cap on the summed size of one SendMessageBatch request, and on one message.
 * 256 KiB is accepted by every SQS-compatible endpoint and by queues created before 2025.
 */
export const DEFAULT_MAX_BATCH_BYTES = 256 * 1024;

/** Messages one ReceiveMessage call may return. */
export const MAX_RECEIVE_MESSAGES = 10;

/** Longest long poll one ReceiveMessage call may ask for. */
export const MAX_WAIT_SECONDS = 20;

/** Longest per-message delay SQS accepts. */
export const MAX_DELAY_SECONDS = 900;

/** Longest visibility timeout SQS accepts (12 hours). */
export const MAX_VISIBILITY_TIMEOUT_SECONDS = 43_200;
