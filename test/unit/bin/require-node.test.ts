import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { GET_NODE_24, nodeIsSupported, unsupportedNodeMessage } from "../../../bin/require-node.js";

const SCRIPT = fileURLToPath(new URL("../../../bin/require-node.js", import.meta.url));
const PACKAGE_JSON = fileURLToPath(new URL("../../../package.json", import.meta.url));

describe("the Node.js version check (bin/require-node.js)", () => {
  it("accepts the Node versions that strip types by default: 22.18+, 23.6+, 24 and later", () => {
    for (const version of ["22.18.0", "22.20.1", "23.6.0", "24.0.0", "24.21.0", "26.1.0"]) {
      expect(nodeIsSupported(version), version).toBe(true);
    }
  });

  it("refuses every older Node, including the 23 releases before type stripping was on", () => {
    for (const version of ["20.20.2", "18.20.8", "22.17.1", "22.6.0", "23.5.0", "8.0.0", ""]) {
      expect(nodeIsSupported(version), version).toBe(false);
    }
  });

  it("names the version needed, the one running, and a command that gets Node 24", () => {
    const message = unsupportedNodeMessage("20.20.2", "/usr/bin/node");
    expect(message).toContain("needs Node.js 22.18 or newer");
    expect(message).toContain("this is Node 20.20.2 (/usr/bin/node)");
    expect(message).toContain("npm install --prefix");
    expect(message).toContain("node@24");
  });

  it("makes npm install on an old Node say the same: package.json's engines carry the range and the command", () => {
    const { engines } = JSON.parse(readFileSync(PACKAGE_JSON, "utf8")) as {
      engines: Record<string, string>;
    };
    expect(engines.node).toBe("^22.18.0 || >=23.6.0");
    expect(engines["to-get-node-24"]).toContain(GET_NODE_24);
    expect(unsupportedNodeMessage("20.20.2", "/usr/bin/node")).toContain(GET_NODE_24);
  });

  it("passes silently on the Node running the tests", () => {
    const run = spawnSync(process.execPath, [SCRIPT], { encoding: "utf8" });
    expect(run.status).toBe(0);
    expect(run.stderr).toBe("");
    expect(spawnSync(process.execPath, [SCRIPT, "--check"]).status).toBe(0);
  });
});
