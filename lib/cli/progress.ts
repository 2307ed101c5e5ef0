/**
 * Progress bars for long work. Shown only on an interactive stderr and never with `--json` or
 * `--quiet`, so scripts and logs get no control characters.
 */
import { Presets, SingleBar } from "cli-progress";

/** A progress display; every method is a no-op when the bar is not shown. */
export interface Progress {
  /** Adds `count` to the value; grows the total when the value passes it. */
  increment(count?: number): void;
  /** Sets the value (for work whose progress is reported as a total so far). */
  setValue(value: number): void;
  /** Sets the total (for work whose size is only estimated). */
  setTotal(total: number): void;
  stop(): void;
}

/** Whether to show a bar: stderr is a TTY and neither `--json` nor `--quiet` was given. */
export function progressWanted(flags: { json?: boolean; quiet?: boolean }): boolean {
  return process.stderr.isTTY === true && flags.json !== true && flags.quiet !== true;
}

/** Starts a bar labelled `label` with `total` steps, or a silent {@link Progress}. */
export function startProgress(enabled: boolean, label: string, total: number): Progress {
  if (!enabled) return { increment() {}, setValue() {}, setTotal() {}, stop() {} };
  const bar = new SingleBar(
    {
      stream: process.stderr,
      format: `${label} [{bar}] {value}/{total} {percentage}% | {eta_formatted} left`,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50,
    },
    Presets.shades_classic,
  );
  let value = 0;
  let currentTotal = Math.max(total, 1);
  bar.start(currentTotal, 0);
  return {
    increment(count = 1) {
      value += count;
      if (value > currentTotal) {
        currentTotal = value;
        bar.setTotal(currentTotal);
      }
      bar.update(value);
    },
    setValue(next) {
      value = 0;
      this.increment(next);
    },
    setTotal(next) {
      currentTotal = Math.max(next, value, 1);
      bar.setTotal(currentTotal);
    },
    stop() {
      bar.stop();
    },
  };
}

/** A running count for work whose size is not known in advance (directories listed). */
export interface Counter {
  add(count: number): void;
  stop(): void;
}

/**
 * Starts a line `label: 1200 directories listed (12 pages)` that updates in place, or a silent
 * {@link Counter}. For listings: SMH says how many entries a directory has only page by page.
 */
export function startCounter(enabled: boolean, label: string, unit: string): Counter {
  if (!enabled) return { add() {}, stop() {} };
  const bar = new SingleBar({
    stream: process.stderr,
    format: `${label}: {value} ${unit} ({pages} pages, {duration_formatted})`,
    hideCursor: true,
    clearOnComplete: true,
  });
  let value = 0;
  let pages = 0;
  bar.start(Number.MAX_SAFE_INTEGER, 0, { pages });
  return {
    add(count) {
      value += count;
      pages += 1;
      bar.update(value, { pages });
    },
    stop() {
      bar.stop();
    },
  };
}
