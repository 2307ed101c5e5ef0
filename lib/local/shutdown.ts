/**
 * Runs `stop` once when the process receives SIGINT or SIGTERM, then exits with 128 + the signal
 * number. A second signal while `stop` runs exits at once. Returns a function that removes the
 * handlers (call it when the resource was stopped some other way). Scripts use this so that the
 * servers they start never outlive them; in-process servers close with the process on any exit.
 */
export function stopOnSignals(stop: () => Promise<unknown>): () => void {
  const codes = { SIGINT: 130, SIGTERM: 143 } as const;
  let stopping = false;
  const onSignal = (signal: keyof typeof codes) => {
    if (stopping) process.exit(codes[signal]);
    stopping = true;
    stop().then(
      () => process.exit(codes[signal]),
      (error: unknown) => {
        process.stderr.write(
          `shutdown failed: ${error instanceof Error ? error.message : error}\n`,
        );
        process.exit(codes[signal]);
      },
    );
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return () => {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  };
}
