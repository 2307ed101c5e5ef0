// The clock of `smh-cleaner retention run` and `smh-cleaner plan` (--at).
import { describe, expect, it } from "vitest";
import { runTriggerOf, triggerOf } from "../../../lib/cli/commands/retention-context.ts";
import { CliError } from "../../../lib/cli/errors.ts";
import { ExitCode } from "../../../lib/cli/exit-codes.ts";

const rules = "rules.yml";

describe("the time a CLI retention run measures ages at", () => {
  it("may be an earlier time than now, and the run is marked as the operator's choice", () => {
    const at = new Date("2026-01-05T02:00:00Z");
    const trigger = runTriggerOf({ rules, at }, false);
    expect(trigger).toMatchObject({ scheduledAt: at, runId: "cli-2026-01-05T02:00:00.000Z" });
    expect(trigger.manual?.receivedAt.getTime()).toBeGreaterThan(at.getTime());
  });

  it("is refused (exit 2) when --at is later than now, as the function refuses it", () => {
    const at = new Date(Date.now() + 86_400_000);
    let error: unknown;
    try {
      runTriggerOf({ rules, at }, true);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(ExitCode.usage);
    expect((error as Error).message).toContain("never a later one");
  });

  it("may be any time for a preview (plan), which enqueues nothing", () => {
    const at = new Date(Date.now() + 30 * 86_400_000);
    expect(triggerOf({ rules, at }, true)).toMatchObject({ scheduledAt: at, dryRun: true });
  });
});
