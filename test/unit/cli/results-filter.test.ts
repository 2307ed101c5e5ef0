// `results --plan-id/--source/--job-id`: which messages are taken, and which are held to be left.
import { describe, expect, it } from "vitest";
import { HeldMessages, messageMatches, resultFilter } from "../../../lib/cli/results/filter.ts";
import { encodeMessageBody } from "../../../lib/messages/encode.ts";
import { recycleAction, recycledDeletion } from "../../e2e/helpers/ledger-fixtures.ts";

const when = new Date("2025-05-01T10:00:00Z");
const message = (body: string, id = "m1", receipt = "r1") => ({
  MessageId: id,
  ReceiptHandle: receipt,
  Body: body,
});

describe("resultFilter", () => {
  it("is none (take everything) without a filter flag", () => {
    expect(resultFilter({})).toBeUndefined();
    expect(resultFilter({ planId: "p" })).toEqual({
      planId: "p",
      source: undefined,
      jobId: undefined,
    });
  });
});

describe("messageMatches", () => {
  const mine = recycledDeletion("a", 1, when, { planId: "p", source: "bulk" });
  const other = recycledDeletion("b", 2, when, { planId: "q", source: "bulk" });
  const restore = recycleAction("restore", "restored", 1, when);

  it("takes the results the filter selects and nothing else: other plans, recycle actions, non-results", () => {
    const filter = { planId: "p" };
    expect(messageMatches(message(encodeMessageBody(mine)), filter)).toBe(true);
    expect(messageMatches(message(encodeMessageBody(other)), filter)).toBe(false);
    expect(messageMatches(message(encodeMessageBody(restore)), filter)).toBe(false);
    expect(messageMatches(message("not a result"), filter)).toBe(false);
    expect(messageMatches(message(encodeMessageBody(other)), { source: "bulk" })).toBe(true);
    expect(messageMatches(message(encodeMessageBody(mine)), { source: "bulk", planId: "q" })).toBe(
      false,
    );
  });
});

describe("HeldMessages", () => {
  it("holds each message once, with its latest receipt handle", () => {
    const held = new HeldMessages();
    expect(held.add(message("x", "m1", "r1"))).toBe(true);
    expect(held.add(message("x", "m1", "r2"))).toBe(false);
    expect(held.add(message("y", "m2", "r3"))).toBe(true);
    expect(held.size).toBe(2);
    expect(held.receipts()).toEqual([
      { id: "m1", receiptHandle: "r2" },
      { id: "m2", receiptHandle: "r3" },
    ]);
  });
});
