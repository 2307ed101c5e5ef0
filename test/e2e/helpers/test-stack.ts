import { afterAll } from "vitest";
import { startTestStack, type TestStack } from "../../fixtures/handlers/harness.ts";

/**
 * Starts fauxqs (and a client for it) for the test file that awaits this at its top level, and
 * closes both after its last test.
 */
export async function useTestStack(): Promise<TestStack> {
  const stack = await startTestStack();
  afterAll(async () => {
    await stack.close();
  });
  return stack;
}
