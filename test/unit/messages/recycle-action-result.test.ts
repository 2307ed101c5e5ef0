import { describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { parseRecycleCommandBody } from "../../../lib/messages/command-body.ts";
import {
  type RecycleActionResult,
  recycleActionResult,
  rejectedRecycleCommand,
} from "../../../lib/messages/recycle-action-result.ts";
import { parseResultMessage } from "../../../lib/messages/result-message.ts";
import { purgeCommand, restoreCommand, run, timing } from "./factories.ts";

const restoreFields = {
  v: 1,
  type: "recycle-action",
  commandId: "cmd-restore-1",
  libraryId: "smh1",
  spaceId: "-",
  recycledItemId: 11,
  action: "restore",
  attempts: 1,
  requestId: "req-1",
  startedAt: "2025-05-01T12:00:00.000Z",
  finishedAt: "2025-05-01T12:00:01.500Z",
  requestedBy: "ops@example.com",
  dedupKey: expect.stringMatching(/^[0-9a-f]{64}$/),
};

function expectReadable(result: RecycleActionResult): void {
  expect(parseResultMessage(JSON.stringify(result))).toEqual({ ok: true, result });
}

describe("a recycle-action result", () => {
  it("for a restored item carries its final path, renamed or not", () => {
    const result = recycleActionResult(
      restoreCommand(),
      11,
      { outcome: "restored", restoredPath: ["foo", "bar (1)"] },
      run,
    );
    expect(result).toEqual({ ...restoreFields, outcome: "restored", restoredPath: "foo/bar (1)" });
    expectReadable(result);
  });

  it("reports the restored path exactly as SMH gives it, look-alike names included", () => {
    const segments = ["scratch ", "apollo\u200b", "%2e%2e", "🎉"];
    const result = recycleActionResult(
      restoreCommand(),
      11,
      { outcome: "restored", restoredPath: segments },
      run,
    );
    expect(result).toMatchObject({ restoredPath: segments.join("/") });
    expectReadable(result);
  });

  it("for a purged item says so", () => {
    const result = recycleActionResult(purgeCommand(), 21, { outcome: "purged" }, run);
    expect(result).toMatchObject({
      outcome: "purged",
      action: "purge",
      spaceId: "space1",
      recycledItemId: 21,
    });
    expectReadable(result);
  });

  it("for an item SMH no longer knows says it expired, for a restore or a purge", () => {
    for (const [command, item] of [
      [restoreCommand(), 12],
      [purgeCommand(), 22],
    ] as const) {
      const result = recycleActionResult(command, item, { outcome: "expired" }, run);
      expect(result.outcome).toBe("expired");
      expectReadable(result);
    }
  });

  it("for a restore that met a same-name item carries SMH's refusal", () => {
    const error = { status: 409, code: "SameNameDirectoryOrFileExists", message: "exists" };
    const result = recycleActionResult(restoreCommand(), 13, { outcome: "conflict", error }, run);
    expect(result).toEqual({ ...restoreFields, recycledItemId: 13, outcome: "conflict", error });
    expectReadable(result);
  });

  it("for an item given up on carries SMH's status, code and message", () => {
    const error = { status: 500, code: "InternalServerError", message: "boom" };
    const result = recycleActionResult(purgeCommand(), 21, { outcome: "failed", error }, run);
    expect(result).toMatchObject({ outcome: "failed", error });
    expectReadable(result);
  });

  it("for a body that was not a valid command carries the reasons and what identified it", () => {
    const parsed = parseRecycleCommandBody(
      '{"v":1,"commandId":"c-9","action":"purge","libraryId":"smh1"}',
    );
    if (parsed.ok) throw new Error("expected a refusal");
    const result = rejectedRecycleCommand(parsed.identity, parsed.reasons, timing);
    expect(result).toEqual({
      v: 1,
      type: "recycle-action",
      outcome: "rejected",
      commandId: "c-9",
      libraryId: "smh1",
      action: "purge",
      reasons: [{ path: "recycledItemIds", message: expect.any(String) }],
      attempts: 0,
      startedAt: "2025-05-01T12:00:00.000Z",
      finishedAt: "2025-05-01T12:00:01.500Z",
      dedupKey: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expectReadable(result);
  });

  it("for one item a rule refuses names the item", () => {
    const result = rejectedRecycleCommand(
      purgeCommand(),
      [{ rule: "purge-not-allowed", message: "no" }],
      timing,
      22,
    );
    expect(result).toMatchObject({ outcome: "rejected", recycledItemId: 22, action: "purge" });
    expectReadable(result);
  });
});

describe("building a recycle-action result", () => {
  it("refuses an item the command does not name", () => {
    expect(() => recycleActionResult(purgeCommand(), 99, { outcome: "purged" }, run)).toThrow(
      RangeError,
    );
  });

  it("refuses a purged outcome for a restore, and restored or conflict for a purge", () => {
    expect(() => recycleActionResult(restoreCommand(), 11, { outcome: "purged" }, run)).toThrow(
      ZodError,
    );
    expect(() =>
      recycleActionResult(purgeCommand(), 21, { outcome: "restored", restoredPath: "a" }, run),
    ).toThrow(ZodError);
    expect(() =>
      recycleActionResult(
        purgeCommand(),
        21,
        { outcome: "conflict", error: { message: "x" } },
        run,
      ),
    ).toThrow(ZodError);
  });

  it("refuses an empty restored path", () => {
    expect(() =>
      recycleActionResult(restoreCommand(), 11, { outcome: "restored", restoredPath: [] }, run),
    ).toThrow(ZodError);
  });
});
