import type { SQSRecord } from "aws-lambda";
import { MAX_RECEIVE_MESSAGES } from "../queues/limits.ts";
import { receive } from "../queues/receive.ts";
import type { SqsSender } from "../queues/sqs-sender.ts";
import { type EventSource, recordBytes, toSqsRecord } from "./sqs-event.ts";

/** Lambda's limit on a synchronous invocation payload, which caps one SQS batch. */
export const MAX_EVENT_BYTES = 6 * 1024 * 1024;

/** What one poller gathers from. */
export interface GatherSetup {
  sqs: SqsSender;
  queueUrl: string;
  source: EventSource;
  batchSize: number;
  /** The batching window; 0 means one ReceiveMessage call per batch. */
  windowMs: number;
  /** Longest long-poll wait of one ReceiveMessage (1–20 s). */
  pollWaitSeconds: number;
  /**
   * Ends the gathering after the ReceiveMessage in progress returns; records already received are
   * returned, none are lost. The poll itself is not cancelled: a poll cut off mid-wait can still
   * hand messages to a connection nobody reads (fauxqs does), hiding them until their visibility
   * timeout passes.
   */
  signal: AbortSignal;
  /** Payload cap for the event (default {@link MAX_EVENT_BYTES}). */
  maxEventBytes?: number;
}

const EVENT_ENVELOPE_BYTES = Buffer.byteLength('{"Records":[]}');

/**
 * Gathers one batch the way Lambda's SQS pollers do. The first ReceiveMessage long-polls until a
 * message arrives; from then on, more ReceiveMessage calls (≤ 10 messages each) add to the batch
 * until it holds `batchSize` records, the batching window that started with the first record has
 * passed, or the event would exceed the payload cap. Long polls are whole seconds, so a window
 * can overrun by under a second while the queue is empty. Records that arrived but do not fit
 * under the payload cap are pushed onto `carry`, which also supplies the start of the batch:
 * the poller keeps them for its next batch instead of dropping them.
 */
export async function gatherBatch(setup: GatherSetup, carry: SQSRecord[]): Promise<SQSRecord[]> {
  const maxBytes = setup.maxEventBytes ?? MAX_EVENT_BYTES;
  const records: SQSRecord[] = [];
  let bytes = EVENT_ENVELOPE_BYTES;
  const add = (record: SQSRecord): boolean => {
    const size = recordBytes(record);
    // The first record always goes in: one SQS message is far below the payload cap.
    if (records.length >= setup.batchSize || (records.length > 0 && bytes + size > maxBytes)) {
      return false;
    }
    records.push(record);
    bytes += size;
    return true;
  };
  const carried = carry.splice(0, carry.length);
  const taken = carried.findIndex((record) => !add(record));
  if (taken !== -1) carry.push(...carried.slice(taken));
  let deadline = records.length > 0 ? Date.now() + setup.windowMs : undefined;

  while (records.length < setup.batchSize && carry.length === 0 && !setup.signal.aborted) {
    let waitTimeSeconds = setup.pollWaitSeconds;
    if (deadline !== undefined) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      waitTimeSeconds = Math.min(setup.pollWaitSeconds, Math.ceil(remaining / 1000));
    }
    let messages: Awaited<ReturnType<typeof receive>>;
    try {
      messages = await receive(setup.sqs, setup.queueUrl, {
        maxMessages: Math.min(MAX_RECEIVE_MESSAGES, setup.batchSize - records.length),
        waitTimeSeconds,
      });
    } catch (error) {
      // With records in hand, invoke with them; the next poll meets the error again if it lasts.
      if (records.length > 0) break;
      throw error;
    }
    for (const message of messages) {
      const record = toSqsRecord(message, setup.source);
      if (carry.length > 0 || !add(record)) carry.push(record);
    }
    if (records.length > 0 && deadline === undefined) deadline = Date.now() + setup.windowMs;
    if (setup.windowMs === 0 && records.length > 0) break;
  }
  return records;
}
