import { describe, expect, it } from "vitest";
import { parseBenchOptions } from "../../../bench/options.ts";

describe("benchmark options", () => {
  it("runs every scenario but the 50,000-job one by default, and that one too with --full", () => {
    const defaults = parseBenchOptions([]);
    expect(defaults !== "help" && defaults.only).toEqual([
      "single",
      "batch",
      "hidden",
      "fleet",
      "baseline",
      "cold",
    ]);
    const full = parseBenchOptions(["--full"]);
    expect(full !== "help" && full.only).toContain("scale");
  });

  it("keeps the ledger benchmark out of the default run: --ledger runs it alone, over a million results unless told", () => {
    const defaults = parseBenchOptions([]);
    expect(defaults !== "help" && defaults.ledger).toBe(false);
    const ledger = parseBenchOptions(["--ledger"]);
    expect(ledger !== "help" && [ledger.ledger, ledger.ledgerResults]).toEqual([true, 1_000_000]);
    const small = parseBenchOptions(["--ledger", "--ledger-results", "50000"]);
    expect(small !== "help" && small.ledgerResults).toBe(50_000);
    expect(() => parseBenchOptions(["--ledger-results", "10"])).toThrow(/ledger-results/);
  });

  it("runs the fleet's phases for 30, 20 and 20 s with the fleet board unless told otherwise", () => {
    const defaults = parseBenchOptions([]);
    expect(defaults !== "help" && defaults.fleetPhaseSeconds).toEqual({
      fleet: 30,
      alone: 20,
      regrow: 20,
    });
    expect(defaults !== "help" && defaults.fleetBoard).toBe(true);
    const custom = parseBenchOptions(["--fleet-phases", "40,25,15", "--fleet-without-board"]);
    expect(custom !== "help" && custom.fleetPhaseSeconds).toEqual({
      fleet: 40,
      alone: 25,
      regrow: 15,
    });
    expect(custom !== "help" && custom.fleetBoard).toBe(false);
  });

  it("refuses fleet phases too short to settle in, or not three of them", () => {
    expect(() => parseBenchOptions(["--fleet-phases", "30,10,20"])).toThrow(/fleet-phases/);
    expect(() => parseBenchOptions(["--fleet-phases", "30,20"])).toThrow(/fleet-phases/);
  });

  it("refuses a hidden limit that is not below the rate the client starts at", () => {
    expect(() => parseBenchOptions(["--rate", "100", "--hidden-rate", "150"])).toThrow(
      /hidden-rate/,
    );
  });
});
