import type { BatchEntryFailure } from "../queues/errors.ts";

/** How an invocation ended, from the event source's point of view. */
export type InvocationOutcome =
  /** Returned; every record is deleted. */
  | "success"
  /** Returned batchItemFailures; the other records are deleted. */
  | "partial-failure"
  /** Threw or rejected; nothing is deleted. */
  | "error"
  /** Still running when the function timeout passed; nothing is deleted. */
  | "timeout"
  /** Returned a batch response Lambda rejects; nothing is deleted. */
  | "invalid-response";

/** Everything the runner reports, for tests, demos and logs. */
export type RunnerEvent =
  | { type: "invocation-started"; functionName: string; requestId: string; messageIds: string[] }
  | {
      type: "invocation-finished";
      functionName: string;
      requestId: string;
      outcome: InvocationOutcome;
      messageIds: string[];
      /** Records acknowledged (deleted from the queue). */
      deleted: string[];
      /** Records left in the queue, to come back after the visibility timeout. */
      failed: string[];
      durationMs: number;
      /** What the handler threw (outcome `error`). */
      error?: unknown;
      /** Why the response was rejected (outcome `invalid-response`). */
      reason?: string;
    }
  | { type: "records-deleted"; functionName: string; requestId: string; messageIds: string[] }
  | {
      type: "delete-failed";
      functionName: string;
      requestId: string;
      /** Ids are messageIds; these messages will be delivered again. */
      failures: BatchEntryFailure[];
    }
  | {
      /** A handler that timed out has finally returned or thrown; its slot is free again. */
      type: "timed-out-handler-settled";
      functionName: string;
      requestId: string;
      settled: "returned" | "threw";
    }
  | {
      /** Received but never invoked (the runner stopped): made visible again at once. */
      type: "messages-released";
      functionName: string;
      messageIds: string[];
    }
  | {
      type: "error";
      functionName: string;
      stage: "poll" | "invoke" | "release";
      error: unknown;
    };

/** Receives runner events. Must not throw; an error it throws is reported as a process warning. */
export type RunnerListener = (event: RunnerEvent) => void;

/** A set of listeners; the runner owns one. */
export interface EventHub {
  on(listener: RunnerListener): () => void;
  emit(event: RunnerEvent): void;
}

/** Creates an {@link EventHub}. A failing listener never disturbs the runner or other listeners. */
export function createEventHub(): EventHub {
  const listeners = new Set<RunnerListener>();
  return {
    on(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    emit(event) {
      for (const listener of listeners) {
        try {
          listener(event);
        } catch (error) {
          process.emitWarning(
            `a local runner event listener threw on "${event.type}": ${error instanceof Error ? error.message : String(error)}`,
          );
        }
      }
    },
  };
}
