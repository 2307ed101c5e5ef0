import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { deletionResult } from "../../../lib/messages/deletion-result.ts";
import { recycleActionResult } from "../../../lib/messages/recycle-action-result.ts";
import { parseResultMessage } from "../../../lib/messages/result-message.ts";
import { job, purgeCommand, run } from "./factories.ts";

describe("parseResultMessage", () => {
  const deletion = deletionResult(job(), { outcome: "recycled", recycledItemId: 7 }, run);
  const action = recycleActionResult(purgeCommand(), 21, { outcome: "purged" }, run);

  it("reads both kinds of result, told apart by type", () => {
    const parsed = [deletion, action].map((result) => parseResultMessage(JSON.stringify(result)));
    expect(parsed).toEqual([
      { ok: true, result: deletion },
      { ok: true, result: action },
    ]);
  });

  it("drops a field it does not know, so a newer writer does not break an older reader", () => {
    const parsed = parseResultMessage(JSON.stringify({ ...deletion, addedLater: "x" }));
    expect(parsed).toEqual({ ok: true, result: deletion });
  });

  it("refuses a recycled result without its recycledItemId, naming the field", () => {
    const { recycledItemId: _omitted, ...withoutId } = deletion as typeof deletion & {
      recycledItemId: number;
    };
    const parsed = parseResultMessage(JSON.stringify(withoutId));
    expect(parsed).toEqual({
      ok: false,
      reasons: [{ path: "recycledItemId", message: expect.any(String) }],
    });
  });

  it("refuses an unknown type, naming the field", () => {
    const parsed = parseResultMessage(JSON.stringify({ ...deletion, type: "audit" }));
    expect(parsed.ok || parsed.reasons.map((reason) => reason.path)).toEqual(["type"]);
  });

  it("never throws on any input, and refuses with reasons", () => {
    const input = fc.oneof(
      fc.string({ unit: "binary", maxLength: 200 }),
      fc.jsonValue().map((value) => JSON.stringify(value) ?? "null"),
      fc
        .dictionary(
          fc.constantFrom("type", "outcome", "recycledItemId", "__proto__"),
          fc.jsonValue(),
        )
        .map((value) => JSON.stringify({ ...deletion, ...value })),
    );
    fc.assert(
      fc.property(input, (text) => {
        const parsed = parseResultMessage(text);
        if (!parsed.ok) expect(parsed.reasons.length).toBeGreaterThan(0);
      }),
      { numRuns: 500 },
    );
  });
});
