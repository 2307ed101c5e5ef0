/**
 * The SMH client as every handler builds it from the environment: one per container, shared by
 * all invocations, so tokens, the per-library limiter and its learned rate survive between them.
 */
import * as z from "zod";
import { DynamoDbFleetBoard } from "../fleet/dynamodb-board.ts";
import {
  createSmhClient,
  DEFAULT_BASE_URL_TEMPLATE,
  type SmhClient,
  type SmhEventListener,
} from "../smh/index.ts";
import { type Env, envNumber, parseEnv } from "./env.ts";
import type { LibrarySecrets } from "./library-secrets.ts";

const { positiveInt } = envNumber;

const SmhEnvSchema = z.object({
  SMH_BASE_URL: z.string().default(DEFAULT_BASE_URL_TEMPLATE),
  SMH_USER_ID: z.string().optional(),
  SMH_TOKEN_PERIOD_SECONDS: positiveInt.optional(),
  SMH_RATE_LIMIT: envNumber.positive.optional(),
  SMH_MAX_RATE: envNumber.positive.optional(),
  SMH_MAX_IN_FLIGHT: positiveInt.optional(),
  SMH_ATTEMPT_TIMEOUT_MS: positiveInt.optional(),
  SMH_RETRY_LIMIT: envNumber.nonNegativeInt.optional(),
  SMH_FLEET_TABLE: z.string().optional(),
  DYNAMODB_ENDPOINT: z.string().optional(),
});

/** The environment variables read by {@link smhClientFromEnv}. */
export type SmhEnv = z.output<typeof SmhEnvSchema>;

/** Reads the SMH settings; empty strings count as unset. Throws a `ZodError` naming bad variables. */
export function readSmhEnv(env: Env = process.env): SmhEnv {
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
    ...(settings.SMH_TOKEN_PERIOD_SECONDS
      ? { tokenPeriodSeconds: settings.SMH_TOKEN_PERIOD_SECONDS }
      : {}),
    ...(settings.SMH_ATTEMPT_TIMEOUT_MS
      ? { attemptTimeoutMs: settings.SMH_ATTEMPT_TIMEOUT_MS }
      : {}),
    ...(settings.SMH_RETRY_LIMIT !== undefined
      ? { retry: { limit: settings.SMH_RETRY_LIMIT } }
      : {}),
    limiter: {
      ...(settings.SMH_RATE_LIMIT ? { initialRate: settings.SMH_RATE_LIMIT } : {}),
      ...(settings.SMH_MAX_RATE ? { maxRate: settings.SMH_MAX_RATE } : {}),
      ...(settings.SMH_MAX_IN_FLIGHT ? { maxInFlight: settings.SMH_MAX_IN_FLIGHT } : {}),
    },
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
