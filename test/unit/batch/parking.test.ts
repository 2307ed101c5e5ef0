// Park or give up: the retry budget's three limits, the delay that doubles per parking up to its
// cap, no delay when only time ran short, and the message that carries the work on.
import { describe, expect, it } from "vitest";
import { carryOn, dispose, parkDelaySeconds } from "../../../lib/batch/parking.ts";
import {
  DELIVERY_ATTRIBUTE,
  type DeliveryState,
  REDRIVEN_AT_ATTRIBUTE,
} from "../../../lib/messages/delivery.ts";

const T0 = Date.parse("2025-06-01T12:00:00.000Z");
const settings = {
  maxSmhAttempts: 5,
  maxJobAgeSeconds: 3_600,
  parkBaseDelaySeconds: 30,
  parkMaxDelaySeconds: 900,
};
const state = (overrides: Partial<DeliveryState> = {}): DeliveryState => ({
  v: 1,
  attempts: 0,
  firstEnqueuedAt: new Date(T0 - 60_000).toISOString(),
  budgetFrom: new Date(T0 - 60_000).toISOString(),
  parkings: 0,
  ...overrides,
});
const input = (overrides: Partial<Parameters<typeof dispose>[0]> = {}) => ({
  state: state(),
  work: { attempted: false, onlyOutOfTime: false },
  receiveCount: 1,
  maxReceiveCount: 5,
  settings,
  now: T0,
  ...overrides,
});

describe("parking", () => {
  it("doubles the delay per parking, up to the cap", () => {
    expect([0, 1, 2, 3, 4, 5, 6, 50].map((n) => parkDelaySeconds(n, settings))).toEqual([
      30, 60, 120, 240, 480, 900, 900, 900,
    ]);
  });

  it("parks work turned away by an open circuit without counting an attempt", () => {
    expect(dispose(input({ state: state({ attempts: 4, parkings: 2 }) }))).toEqual({
      kind: "park",
      delaySeconds: 120,
      state: state({ attempts: 4, parkings: 3 }),
    });
  });

  it("parks work that only ran out of time at once, its parkings unchanged", () => {
    const work = { attempted: false, onlyOutOfTime: true };
    expect(dispose(input({ work, state: state({ parkings: 4 }) }))).toMatchObject({
      kind: "park",
      delaySeconds: 0,
      state: { parkings: 4 },
    });
  });

  it("counts a real attempt, and gives up on the one that reaches MAX_SMH_ATTEMPTS", () => {
    const work = { attempted: true, onlyOutOfTime: false };
    expect(dispose(input({ work, state: state({ attempts: 3 }) }))).toMatchObject({
      kind: "park",
      state: { attempts: 4 },
    });
    const given = dispose(input({ work, state: state({ attempts: 4 }) }));
    expect(given).toMatchObject({
      kind: "give-up",
      why: "given up after 5 failed SMH attempts (MAX_SMH_ATTEMPTS 5); moving to the DLQ",
      state: { attempts: 5, gaveUpAt: new Date(T0).toISOString() },
    });
  });

  it("gives up at MAX_JOB_AGE_SECONDS counted from the budget's start", () => {
    const old = new Date(T0 - 3_600_000).toISOString();
    expect(dispose(input({ state: state({ budgetFrom: old }) })).kind).toBe("give-up");
    const redriven = state({ firstEnqueuedAt: old, budgetFrom: new Date(T0).toISOString() });
    expect(dispose(input({ state: redriven })).kind).toBe("park");
  });

  it("gives up a message received maxReceiveCount times unfinished", () => {
    expect(dispose(input({ receiveCount: 5 }))).toMatchObject({
      kind: "give-up",
      why: expect.stringContaining("5 deliveries of one message"),
    });
  });

  it("carries the body as received and every attribute but the redrive mark, with the new state", () => {
    const record = {
      messageId: "m",
      body: ' {"v":1, "path":"a//b/"} ',
      receiveCount: 1,
      sentAt: T0,
      attributes: {
        trace: { dataType: "String", value: "t-1" },
        priority: { dataType: "Number", value: "3" },
        [REDRIVEN_AT_ATTRIBUTE]: { dataType: "String", value: new Date(T0).toISOString() },
      },
    };
    const message = carryOn(record, state({ attempts: 1 }), 60);
    expect(message.body).toBe(record.body);
    expect(message.delaySeconds).toBe(60);
    expect(new Set(Object.keys(message.attributes))).toEqual(
      new Set([DELIVERY_ATTRIBUTE, "priority", "trace"]),
    );
    expect(message.attributes.priority).toEqual({ DataType: "Number", StringValue: "3" });
    expect(JSON.parse(message.attributes[DELIVERY_ATTRIBUTE]?.StringValue ?? "")).toMatchObject({
      attempts: 1,
    });
  });
});
