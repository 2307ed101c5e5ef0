// The delivery state a parked job carries: fresh for a new message, carried as is while parked,
// and reset (with what its results supersede) when a given-up job comes back by redrive.
import { describe, expect, it } from "vitest";
import {
  currentDeliveryState,
  DELIVERY_ATTRIBUTE,
  encodeDeliveryState,
  REDRIVEN_AT_ATTRIBUTE,
  readDeliveryState,
} from "../../../lib/messages/delivery.ts";

const T0 = Date.parse("2025-06-01T12:00:00.000Z");
const iso = (ms: number) => new Date(ms).toISOString();
const carried = {
  v: 1 as const,
  attempts: 2,
  firstEnqueuedAt: iso(T0 - 600_000),
  budgetFrom: iso(T0 - 600_000),
  parkings: 3,
};

describe("the delivery state of a received message", () => {
  it("is fresh, enqueued when the message was sent, for a message without one", () => {
    expect(currentDeliveryState({}, T0 - 5_000, T0)).toEqual({
      v: 1,
      attempts: 0,
      firstEnqueuedAt: iso(T0 - 5_000),
      budgetFrom: iso(T0 - 5_000),
      parkings: 0,
    });
  });

  it("is the carried one while the job is parked", () => {
    const attributes = { [DELIVERY_ATTRIBUTE]: encodeDeliveryState(carried) };
    expect(currentDeliveryState(attributes, T0 - 1_000, T0)).toEqual(carried);
  });

  it("starts a fresh budget at the redrive for a job that was given up, keeping its first enqueue", () => {
    const gaveUpAt = iso(T0 - 60_000);
    const attributes = {
      [DELIVERY_ATTRIBUTE]: encodeDeliveryState({ ...carried, gaveUpAt }),
      [REDRIVEN_AT_ATTRIBUTE]: iso(T0 - 2_000),
    };
    expect(currentDeliveryState(attributes, T0 - 2_000, T0)).toEqual({
      v: 1,
      attempts: 0,
      firstEnqueuedAt: carried.firstEnqueuedAt,
      budgetFrom: iso(T0 - 2_000),
      parkings: 0,
      supersedes: { outcome: "failed", failedAt: gaveUpAt, redrivenAt: iso(T0 - 2_000) },
    });
  });

  it("recognises a redrive without the copy's mark (a move task) by the given-up state alone", () => {
    const gaveUpAt = iso(T0 - 60_000);
    const attributes = { [DELIVERY_ATTRIBUTE]: encodeDeliveryState({ ...carried, gaveUpAt }) };
    expect(currentDeliveryState(attributes, T0 - 60_000, T0)).toMatchObject({
      attempts: 0,
      budgetFrom: iso(T0),
      supersedes: { outcome: "failed", failedAt: gaveUpAt },
    });
  });

  it("counts a message SQS dead-lettered itself and a copy redrive marked as redriven", () => {
    const attributes = { [REDRIVEN_AT_ATTRIBUTE]: iso(T0 - 1_000) };
    expect(currentDeliveryState(attributes, T0 - 86_400_000, T0)).toMatchObject({
      firstEnqueuedAt: iso(T0 - 86_400_000),
      budgetFrom: iso(T0 - 1_000),
      supersedes: { outcome: "failed", failedAt: iso(T0 - 1_000), redrivenAt: iso(T0 - 1_000) },
    });
  });

  it("ignores an attribute that does not parse: a fresh budget", () => {
    for (const value of ["not json", "{}", JSON.stringify({ ...carried, attempts: -1 })]) {
      expect(readDeliveryState({ [DELIVERY_ATTRIBUTE]: value })).toBeUndefined();
      expect(currentDeliveryState({ [DELIVERY_ATTRIBUTE]: value }, T0, T0).attempts).toBe(0);
    }
  });
});
