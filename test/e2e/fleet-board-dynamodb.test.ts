import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalDynamoDb, startLocalDynamoDb } from "../../bench/dynamodb.ts";
import { LibrarySecrets } from "../../lib/config/library-secrets.ts";
import { smhClientFromEnv } from "../../lib/config/smh-client.ts";
import { DynamoDbFleetBoard } from "../../lib/fleet/dynamodb-board.ts";
import type { FleetPost } from "../../lib/smh/index.ts";
import { LIBRARY, SECRET } from "../unit/smh/helpers/client.ts";
import { SmhTestServer } from "../unit/smh/helpers/smh-test-server.ts";

const TABLE = "smh-batch-cleaner-test-fleet";

describe("the fleet board in DynamoDB (dynalite, real wire protocol)", () => {
  let dynamoDb: LocalDynamoDb;
  let board: DynamoDbFleetBoard;

  beforeAll(async () => {
    dynamoDb = await startLocalDynamoDb();
    await dynamoDb.createFleetTable(TABLE);
    board = new DynamoDbFleetBoard({ tableName: TABLE, endpoint: dynamoDb.endpoint, env: {} });
  });

  afterAll(async () => {
    await board?.close();
    await dynamoDb?.stop();
  });

  const post = (memberId: string, at: number, rate = 30, saturated = true): FleetPost => ({
    memberId,
    rate,
    saturated,
    at,
  });

  it("reads back exactly the posts of the library made since the given time", async () => {
    const base = 1_800_000_000_000;
    await board.post("lib-a", post("one", base, 12.5));
    await board.post("lib-a", post("two", base + 600, 40, false));
    await board.post("lib-a", post("one", base + 1000, 31.25));
    await board.post("lib-b", post("three", base + 900));
    const recent = await board.read("lib-a", base + 500);
    expect([...recent].sort((a, b) => a.at - b.at)).toEqual([
      post("two", base + 600, 40, false),
      post("one", base + 1000, 31.25),
    ]);
    expect(await board.read("lib-a", base + 2000)).toEqual([]);
    expect(await board.read("lib-c", 0)).toEqual([]);
  });

  it("keeps two posts of one member made in the same millisecond apart from other members'", async () => {
    const at = 1_800_000_100_000;
    await board.post("lib-d", post("alpha", at, 10));
    await board.post("lib-d", post("beta", at, 20));
    const read = await board.read("lib-d", at);
    expect(read.map((p) => p.memberId).sort()).toEqual(["alpha", "beta"]);
  });

  it("fails with the service's error when the table does not exist, for the limiter to report", async () => {
    const missing = new DynamoDbFleetBoard({
      tableName: "no-such-table",
      endpoint: dynamoDb.endpoint,
      env: {},
    });
    try {
      await expect(missing.read("lib-a", 0)).rejects.toThrow(/ResourceNotFound|not found/i);
    } finally {
      await missing.close();
    }
  });

  /** Runs `use` with an SMH client built from `env` (and the test server's URL), as a handler builds it. */
  async function withClientFromEnv(
    env: Record<string, string>,
    use: (client: ReturnType<typeof smhClientFromEnv>) => Promise<void>,
  ): Promise<void> {
    const server = await SmhTestServer.start();
    try {
      server.on("DELETE", /^\/api\/v1\/directory\//, () => ({ status: 204 }));
      const secrets = new LibrarySecrets();
      secrets.update({ [LIBRARY]: SECRET }, "test");
      await use(
        smhClientFromEnv([LIBRARY], secrets, undefined, { SMH_BASE_URL: server.url, ...env }),
      );
    } finally {
      await server.close();
    }
  }

  it("is what a client built from the environment posts to, given SMH_FLEET_TABLE", async () => {
    const env = { SMH_FLEET_TABLE: TABLE, DYNAMODB_ENDPOINT: dynamoDb.endpoint };
    await withClientFromEnv(env, async (client) => {
      const startedAt = Date.now();
      await client.deleteDirectory({ libraryId: LIBRARY, spaceId: "-", path: "a" });
      // The first request joins the fleet: it reads the board, then posts its rate (and posts
      // again at the next whole second if that comes within a second of the request).
      await expect
        .poll(async () => (await board.read(LIBRARY, startedAt)).length, { timeout: 5000 })
        .toBeGreaterThan(0);
    });
  });

  it("is not used without SMH_FLEET_TABLE", async () => {
    await withClientFromEnv({ DYNAMODB_ENDPOINT: dynamoDb.endpoint }, async (client) => {
      const calls = dynamoDb.calls();
      await client.deleteDirectory({ libraryId: LIBRARY, spaceId: "-", path: "a" });
      expect(dynamoDb.calls()).toBe(calls);
      expect(client.limiterStats(LIBRARY).busyPeers).toBe(0);
    });
  });
});
