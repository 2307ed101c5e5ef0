/**
 * The library secrets reach the handler's LibrarySecrets from SSM — and never the Lambda context,
 * which a careless log call or error could print whole. SSM is a loopback HTTP server speaking the
 * SSM JSON protocol (GetParameters), reached by the real SDK client through AWS_ENDPOINT_URL_SSM.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Context } from "aws-lambda";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { LibrarySecrets } from "../../../lib/config/library-secrets.ts";
import {
  LIBRARY_SECRETS_REFRESH_MS,
  lambdaHandler,
  powertools,
} from "../../../lib/observability/lambda-handler.ts";

const SECRET = "s3cr3t-library-value-7f41";
const ROTATED = "r0tated-library-value-9c22";

/** The fake SSM: one SecureString per name, and every GetParameters call it answered. */
const parameters = new Map<string, string>();
const calls: string[][] = [];
let server: Server;
const savedEnv: Record<string, string | undefined> = {};

function setEnv(name: string, value: string): void {
  if (!(name in savedEnv)) savedEnv[name] = process.env[name];
  process.env[name] = value;
}

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on("end", () => {
      const target = String(request.headers["x-amz-target"]);
      if (target !== "AmazonSSM.GetParameters") {
        response.writeHead(400, { "content-type": "application/x-amz-json-1.1" });
        response.end(JSON.stringify({ __type: "UnknownOperationException" }));
        return;
      }
      const { Names } = JSON.parse(body) as { Names: string[] };
      calls.push(Names);
      response.writeHead(200, { "content-type": "application/x-amz-json-1.1" });
      response.end(
        JSON.stringify({
          Parameters: Names.filter((name) => parameters.has(name)).map((name) => ({
            Name: name,
            Type: "SecureString",
            Value: parameters.get(name),
            Version: 1,
          })),
          InvalidParameters: Names.filter((name) => !parameters.has(name)),
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  setEnv("AWS_ENDPOINT_URL_SSM", `http://127.0.0.1:${port}`);
  setEnv("AWS_REGION", "ap-southeast-1");
  setEnv("AWS_ACCESS_KEY_ID", "test");
  setEnv("AWS_SECRET_ACCESS_KEY", "test");
  setEnv("AWS_EC2_METADATA_DISABLED", "true");
  setEnv("POWERTOOLS_SERVICE_NAME", "smh-batch-cleaner");
  setEnv("POWERTOOLS_METRICS_NAMESPACE", "SmhBatchCleaner");
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  for (const [name, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

function lambdaContext(): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: "smh-batch-cleaner-test-deleteDirectories",
    functionVersion: "$LATEST",
    invokedFunctionArn:
      "arn:aws:lambda:ap-southeast-1:123456789012:function:smh-batch-cleaner-test-deleteDirectories",
    memoryLimitInMB: "512",
    awsRequestId: "0b1c2d3e-request",
    logGroupName: "/aws/lambda/smh-batch-cleaner-test-deleteDirectories",
    logStreamName: "2026/12/06/[$LATEST]abc",
    getRemainingTimeInMillis: () => 60_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** Everything reachable from `value`: own properties (enumerable or not), to any depth. */
function reachableText(value: unknown, seen = new Set<unknown>()): string {
  if (value === null || (typeof value !== "object" && typeof value !== "function")) {
    return String(value);
  }
  if (seen.has(value)) return "";
  seen.add(value);
  return Reflect.ownKeys(value as object)
    .map((key) => {
      const descriptor = Object.getOwnPropertyDescriptor(value, key);
      const inner = descriptor && "value" in descriptor ? descriptor.value : undefined;
      return `${String(key)}=${reachableText(inner, seen)}`;
    })
    .join(" ");
}

/** The secret the SMH client would mint lib1's tokens with. */
function secretOf(secrets: LibrarySecrets): Promise<string> {
  const source = secrets.source("lib1");
  return Promise.resolve(typeof source === "string" ? source : source());
}

/** A handler reading `parameter`, whose business function logs its whole context. */
function handlerFor(parameter: string) {
  const streams = [process.stdout, process.stderr].map((stream) =>
    vi.spyOn(stream, "write").mockImplementation(() => true),
  );
  const { logger, metrics } = powertools();
  const secrets = new LibrarySecrets();
  const contexts: Context[] = [];
  const handler = lambdaHandler(
    async (_event: unknown, context: Context) => {
      contexts.push(context);
      logger.info("the context, logged whole", { context });
      logger.error("a failure with the context", new Error(JSON.stringify(context)));
      return "done";
    },
    { logger, metrics, wiring: { secrets, secretsParameter: parameter } },
  );
  const printed = () =>
    streams.flatMap((stream) => stream.mock.calls.map(([chunk]) => String(chunk))).join("");
  return { handler, secrets, contexts, printed };
}

describe("lambdaHandler with the library secrets in SSM", () => {
  it("gives the SMH client the secrets and puts none on the context or in the logs", async () => {
    const parameter = "/smh-batch-cleaner/test/library-secrets-context";
    parameters.set(parameter, JSON.stringify({ lib1: SECRET }));
    const { handler, secrets, contexts, printed } = handlerFor(parameter);

    await expect(handler({}, lambdaContext())).resolves.toBe("done");

    await expect(secretOf(secrets)).resolves.toBe(SECRET);
    expect(calls.some((names) => names.includes(parameter))).toBe(true);
    const [context] = contexts;
    expect(context).toBeDefined();
    expect(Reflect.ownKeys(context as object)).not.toContain("librarySecrets");
    expect(reachableText(context)).not.toContain(SECRET);
    expect(JSON.stringify(context)).not.toContain(SECRET);
    // The business function logged the context whole, and an error made of it.
    expect(printed()).toContain("the context, logged whole");
    expect(printed()).toContain("a failure with the context");
    expect(printed()).not.toContain(SECRET);
  });

  it(`reads the parameter again after ${LIBRARY_SECRETS_REFRESH_MS / 60_000} minutes, not before: a rotated secret is used without a redeploy`, async () => {
    expect(LIBRARY_SECRETS_REFRESH_MS).toBe(15 * 60 * 1000);
    const parameter = "/smh-batch-cleaner/test/library-secrets-rotation";
    parameters.set(parameter, JSON.stringify({ lib1: SECRET }));
    const fetches = () => calls.filter((names) => names.includes(parameter)).length;
    vi.useFakeTimers({ toFake: ["Date"] });
    const start = Date.now();
    const { handler, secrets, contexts, printed } = handlerFor(parameter);

    await handler({}, lambdaContext());
    await expect(secretOf(secrets)).resolves.toBe(SECRET);
    const afterColdStart = fetches();
    expect(afterColdStart).toBeGreaterThanOrEqual(1);

    parameters.set(parameter, JSON.stringify({ lib1: ROTATED }));
    vi.setSystemTime(start + LIBRARY_SECRETS_REFRESH_MS - 60_000);
    await handler({}, lambdaContext());
    await expect(secretOf(secrets)).resolves.toBe(SECRET);
    expect(fetches()).toBe(afterColdStart);

    vi.setSystemTime(start + LIBRARY_SECRETS_REFRESH_MS + 60_000);
    await handler({}, lambdaContext());
    await expect(secretOf(secrets)).resolves.toBe(ROTATED);
    expect(fetches()).toBe(afterColdStart + 1);

    for (const context of contexts) {
      expect(reachableText(context)).not.toContain(SECRET);
      expect(reachableText(context)).not.toContain(ROTATED);
    }
    expect(printed()).not.toContain(ROTATED);
  });

  it("fails the invocation, naming the parameter and not the value, when the document is not secrets", async () => {
    const parameter = "/smh-batch-cleaner/test/library-secrets-invalid";
    parameters.set(parameter, JSON.stringify({ "lib 1": SECRET }));
    const { handler, contexts, printed } = handlerFor(parameter);

    const failure = await handler({}, lambdaContext()).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toContain(parameter);
    expect((failure as Error).message).not.toContain(SECRET);
    expect(contexts).toEqual([]);
    expect(printed()).not.toContain(SECRET);
  });
});
