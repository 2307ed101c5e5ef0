/**
 * Ctrl-C for long-running commands: the first SIGINT (or SIGTERM) asks the command to stop cleanly
 * by aborting a signal, so it can finish what must be finished (write the file, release the
 * messages it holds); a second one exits at once with 130 (a copy of the first, which npm and the
 * terminal both deliver, is not a second: see `lib/local/stop-signals.ts`).
 */
import { onStopSignals } from "../local/stop-signals.ts";
import { ExitCode } from "./exit-codes.ts";

/** A stop request the command polls or passes to the SDK. Call `dispose` when the command ends. */
export interface Interrupt {
  signal: AbortSignal;
  /** True once SIGINT or SIGTERM arrived. */
  readonly requested: boolean;
  dispose(): void;
}

/** Starts listening for SIGINT/SIGTERM. `onFirst` may print what is being finished. */
export function listenForInterrupt(onFirst?: () => void): Interrupt {
  const controller = new AbortController();
  const dispose = onStopSignals({
    first() {
      onFirst?.();
      controller.abort(new Error("interrupted"));
    },
    again() {
      process.exit(ExitCode.interrupted);
    },
  });
  return {
    signal: controller.signal,
    get requested() {
      return controller.signal.aborted;
    },
    dispose,
  };
}
