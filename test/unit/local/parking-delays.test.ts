// The local stack parks jobs for seconds, not minutes: the deployed delays (30 s, doubling up to
// 900 s, against a 720 s visibility timeout) scaled with the local visibility timeout.
import { describe, expect, it } from "vitest";
import { readDeleteSettings } from "../../../lib/delete/settings.ts";
import { localParkingDelays } from "../../../lib/local/stack.ts";

describe("the local stack's parking delays", () => {
  it("are the deployed ones at the deployed visibility timeout", () => {
    expect(localParkingDelays(720)).toEqual({
      PARK_BASE_DELAY_SECONDS: "30",
      PARK_MAX_DELAY_SECONDS: "900",
    });
  });

  it("scale down with a short visibility timeout, never under a second", () => {
    expect(localParkingDelays(8)).toEqual({
      PARK_BASE_DELAY_SECONDS: "1",
      PARK_MAX_DELAY_SECONDS: "10",
    });
    expect(localParkingDelays(30)).toEqual({
      PARK_BASE_DELAY_SECONDS: "1",
      PARK_MAX_DELAY_SECONDS: "38",
    });
  });

  it("are settings the pipeline accepts", () => {
    for (const visibility of [1, 8, 30, 720, 5400]) {
      expect(() => readDeleteSettings(localParkingDelays(visibility))).not.toThrow();
    }
  });
});
