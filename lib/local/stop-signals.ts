/**
 * SIGINT and SIGTERM, as every long-running command and script here takes them: the first asks
 * the process to stop cleanly (close servers, remove the local stack's files, write what must be
 * written, release held messages), a second forces it out at once — but a copy of the first does
 * not count as a second.
 *
 * Copies are the rule, not the exception: Ctrl-C sends SIGINT to the terminal's whole foreground
 * process group, and npm (`npm start`, `npx smh-cleaner`) forwards the SIGINT or SIGTERM it gets to
 * its child as well, so the child sees one Ctrl-C twice within milliseconds. Forcing out on that
 * copy left the local stack's secrets file behind. A signal counts as a second one only from
 * {@link REPEAT_AFTER_MS} after the first.
 */

/** A signal this long after the first is the user asking again, not a copy of the first. */
export const REPEAT_AFTER_MS = 1000;

/** The signals that stop a process, and the exit status each one ends it with (128 + its number). */
export const STOP_SIGNALS = { SIGINT: 130, SIGTERM: 143 } as const;
export type StopSignal = keyof typeof STOP_SIGNALS;

/** What to do on the first stop signal, and on a later one. */
export interface StopSignalHandlers {
  first(signal: StopSignal): void;
  again(signal: StopSignal): void;
}

/**
 * Listens for SIGINT and SIGTERM until the returned function is called.
 *
 * @example
 * const remove = onStopSignals({ first: () => controller.abort(), again: () => process.exit(130) });
 */
export function onStopSignals(
  handlers: StopSignalHandlers,
  now: () => number = Date.now,
): () => void {
  let firstAt: number | undefined;
  const onSignal = (signal: StopSignal) => {
    if (firstAt === undefined) {
      firstAt = now();
      handlers.first(signal);
    } else if (now() - firstAt >= REPEAT_AFTER_MS) {
      handlers.again(signal);
    }
  };
  for (const signal of Object.keys(STOP_SIGNALS) as StopSignal[]) process.on(signal, onSignal);
  return () => {
    for (const signal of Object.keys(STOP_SIGNALS) as StopSignal[]) process.off(signal, onSignal);
  };
}
