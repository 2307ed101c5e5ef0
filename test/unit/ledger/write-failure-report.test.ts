// A ledger object that could not be written is counted (LedgerWriteFailures, the results held
// back) and logged once, naming the bucket, the kind and S3's answer — never a result.
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { describe, expect, it, vi } from "vitest";
import { powertoolsLedgerWriteFailed } from "../../../lib/observability/batch-observer.ts";
import { powertoolsRetentionObserver } from "../../../lib/observability/retention-observer.ts";

const failure = {
  kind: "deletion" as const,
  count: 7,
  bucket: "smh-ledger",
  error: "SlowDown",
  message: "Please reduce your request rate.",
};

function powertools() {
  const logger = new Logger({ serviceName: "test", logLevel: "SILENT" });
  const metrics = new Metrics({ namespace: "Test", serviceName: "test" });
  const logged = vi.spyOn(logger, "error");
  const counted = vi.spyOn(metrics, "addMetric");
  return { logger, metrics, logged, counted };
}

describe("a ledger write failure, as the handlers report it", () => {
  it("counts the results held back as LedgerWriteFailures and logs what S3 answered", () => {
    const { logger, metrics, logged, counted } = powertools();
    powertoolsLedgerWriteFailed(logger, metrics)(failure);
    expect(counted).toHaveBeenCalledWith("LedgerWriteFailures", "Count", 7);
    expect(logged).toHaveBeenCalledWith(
      "ledger object could not be written; its results come back",
      failure,
    );
  });

  it("is reported the same way by the retention scan", () => {
    const { logger, metrics, counted } = powertools();
    powertoolsRetentionObserver(logger, metrics).ledgerWriteFailed?.({
      ...failure,
      kind: "retention-plan",
    });
    expect(counted).toHaveBeenCalledWith("LedgerWriteFailures", "Count", 7);
  });
});
