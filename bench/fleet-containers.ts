/**
 * The fleet scenario's Lambda containers, seen from the scenario: each a process of its own
 * (bench/fleet-container.ts) with its own handler module, SMH client and limiter, and a pool that
 * hands a free container of the active set to each invocation — one invocation per container at a
 * time, as Lambda runs them.
 */
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Context } from "aws-lambda";
import type { LambdaHandler } from "../lib/local/handler-module.ts";
import type { ContainerMessage, ScenarioMessage, SmhAnswerLog } from "./fleet-protocol.ts";

const CONTAINER_SCRIPT = fileURLToPath(new URL("./fleet-container.ts", import.meta.url));

/** One running container process. */
export interface Container {
  /** Its number in the scenario: 0, 1, … in the order they were started. */
  readonly index: number;
  /** Runs an invocation in the container: the `LambdaHandler` the event source calls. */
  readonly handler: LambdaHandler;
  /** Invocations sent to it so far. */
  readonly invocations: number;
  /** Ends the process and returns every SMH answer it received. */
  stop(): Promise<SmhAnswerLog>;
}

/**
 * Starts a container process with `env` as its whole environment (Lambda's) and resolves once its
 * handler module has initialised (the cold start is over, no SMH request made yet).
 */
export function startContainer(index: number, env: Record<string, string>): Promise<Container> {
  const child = fork(CONTAINER_SCRIPT, [], {
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  let nextId = 0;
  let invocations = 0;
  let exited: Error | undefined;
  let onLog: ((answers: SmhAnswerLog) => void) | undefined;

  const failAll = (error: Error) => {
    exited = error;
    for (const { reject } of pending.values()) reject(error);
    pending.clear();
  };
  child.on("exit", (code, signal) => {
    failAll(new Error(`container ${index} exited (${signal ?? code})`));
  });

  const handler: LambdaHandler = (event, context) => {
    if (exited) return Promise.reject(exited);
    const lambda = context as Context;
    const id = nextId++;
    invocations++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      const message: ScenarioMessage = {
        type: "invoke",
        id,
        event,
        functionName: lambda.functionName,
        awsRegion: lambda.invokedFunctionArn.split(":")[3] ?? "us-east-1",
        requestId: lambda.awsRequestId,
        remainingMs: lambda.getRemainingTimeInMillis(),
      };
      child.send(message);
    });
  };

  return new Promise((resolve, reject) => {
    const onStartFailure = (code: number | null) =>
      reject(new Error(`container ${index} exited with ${code} before it was ready`));
    child.once("exit", onStartFailure);
    child.on("message", (message: ContainerMessage) => {
      switch (message.type) {
        case "ready":
          child.off("exit", onStartFailure);
          resolve(container);
          return;
        case "returned":
          pending.get(message.id)?.resolve(message.value);
          pending.delete(message.id);
          return;
        case "threw":
          pending.get(message.id)?.reject(new Error(message.error));
          pending.delete(message.id);
          return;
        case "log":
          onLog?.(message.answers);
          return;
      }
    });
    const container: Container = {
      index,
      handler,
      get invocations() {
        return invocations;
      },
      stop: () =>
        new Promise<SmhAnswerLog>((resolveLog, rejectLog) => {
          if (exited) {
            rejectLog(exited);
            return;
          }
          onLog = resolveLog;
          child.once("exit", () => rejectLog(new Error(`container ${index} sent no log`)));
          child.send({ type: "stop" } satisfies ScenarioMessage);
        }),
    };
  });
}

/**
 * Which containers receive invocations: a free one of the active set, first come first served.
 * Changing the active set is how the fleet shrinks and grows; a container taken out of it finishes
 * the invocation it is running and gets no more.
 */
export class ContainerPool {
  #active: readonly Container[] = [];
  readonly #busy = new Set<Container>();
  readonly #waiting: (() => void)[] = [];
  #closed = false;

  /** Replaces the active set. */
  setActive(containers: readonly Container[]): void {
    this.#active = [...containers];
    this.#wake();
  }

  /** A free container of the active set, once there is one; undefined once the pool is closed. */
  async acquire(): Promise<Container | undefined> {
    for (;;) {
      if (this.#closed) return undefined;
      const free = this.#active.find((container) => !this.#busy.has(container));
      if (free) {
        this.#busy.add(free);
        return free;
      }
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
  }

  /** Gives a container back after its invocation. */
  release(container: Container): void {
    this.#busy.delete(container);
    this.#wake();
  }

  /** Ends every wait: `acquire` resolves undefined from now on. */
  close(): void {
    this.#closed = true;
    this.#wake();
  }

  #wake(): void {
    for (const wake of this.#waiting.splice(0)) wake();
  }
}
