/**
 * One Lambda container of the fleet scenario (bench/fleet.ts): a process of its own that imports the
 * real delete-directories handler — its own module instance, SMH client and limiter, as a Lambda
 * execution environment has — and runs the invocations the scenario's event source sends it over
 * the IPC channel, one at a time. Started with `fork`, the handler's environment in `process.env`.
 *
 * Every SMH answer is logged (time, whether it was a 429, whether it was a token route) by wrapping
 * `fetch` before the handler is imported: the SMH client binds `fetch` at cold start, so it sends
 * through the wrapper. The log goes back to the scenario when it says `stop`.
 */
import { fileURLToPath } from "node:url";
import { loadHandler } from "../lib/local/handler-module.ts";
import { createLambdaContext } from "../lib/local/lambda-context.ts";
import type { ContainerMessage, ScenarioMessage, SmhAnswerLog } from "./fleet-protocol.ts";

const HANDLER = "handlers/delete-directories.handler";
// Not stack.ts's REPO_ROOT: importing it would load the simulator and fauxqs into the container.
const REPO_ROOT = fileURLToPath(new URL("../", import.meta.url));

const answers: SmhAnswerLog = { at: [], throttled: [], token: [] };
const originalFetch = globalThis.fetch.bind(globalThis);
globalThis.fetch = async (input, init) => {
  const response = await originalFetch(input, init);
  const url = new URL(input instanceof Request ? input.url : String(input));
  answers.at.push(performance.timeOrigin + performance.now());
  answers.throttled.push(response.status === 429 ? 1 : 0);
  answers.token.push(url.pathname.startsWith("/api/v1/token") ? 1 : 0);
  return response;
};

function send(message: ContainerMessage): Promise<void> {
  return new Promise((resolve, reject) => {
    process.send?.(message, undefined, {}, (error) => (error ? reject(error) : resolve()));
  });
}

const handler = await loadHandler(REPO_ROOT, HANDLER);

process.on("message", (message: ScenarioMessage) => {
  if (message.type === "stop") {
    void send({ type: "log", answers }).then(() => process.exit(0));
    return;
  }
  const context = createLambdaContext({
    functionName: message.functionName,
    timeoutMs: message.remainingMs,
    awsRegion: message.awsRegion,
    awsRequestId: message.requestId,
  });
  Promise.resolve()
    .then(() => handler(message.event, context))
    .then(
      (value) => send({ type: "returned", id: message.id, value }),
      (error: unknown) =>
        send({
          type: "threw",
          id: message.id,
          error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        }),
    )
    .catch(() => process.exit(1));
});

await send({ type: "ready" });
