/** Builders for the CLI unit tests. */
import type { StackInfo } from "../../../lib/local/stack-file.ts";

/** A valid stack file for a stack on 127.0.0.1:4566, run by this process. */
export function stackInfo(overrides: Partial<StackInfo> = {}): StackInfo {
  const queue = (name: string) => ({
    url: `http://127.0.0.1:4566/000000000000/${name}`,
    arn: `arn:aws:sqs:us-east-1:000000000000:${name}`,
    name,
  });
  return {
    v: 1,
    pid: process.pid,
    startedAt: "2026-01-01T00:00:00.000Z",
    sqs: { endpoint: "http://127.0.0.1:4566", region: "us-east-1" },
    queues: {
      jobs: queue("svc-dev-jobs"),
      "jobs-dlq": queue("svc-dev-jobs-dlq"),
      results: queue("svc-dev-results"),
      "recycle-actions": queue("svc-dev-recycle-actions"),
      "recycle-actions-dlq": queue("svc-dev-recycle-actions-dlq"),
      "retention-continuations": queue("svc-dev-retention-continuations"),
      "retention-continuations-dlq": queue("svc-dev-retention-continuations-dlq"),
    },
    smh: {
      baseUrl: "http://127.0.0.1:8080",
      libraries: [{ libraryId: "smh1", spaceIds: ["-", "space1"] }],
    },
    ...overrides,
  };
}
