/**
 * The fleet board (lib/smh/limiter/fleet.ts) in a DynamoDB table: how the SMH limiters of the
 * Lambda containers sending to one library tell each other their rates.
 *
 * One item per post: partition key `libraryId`, sort key `postKey` = the post's time (epoch ms,
 * zero-padded to sort as text) and the member ID. A read is one Query for the posts of the last
 * seconds (`postKey >= <since>`), so old posts are never read again; the `expiresAt` attribute
 * (epoch seconds) lets the table's TTL delete them. A busy container makes two calls a second per
 * library it sends to (a PutItem and a Query), whatever its SMH request rate.
 */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { awsClientConfig } from "../aws/client-config.ts";
import type { FleetBoard, FleetPost } from "../smh/limiter/fleet.ts";

/** Where the board lives. */
export interface DynamoDbFleetBoardOptions {
  readonly tableName: string;
  /** A DynamoDB-compatible endpoint (dynalite locally); undefined: AWS. */
  readonly endpoint?: string | undefined;
  /** The environment the region and credentials come from. Default `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
  /** Longest wait for one call, ms: a board that answers later is no use to a one-second round. */
  readonly timeoutMs?: number;
}

/** The table's key attributes, for the deployment and the local stand-ins. */
export const FLEET_TABLE_KEYS = { partition: "libraryId", sort: "postKey" } as const;
/** The table's TTL attribute. */
export const FLEET_TABLE_TTL_ATTRIBUTE = "expiresAt";
/** Posts are kept this long (then the table's TTL deletes them); reads only look seconds back. */
const POST_TTL_SECONDS = 600;
/** Digits of an epoch-milliseconds time in a sort key: enough until the year 33658. */
const TIME_DIGITS = 15;
const DEFAULT_TIMEOUT_MS = 800;

export class DynamoDbFleetBoard implements FleetBoard {
  readonly #options: DynamoDbFleetBoardOptions;
  #client: Promise<DynamoDBClient> | undefined;

  constructor(options: DynamoDbFleetBoardOptions) {
    this.#options = options;
  }

  async post(libraryId: string, post: FleetPost): Promise<void> {
    const { PutItemCommand } = await import("@aws-sdk/client-dynamodb");
    const client = await this.#connect();
    await client.send(
      new PutItemCommand({
        TableName: this.#options.tableName,
        Item: {
          [FLEET_TABLE_KEYS.partition]: { S: libraryId },
          [FLEET_TABLE_KEYS.sort]: { S: postKey(post.at, post.memberId) },
          memberId: { S: post.memberId },
          rate: { N: String(post.rate) },
          saturated: { BOOL: post.saturated },
          at: { N: String(post.at) },
          [FLEET_TABLE_TTL_ATTRIBUTE]: { N: String(Math.ceil(post.at / 1000) + POST_TTL_SECONDS) },
        },
      }),
      { abortSignal: this.#deadline() },
    );
  }

  async read(libraryId: string, since: number): Promise<readonly FleetPost[]> {
    const { QueryCommand } = await import("@aws-sdk/client-dynamodb");
    const client = await this.#connect();
    const answer = await client.send(
      new QueryCommand({
        TableName: this.#options.tableName,
        KeyConditionExpression: "#library = :library AND #post >= :since",
        ExpressionAttributeNames: {
          "#library": FLEET_TABLE_KEYS.partition,
          "#post": FLEET_TABLE_KEYS.sort,
        },
        ExpressionAttributeValues: {
          ":library": { S: libraryId },
          ":since": { S: postKey(Math.max(0, since), "") },
        },
        // A post made a moment ago must be seen: balancing reads right after the others post.
        ConsistentRead: true,
      }),
      { abortSignal: this.#deadline() },
    );
    return (answer.Items ?? []).flatMap((item) => {
      const memberId = item.memberId?.S;
      const rate = Number(item.rate?.N);
      const at = Number(item.at?.N);
      const saturated = item.saturated?.BOOL;
      // An item this code did not write is skipped, not trusted.
      if (memberId === undefined || saturated === undefined) return [];
      if (!Number.isFinite(rate) || !Number.isFinite(at)) return [];
      return [{ memberId, rate, saturated, at }];
    });
  }

  /** Releases the client's connections. */
  async close(): Promise<void> {
    const client = await this.#client;
    client?.destroy();
  }

  /** The SDK client, loaded on the first call: the handler's cold start does not pay for it. */
  #connect(): Promise<DynamoDBClient> {
    this.#client ??= import("@aws-sdk/client-dynamodb").then(
      ({ DynamoDBClient }) =>
        new DynamoDBClient({
          ...awsClientConfig({
            endpoint: this.#options.endpoint,
            env: this.#options.env ?? process.env,
          }),
          // One attempt: the next round, a second later, is the retry.
          maxAttempts: 1,
        }),
    );
    return this.#client;
  }

  #deadline(): AbortSignal {
    return AbortSignal.timeout(this.#options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  }
}

/** `<at, zero-padded>#<memberId>`: sorts by time as text. */
function postKey(at: number, memberId: string): string {
  return `${String(Math.floor(at)).padStart(TIME_DIGITS, "0")}#${memberId}`;
}
