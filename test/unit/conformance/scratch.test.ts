import { describe, expect, it } from "vitest";
import { newRunId, OutsideScratchError, ScratchArea } from "../../../lib/conformance/scratch.ts";

describe("the scratch directory of a conformance run", () => {
  it("is __smh_cleaner_conformance__/<run id>, the run id stamped with UTC time", () => {
    const runId = newRunId(Date.UTC(2026, 10, 27, 10, 15, 30, 123));
    expect(runId).toMatch(/^20261127T101530Z-[0-9a-f]{6}$/);
    expect(new ScratchArea(runId).root).toBe(`__smh_cleaner_conformance__/${runId}`);
    expect(newRunId()).not.toBe(newRunId());
  });

  it("contains itself and what lies below it, nothing else", () => {
    const scratch = new ScratchArea("run-1");
    expect(scratch.contains("__smh_cleaner_conformance__/run-1")).toBe(true);
    expect(scratch.contains("__smh_cleaner_conformance__/run-1/a/b")).toBe(true);
    expect(scratch.contains(["__smh_cleaner_conformance__", "run-1", "x"])).toBe(true);
    for (const outside of [
      "__smh_cleaner_conformance__",
      "__smh_cleaner_conformance__/run-10",
      "__smh_cleaner_conformance__/run-2/x",
      "__smh_cleaner_conformance__/run-1/../../events",
      "__smh_cleaner_conformance__/run-1/./x",
      "__smh_cleaner_conformance__//run-1/x",
      "events/__smh_cleaner_conformance__/run-1",
      "",
    ]) {
      expect(scratch.contains(outside), outside).toBe(false);
    }
  });

  it("builds paths inside it and refuses a relative path that would climb out", () => {
    const scratch = new ScratchArea("run-1");
    expect(scratch.path("list/d-001")).toBe("__smh_cleaner_conformance__/run-1/list/d-001");
    expect(() => scratch.path("../other")).toThrow(OutsideScratchError);
    expect(() => scratch.assertInside("events")).toThrow(/outside the scratch directory/);
  });

  it("refuses a run id that is not a plain name", () => {
    expect(() => new ScratchArea("a/b")).toThrow(OutsideScratchError);
    expect(() => new ScratchArea("..")).toThrow(OutsideScratchError);
  });
});
