/**
 * Timers the simulator owns (latency sleeps, slow-body trickles, task completions), so that
 * `close()` can cancel all of them and the process can exit at once.
 */
export class Scheduler {
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #wakers = new Set<() => void>();
  #closed = false;

  get closed(): boolean {
    return this.#closed;
  }

  /** Resolves after `ms`, or at once when the simulator closes. */
  sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.#closed) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.#timers.delete(timer);
        this.#wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.#timers.add(timer);
      this.#wakers.add(wake);
    });
  }

  /** Runs `task` after `ms` unless the simulator closes first. Errors are reported, not thrown. */
  after(ms: number, task: () => void): void {
    if (this.#closed) return;
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      try {
        task();
      } catch (error) {
        process.stderr.write(`smh-sim: scheduled task failed: ${String(error)}\n`);
      }
    }, ms);
    this.#timers.add(timer);
  }

  /** Cancels every pending timer; pending sleeps resolve immediately. */
  close(): void {
    this.#closed = true;
    for (const wake of [...this.#wakers]) wake();
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }
}
