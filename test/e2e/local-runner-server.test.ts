// The embedded SQS server the local stack runs on: loopback only, and never left running.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { ListQueuesCommand } from "@aws-sdk/client-sqs";
import { describe, expect, it, onTestFinished } from "vitest";
import { startLocalSqs } from "../../lib/local/sqs-server.ts";
import { createSqsClient } from "../../lib/queues/client.ts";

async function answers(endpoint: string): Promise<boolean> {
  try {
    await fetch(`${endpoint}/health`);
    return true;
  } catch {
    return false;
  }
}

describe("startLocalSqs", () => {
  it("listens on 127.0.0.1 on a free port and speaks the SQS protocol", async () => {
    const server = await startLocalSqs();
    const sqs = createSqsClient({ endpoint: server.endpoint, env: {} });
    try {
      expect(server.endpoint).toBe(`http://127.0.0.1:${server.port}`);
      expect(server.port).toBeGreaterThan(0);
      const listed = await sqs.send(new ListQueuesCommand({}));
      expect(listed.QueueUrls ?? []).toEqual([]);
    } finally {
      sqs.destroy();
      await server.stop();
    }
  });

  it("stops listening when stopped, and a second stop is harmless", async () => {
    const server = await startLocalSqs();
    expect(await answers(server.endpoint)).toBe(true);
    await Promise.all([server.stop(), server.stop()]);
    expect(await answers(server.endpoint)).toBe(false);
  });
});

describe("stopOnSignals", () => {
  it.each([
    ["SIGTERM", 143],
    ["SIGINT", 130],
  ] as const)("stops a script's server on %s and exits with %i", async (signal, code) => {
    const script = fileURLToPath(
      new URL("../fixtures/handlers/serve-until-signal.ts", import.meta.url),
    );
    const child = spawn(process.execPath, [script], { stdio: ["ignore", "pipe", "pipe"] });
    onTestFinished(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const [firstLine] = (await once(child.stdout, "data")) as [Buffer];
    const endpoint = firstLine.toString().trim();
    expect(await answers(endpoint)).toBe(true);

    child.kill(signal);
    const [exitCode] = (await once(child, "exit")) as [number | null];

    expect(exitCode).toBe(code);
    expect(stderr).toContain("stopped");
    expect(await answers(endpoint)).toBe(false);
  });
});
