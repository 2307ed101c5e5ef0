import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Hang guards, not speed checks: a CPU-bound property test that takes 5 s alone takes several
    // times that on a busy machine, and must not fail for it (timings belong in bench/).
    testTimeout: 90_000,
    hookTimeout: 120_000,
    // Integration tests start their own loopback servers on port 0; files run in parallel.
    pool: "forks",
    // Most of the end-to-end time is spent waiting (batching windows, visibility timeouts), not
    // computing: on 2 cores, 3 workers run the suite in about 130 s instead of 330 s with
    // vitest's default (one fewer than the cores) while the CPU stays under full use.
    maxWorkers: Math.max(3, availableParallelism()),
  },
});
