// Pipeline tuning is read from the environment at cold start: defaults that suit the deployed
// Lambda, overrides by variable, and a refusal that names every bad variable.
import { describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { DELETE_SETTING_DEFAULTS, readDeleteSettings } from "../../../lib/delete/settings.ts";

describe("pipeline settings from the environment", () => {
  it("uses the documented defaults when nothing is set", () => {
    expect(readDeleteSettings({})).toEqual({
      batchDeleteMinJobs: 2,
      batchDeleteMaxItems: 1000,
      concurrency: 4,
      deadlineMarginMs: 15_000,
      publishReserveMs: 5_000,
      recoverySkewMs: 120_000,
      maxReceiveCount: 5,
      circuitFailureThreshold: 5,
      circuitCooldownMs: 30_000,
      maxSmhAttempts: 5,
      maxJobAgeSeconds: 172_800,
      parkBaseDelaySeconds: 30,
      parkMaxDelaySeconds: 900,
    });
    expect(DELETE_SETTING_DEFAULTS.MAX_RECEIVE_COUNT).toBe(5);
  });

  it("reads every variable, as numbers", () => {
    const settings = readDeleteSettings({
      BATCH_DELETE_MIN_JOBS: "3",
      BATCH_DELETE_MAX_ITEMS: "250",
      DELETE_CONCURRENCY: "8",
      DEADLINE_MARGIN_MS: "0",
      PUBLISH_RESERVE_MS: "1000",
      RECOVERY_SKEW_MS: "60000",
      MAX_RECEIVE_COUNT: "7",
      CIRCUIT_FAILURE_THRESHOLD: "2",
      CIRCUIT_COOLDOWN_MS: "500",
      MAX_SMH_ATTEMPTS: "3",
      MAX_JOB_AGE_SECONDS: "600",
      PARK_BASE_DELAY_SECONDS: "1",
      PARK_MAX_DELAY_SECONDS: "30",
    });
    expect(settings).toEqual({
      batchDeleteMinJobs: 3,
      batchDeleteMaxItems: 250,
      concurrency: 8,
      deadlineMarginMs: 0,
      publishReserveMs: 1000,
      recoverySkewMs: 60_000,
      maxReceiveCount: 7,
      circuitFailureThreshold: 2,
      circuitCooldownMs: 500,
      maxSmhAttempts: 3,
      maxJobAgeSeconds: 600,
      parkBaseDelaySeconds: 1,
      parkMaxDelaySeconds: 30,
    });
  });

  it("refuses a parking delay SQS cannot take, or a base delay above the maximum", () => {
    expect(() => readDeleteSettings({ PARK_MAX_DELAY_SECONDS: "901" })).toThrow(ZodError);
    expect(() => readDeleteSettings({ MAX_SMH_ATTEMPTS: "0" })).toThrow(ZodError);
    expect(() =>
      readDeleteSettings({ PARK_BASE_DELAY_SECONDS: "60", PARK_MAX_DELAY_SECONDS: "30" }),
    ).toThrow(/PARK_MAX_DELAY_SECONDS/);
  });

  it('treats an empty or blank value as unset (serverless.yml writes "" for an unset parameter)', () => {
    const settings = readDeleteSettings({ BATCH_DELETE_MIN_JOBS: "", DELETE_CONCURRENCY: "  " });
    expect(settings.batchDeleteMinJobs).toBe(2);
    expect(settings.concurrency).toBe(4);
  });

  it("ignores variables that are not its own", () => {
    expect(readDeleteSettings({ SMH_BASE_URL: "x", PATH: "/bin" })).toEqual(readDeleteSettings({}));
  });

  it("refuses SMH's batch limit being exceeded: at most 1,000 paths per batch delete", () => {
    expect(() => readDeleteSettings({ BATCH_DELETE_MAX_ITEMS: "1001" })).toThrow(ZodError);
    expect(readDeleteSettings({ BATCH_DELETE_MAX_ITEMS: "1000" }).batchDeleteMaxItems).toBe(1000);
  });

  it("refuses every bad variable at once, naming each", () => {
    let error: unknown;
    try {
      readDeleteSettings({
        DELETE_CONCURRENCY: "0",
        MAX_RECEIVE_COUNT: "five",
        DEADLINE_MARGIN_MS: "-1",
        BATCH_DELETE_MIN_JOBS: "1.5",
        CIRCUIT_COOLDOWN_MS: "0",
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ZodError);
    const named = (error as ZodError).issues.map((issue) => issue.path.join(".")).sort();
    expect(named).toEqual([
      "BATCH_DELETE_MIN_JOBS",
      "CIRCUIT_COOLDOWN_MS",
      "DEADLINE_MARGIN_MS",
      "DELETE_CONCURRENCY",
      "MAX_RECEIVE_COUNT",
    ]);
  });

  it("caps the in-flight SMH calls per invocation at 100", () => {
    expect(() => readDeleteSettings({ DELETE_CONCURRENCY: "101" })).toThrow(ZodError);
  });
});
