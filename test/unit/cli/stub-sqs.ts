import type { SqsSender } from "../../../lib/queues/sqs-sender.ts";

/** One call as the stub saw it: the command's name and input. */
export interface SeenCall {
  command: string;
  input: Record<string, unknown>;
}

/** Answers per command name (`ReceiveMessageCommand`, …); a missing one answers `{}`. */
export type Handlers = Record<string, (input: Record<string, unknown>, call: number) => unknown>;

/**
 * A stand-in SQS client for the CLI's unit tests: records every call and answers with the
 * handler for its command. Integration tests use fauxqs instead.
 */
export function scriptedSqs(handlers: Handlers): { sqs: SqsSender; calls: SeenCall[] } {
  const calls: SeenCall[] = [];
  const counts = new Map<string, number>();
  const send = async (command: { constructor: { name: string }; input: unknown }) => {
    const name = command.constructor.name;
    const input = structuredClone(command.input) as Record<string, unknown>;
    calls.push({ command: name, input });
    const count = counts.get(name) ?? 0;
    counts.set(name, count + 1);
    const answer = handlers[name]?.(input, count) ?? {};
    if (answer instanceof Error) throw answer;
    return answer;
  };
  return { sqs: { send } as unknown as SqsSender, calls };
}

/** Accepts every entry of a batch request. */
export function acceptEntries(input: Record<string, unknown>) {
  const entries = input.Entries as { Id: string }[];
  return { Successful: entries.map((entry) => ({ Id: entry.Id })), Failed: [] };
}
