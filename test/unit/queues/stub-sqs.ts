import type { BatchResultErrorEntry } from "@aws-sdk/client-sqs";
import type { SqsSender } from "../../../lib/queues/sqs-sender.ts";

/** One batch request as the stub saw it. */
export interface SeenRequest {
  command: string;
  entries: { Id: string; [key: string]: unknown }[];
}

/** What the stub answers for one request: a batch response, or an error to throw. */
export type Responder = (
  request: SeenRequest,
  callIndex: number,
) =>
  | { Successful?: { Id: string }[]; Failed?: BatchResultErrorEntry[] }
  | Error
  | Promise<{ Successful?: { Id: string }[]; Failed?: BatchResultErrorEntry[] } | Error>;

/** Accepts every entry. */
export const acceptAll: Responder = (request) => ({
  Successful: request.entries.map((entry) => ({ Id: entry.Id })),
});

/**
 * A stand-in SQS client for batch actions: records every request (command name and entries) and
 * answers with `responder`. Only for unit tests; integration tests use fauxqs.
 */
export function stubSqs(responder: Responder = acceptAll): { sqs: SqsSender; seen: SeenRequest[] } {
  const seen: SeenRequest[] = [];
  const send = async (command: { constructor: { name: string }; input: unknown }) => {
    const input = command.input as { Entries?: SeenRequest["entries"] };
    const request = {
      command: command.constructor.name,
      entries: structuredClone(input.Entries ?? []),
    };
    seen.push(request);
    const answer = await responder(request, seen.length - 1);
    if (answer instanceof Error) throw answer;
    return answer;
  };
  return { sqs: { send } as unknown as SqsSender, seen };
}

/** An SDK-like service error. */
export function serviceError(name: string, fault: "client" | "server"): Error {
  return Object.assign(new Error(`${name} happened`), { name, $fault: fault });
}
