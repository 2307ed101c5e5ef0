/**
 * dynalite, the local stand-in for DynamoDB (npm, in memory), with the fleet board's table: what
 * the fleet scenario's containers share, as the deployed functions share serverless.yml's table.
 * Listens on 127.0.0.1 only and counts the calls it answers (the board's cost per SMH request).
 */
import type { AddressInfo } from "node:net";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import dynalite from "dynalite";
import { awsClientConfig } from "../lib/aws/client-config.ts";
import { FLEET_TABLE_KEYS } from "../lib/fleet/dynamodb-board.ts";

/** A running local DynamoDB. */
export interface LocalDynamoDb {
  /** `http://127.0.0.1:<port>`: `DYNAMODB_ENDPOINT`. */
  readonly endpoint: string;
  /** Calls answered since the start (or the last reset). */
  calls(): number;
  resetCalls(): void;
  /** Creates the fleet board's table (as serverless.yml declares it). */
  createFleetTable(tableName: string): Promise<void>;
  stop(): Promise<void>;
}

/** Starts dynalite in this process on a free loopback port. */
export async function startLocalDynamoDb(): Promise<LocalDynamoDb> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  let calls = 0;
  server.on("request", () => {
    calls++;
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    calls: () => calls,
    resetCalls: () => {
      calls = 0;
    },
    async createFleetTable(tableName) {
      const client = new DynamoDBClient(awsClientConfig({ endpoint, env: {} }));
      try {
        await client.send(
          new CreateTableCommand({
            TableName: tableName,
            BillingMode: "PAY_PER_REQUEST",
            AttributeDefinitions: [
              { AttributeName: FLEET_TABLE_KEYS.partition, AttributeType: "S" },
              { AttributeName: FLEET_TABLE_KEYS.sort, AttributeType: "S" },
            ],
            KeySchema: [
              { AttributeName: FLEET_TABLE_KEYS.partition, KeyType: "HASH" },
              { AttributeName: FLEET_TABLE_KEYS.sort, KeyType: "RANGE" },
            ],
          }),
        );
      } finally {
        client.destroy();
      }
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
