import type { SqsEventMapping } from "./topology.ts";

/**
 * Checks an event source mapping against the limits Lambda enforces when the mapping is created,
 * so a configuration that would fail to deploy also fails locally. Throws with every problem.
 */
export function assertValidMapping(mapping: SqsEventMapping): void {
  const problems: string[] = [];
  const { batchSize, maximumBatchingWindowSeconds: window, maximumConcurrency } = mapping;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) {
    problems.push(`batchSize must be an integer from 1 to 10000, got ${batchSize}`);
  }
  if (!Number.isInteger(window) || window < 0 || window > 300) {
    problems.push(`maximumBatchingWindowSeconds must be an integer from 0 to 300, got ${window}`);
  }
  if (batchSize > 10 && window < 1) {
    problems.push("a batchSize above 10 needs maximumBatchingWindowSeconds of at least 1");
  }
  if (
    maximumConcurrency !== undefined &&
    (!Number.isInteger(maximumConcurrency) || maximumConcurrency < 2 || maximumConcurrency > 1000)
  ) {
    problems.push(
      `maximumConcurrency must be an integer from 2 to 1000, got ${maximumConcurrency}`,
    );
  }
  const timeout = mapping.functionTimeoutSeconds;
  if (!(timeout > 0 && timeout <= 900)) {
    problems.push(`functionTimeoutSeconds must be more than 0 and at most 900, got ${timeout}`);
  }
  if (problems.length > 0) {
    throw new Error(`event source mapping for ${mapping.functionName}: ${problems.join("; ")}`);
  }
}
