import { describe, expect, it } from "vitest";
import { parseBenchOptions } from "../../../bench/options.ts";

describe("benchmark options", () => {
  it("runs every scenario but the 50,000-job one by default, and that one too with --full", () => {
    const defaults = parseBenchOptions([]);
    expect(defaults !== "help" && defaults.only).toEqual([
      "single",
      "batch",
      "hidden",
      "baseline",
      "cold",
    ]);
    const full = parseBenchOptions(["--full"]);
    expect(full !== "help" && full.only).toContain("scale");
  });

  it("refuses a hidden limit that is not below the rate the client starts at", () => {
    expect(() => parseBenchOptions(["--rate", "100", "--hidden-rate", "150"])).toThrow(
      /hidden-rate/,
    );
  });
});
