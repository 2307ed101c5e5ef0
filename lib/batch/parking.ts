/**
 * Parking: what becomes of work that has no result yet (see docs/architecture.md, "life of one
 * job"). Leaving its record to come back through SQS would spend one of the queue's few receives
 * on every delivery, attempted or not: an SMH outage longer than maxReceiveCount visibility
 * timeouts would dead-letter every waiting job though none was ever tried. So the handler re-sends
 * the record's body to its own queue with a delay (SQS DelaySeconds), carrying a delivery state
 * (`lib/messages/delivery.ts`): real SMH attempts that failed, when the job was first enqueued, and
 * how often it was parked. Then it acknowledges the original record — only once the re-send was
 * accepted; when it was not, the record comes back through the queue as before. Nothing is sent
 * on in the last half of the invocation's publishing reserve: an invocation that timed out after
 * its re-send would leave the job twice on the queue (the copy, and its original coming back).
 * Work with no result to write (not started, or cut by the deadline — a recycle-bin lookup
 * included) is re-sent as soon as the SMH calls end, beside the publishing of the batch's results:
 * waiting for a slow ledger write pushed it past that point, again and again, until its record had
 * used up its receives. Should the invocation die while publishing, such a job is on the queue
 * twice; the second delivery costs a 404 and a lookup, and its result has the same dedupKey.
 *
 * - Not started because the library's circuit is open, or attempted and failed retryably: parked
 *   for `PARK_BASE_DELAY_SECONDS × 2^parkings`, at most `PARK_MAX_DELAY_SECONDS`. Only that
 *   library's jobs are parked: the others of the same batch go on as usual.
 * - Not started because the invocation's time ran short: parked with no delay (nothing is wrong).
 *
 * The retry budget (stated once, here): work is given up — one `failed` result saying which limit,
 * then the record is sent to the dead-letter queue and acknowledged — when
 * 1. `MAX_SMH_ATTEMPTS` real SMH attempts failed (a request that reached SMH and failed
 *    retryably, after the client's own retries; one per delivery at most; not a probe of an open
 *    circuit, whose failure says SMH is still down rather than that this job fails; not a call the
 *    invocation's deadline cut; not a failed follow-up of a request SMH answered — the recycle-bin
 *    lookup after a 404, whose job is done in SMH and may already have its result); or
 * 2. `MAX_JOB_AGE_SECONDS` passed since it was first enqueued (or redriven); or
 * 3. its message was received `maxReceiveCount` times without being finished or parked (handler
 *    timeouts or crashes, or parking that kept failing): SQS would dead-letter it on the next
 *    receive anyway, so it gets its `failed` result now.
 *
 * Why an explicit send to the DLQ rather than SQS's maxReceiveCount: a parked message is a new
 * message whose receive count starts at 1, so SQS could only dead-letter it after failing it
 * maxReceiveCount more times — writing a `failed` result each time, or none. The handler writes
 * the one `failed` result first, then sends the message to the DLQ (marked given up, so a redrive
 * is recognised), then acknowledges it. Should that send fail, the record comes back and is given
 * up again with the same result (same dedupKey: a consumer keeps one); on its last receive SQS
 * moves it itself, the result already written.
 */
import type { MessageAttributeValue } from "@aws-sdk/client-sqs";
import {
  DELIVERY_ATTRIBUTE,
  type DeliveryState,
  encodeDeliveryState,
  REDRIVEN_AT_ATTRIBUTE,
} from "../messages/delivery.ts";
import type { BatchCounters } from "../queues/counters.ts";
import { publish } from "../queues/publish.ts";
import type { SqsSender } from "../queues/sqs-sender.ts";
import type { QueueRecord } from "./records.ts";
import type { ParkingSettings } from "./settings.ts";

/** How the unfinished work of one delivery went. */
export interface UnfinishedWork {
  /** Some of it reached SMH and failed retryably in this delivery (a real attempt). */
  readonly attempted: boolean;
  /**
   * Every unfinished piece waits only for time (the invocation's deadline), none for SMH: parked
   * without a delay.
   */
  readonly onlyOutOfTime: boolean;
}

/** What becomes of unfinished work. */
export type Disposal =
  | {
      readonly kind: "park";
      readonly delaySeconds: number;
      /** The state the re-sent message carries. */
      readonly state: DeliveryState;
    }
  | {
      readonly kind: "give-up";
      /** Why, for the `failed` result: which limit was reached. */
      readonly why: string;
      /** The state the dead-lettered message carries (`gaveUpAt` set). */
      readonly state: DeliveryState;
    };

/** Everything {@link dispose} weighs. */
export interface DisposalInput {
  readonly state: DeliveryState;
  readonly work: UnfinishedWork;
  /** The highest receive count among the work's records. */
  readonly receiveCount: number;
  readonly maxReceiveCount: number;
  readonly settings: ParkingSettings;
  readonly now: number;
}

/** Parks unfinished work, or gives it up when a limit is reached (see the module comment). */
export function dispose(input: DisposalInput): Disposal {
  const { state, work, settings, now } = input;
  const attempts = state.attempts + (work.attempted ? 1 : 0);
  const ageSeconds = Math.max(0, (now - Date.parse(state.budgetFrom)) / 1000);
  const why =
    attempts >= settings.maxSmhAttempts
      ? `given up after ${attempts} failed SMH attempts (MAX_SMH_ATTEMPTS ${settings.maxSmhAttempts})`
      : ageSeconds >= settings.maxJobAgeSeconds
        ? `given up after waiting ${Math.round(ageSeconds)} s since ${state.budgetFrom} (MAX_JOB_AGE_SECONDS ${settings.maxJobAgeSeconds}), ${attempts} failed SMH attempts`
        : input.receiveCount >= input.maxReceiveCount
          ? `given up after ${input.receiveCount} deliveries of one message without finishing or parking it (handler timeouts or crashes; maxReceiveCount ${input.maxReceiveCount}), ${attempts} failed SMH attempts`
          : undefined;
  if (why !== undefined) {
    return {
      kind: "give-up",
      why: `${why}; moving to the DLQ`,
      state: { ...state, attempts, gaveUpAt: new Date(now).toISOString() },
    };
  }
  if (work.onlyOutOfTime) return { kind: "park", delaySeconds: 0, state: { ...state, attempts } };
  return {
    kind: "park",
    delaySeconds: parkDelaySeconds(state.parkings, settings),
    state: { ...state, attempts, parkings: state.parkings + 1 },
  };
}

/** The delay of a job parked `parkings` times before: the base, doubled each time, capped. */
export function parkDelaySeconds(parkings: number, settings: ParkingSettings): number {
  const doubled = settings.parkBaseDelaySeconds * 2 ** Math.min(parkings, 20);
  return Math.min(settings.parkMaxDelaySeconds, doubled);
}

/** One message to re-send: a record's body as received, and its attributes. */
export interface Outgoing {
  readonly body: string;
  readonly attributes: Record<string, MessageAttributeValue>;
  readonly delaySeconds?: number;
}

/**
 * The message that carries `record`'s work on: its body as received, its attributes but the
 * redrive mark (now folded into the state), and `state`.
 */
export function carryOn(
  record: QueueRecord,
  state: DeliveryState,
  delaySeconds?: number,
): Outgoing {
  const attributes: Record<string, MessageAttributeValue> = {};
  for (const [name, { dataType, value }] of Object.entries(record.attributes ?? {})) {
    if (name === REDRIVEN_AT_ATTRIBUTE || name === DELIVERY_ATTRIBUTE) continue;
    attributes[name] = { DataType: dataType, StringValue: value };
  }
  attributes[DELIVERY_ATTRIBUTE] = { DataType: "String", StringValue: encodeDeliveryState(state) };
  return { body: record.body, attributes, ...(delaySeconds === undefined ? {} : { delaySeconds }) };
}

/** What a {@link Parker} call reports: which inputs (by index) the queue accepted. */
export interface SendOutcome {
  readonly sent: ReadonlySet<number>;
  readonly failures: readonly { index: number; code: string; message: string }[];
}

/** Where parked and given-up work goes: the work's own queue, and its dead-letter queue. */
export interface Parker {
  park(messages: readonly Outgoing[]): Promise<SendOutcome>;
  deadLetter(messages: readonly Outgoing[]): Promise<SendOutcome>;
}

/** A {@link Parker} sending to `queueUrl` (parked) and `deadLetterUrl` (given up). */
export function sqsParker(
  sqs: SqsSender,
  queueUrl: string,
  deadLetterUrl: string,
  counters?: BatchCounters,
): Parker {
  const send = async (url: string, messages: readonly Outgoing[]): Promise<SendOutcome> => {
    if (messages.length === 0) return { sent: new Set(), failures: [] };
    const outcome = await publish(
      sqs,
      url,
      messages.map((message, index) => ({
        id: String(index),
        body: message.body,
        attributes: message.attributes,
        ...(message.delaySeconds === undefined ? {} : { delaySeconds: message.delaySeconds }),
      })),
      counters ? { counters } : {},
    );
    return {
      sent: new Set(outcome.sent.map(Number)),
      failures: outcome.failed.map(({ id, code, message }) => ({
        index: Number(id),
        code,
        message,
      })),
    };
  };
  return {
    park: (messages) => send(queueUrl, messages),
    deadLetter: (messages) => send(deadLetterUrl, messages),
  };
}
