// The folders other systems use as packages: their index.ts lists what they offer (nothing inside
// the project imports an index.ts; npm run check:cycles enforces it), so a test loads each one.
import { describe, expect, it } from "vitest";

describe("the entry points for other systems", () => {
  it("lib/messages/index.ts offers the message schemas, parsers and JSON Schemas", async () => {
    const messages = await import("../../../lib/messages/index.ts");
    expect(typeof messages.parseJobBody).toBe("function");
    expect(typeof messages.parseResultMessage).toBe("function");
    expect(typeof messages.renderJsonSchemas).toBe("function");
    expect(messages.DeleteJobSchema).toBeDefined();
  });

  it("lib/smh/index.ts offers the SMH client and its errors", async () => {
    const smh = await import("../../../lib/smh/index.ts");
    expect(typeof smh.createSmhClient).toBe("function");
    expect(typeof smh.SmhError).toBe("function");
  });

  it("lib/sim/index.ts offers the simulator", async () => {
    const sim = await import("../../../lib/sim/index.ts");
    expect(typeof sim.startSimulator).toBe("function");
  });
});
