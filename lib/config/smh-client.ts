/**
 * The SMH client as every handler builds it from the environment: one per container, shared by
 * all invocations, so tokens, the per-library limiter and its learned rate survive between them.
 */
import * as z from "zod";
import { DynamoDbFleetBoard } from "../fleet/dynamodb-board.ts";
import { createSmhClient, type SmhClient } from "../smh/client.ts";
import { DEFAULT_BASE_URL_TEMPLATE } from "../smh/config.ts";
import type { SmhEventListener } from "../smh/events.ts";
import { type Env, envNumber, parseEnv, refuseRetiredVariables } from "./env.ts";
import type { LibrarySecrets } from "./library-secrets.ts";

const SmhEnvSchema = z.object({
  SMH_BASE_URL: z.string().default(DEFAULT_BASE_URL_TEMPLATE),
  SMH_USER_ID: z.string().optional(),
  // Where the limiter starts (requests/s per library), not a cap: it adapts from there, down on
  // 429s and back up towards the client's ceiling. The benchmarks set it to the simulator's limit.
  SMH_INITIAL_RATE: envNumber.positive.optional(),
  SMH_RETRY_LIMIT: envNumber.nonNegativeInt.optional(),
  SMH_FLEET_TABLE: z.string().optional(),
  DYNAMODB_ENDPOINT: z.string().optional(),
});

/** The environment variables read by {@link smhClientFromEnv}. */
export type SmhEnv = z.output<typeof SmhEnvSchema>;

/** Reads the SMH settings; empty strings count as unset. Throws a `ZodError` naming bad variables. */
export function readSmhEnv(env: Env = process.env): SmhEnv {
  refuseRetiredVariables(env);
  return parseEnv(SmhEnvSchema, env);
}

/**
 * Builds the SMH client for `libraryIds`, each library's secret resolved from `secrets` at mint
 * time. With `SMH_FLEET_TABLE`, its limiters share each library's limit with the other containers
 * through that DynamoDB table (at `DYNAMODB_ENDPOINT` when set, e.g. dynalite).
 */
export function smhClientFromEnv(
  libraryIds: readonly string[],
  secrets: LibrarySecrets,
  onEvent: SmhEventListener | undefined,
  env: Env = process.env,
): SmhClient {
  const settings = readSmhEnv(env);
  return createSmhClient({
    libraries: libraryIds.map((libraryId) => ({
      libraryId,
      librarySecret: secrets.source(libraryId),
    })),
    baseUrlTemplate: settings.SMH_BASE_URL,
    ...(settings.SMH_USER_ID ? { userId: settings.SMH_USER_ID } : {}),
    ...(settings.SMH_RETRY_LIMIT !== undefined
      ? { retry: { limit: settings.SMH_RETRY_LIMIT } }
      : {}),
    limiter: settings.SMH_INITIAL_RATE ? { initialRate: settings.SMH_INITIAL_RATE } : {},
    ...(settings.SMH_FLEET_TABLE
      ? {
          fleetBoard: new DynamoDbFleetBoard({
            tableName: settings.SMH_FLEET_TABLE,
            endpoint: settings.DYNAMODB_ENDPOINT,
            env: { ...env },
          }),
        }
      : {}),
    ...(onEvent ? { onEvent } : {}),
  });
}
