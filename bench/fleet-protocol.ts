/**
 * The messages between the fleet scenario (bench/fleet.ts) and its container processes
 * (bench/fleet-container.ts), over Node's IPC channel.
 */

/** Every SMH answer a container received, as parallel arrays (compact over IPC). */
export interface SmhAnswerLog {
  /** When the answer arrived: epoch milliseconds (`performance.timeOrigin + performance.now()`). */
  readonly at: number[];
  /** 1 for a 429, else 0. */
  readonly throttled: (0 | 1)[];
  /** 1 for a token route (exempt from the rate limit), else 0. */
  readonly token: (0 | 1)[];
}

/** Scenario → container. */
export type ScenarioMessage =
  | {
      readonly type: "invoke";
      readonly id: number;
      readonly event: unknown;
      readonly functionName: string;
      readonly awsRegion: string;
      readonly requestId: string;
      /** The invocation's remaining time when it was sent: the container's context counts from it. */
      readonly remainingMs: number;
    }
  | { readonly type: "stop" };

/** Container → scenario. */
export type ContainerMessage =
  | { readonly type: "ready" }
  | { readonly type: "returned"; readonly id: number; readonly value: unknown }
  | { readonly type: "threw"; readonly id: number; readonly error: string }
  | { readonly type: "log"; readonly answers: SmhAnswerLog };
