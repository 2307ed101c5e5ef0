import { afterEach, describe, expect, it } from "vitest";
import {
  onStopSignals,
  REPEAT_AFTER_MS,
  type StopSignal,
} from "../../../lib/local/stop-signals.ts";

let remove: (() => void) | undefined;
afterEach(() => remove?.());

/** Listens with a clock the test moves; records what the handlers were called with. */
function listen() {
  const clock = { now: 0 };
  const calls: string[] = [];
  remove = onStopSignals(
    {
      first: (signal) => calls.push(`first ${signal}`),
      again: (signal) => calls.push(`again ${signal}`),
    },
    () => clock.now,
  );
  const deliver = (signal: StopSignal) => process.emit(signal, signal);
  return { clock, calls, deliver };
}

describe("stop signals", () => {
  it("asks to stop cleanly on the first SIGINT or SIGTERM", () => {
    const { calls, deliver } = listen();
    deliver("SIGTERM");
    expect(calls).toEqual(["first SIGTERM"]);
  });

  it("takes the copy of one Ctrl-C that npm forwards for the same Ctrl-C, not for a second one", () => {
    const { clock, calls, deliver } = listen();
    deliver("SIGINT"); // from the terminal, to the whole process group
    clock.now += 5;
    deliver("SIGINT"); // forwarded by npm
    expect(calls).toEqual(["first SIGINT"]);
  });

  it("forces the stop when the user asks again", () => {
    const { clock, calls, deliver } = listen();
    deliver("SIGINT");
    clock.now += REPEAT_AFTER_MS;
    deliver("SIGINT");
    expect(calls).toEqual(["first SIGINT", "again SIGINT"]);
  });

  it("stops listening once removed", () => {
    const { calls, deliver } = listen();
    remove?.();
    remove = undefined;
    const keep = () => undefined; // without any listener, the signal would end the test process
    process.on("SIGINT", keep);
    deliver("SIGINT");
    process.off("SIGINT", keep);
    expect(calls).toEqual([]);
  });
});
