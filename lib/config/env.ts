/**
 * Reading handler settings from environment variables with zod. One rule everywhere: a variable
 * that is unset or empty (serverless.yml writes `""` for an unset parameter) takes its default.
 */
import * as z from "zod";

/** An environment: `process.env`, or a plain object in tests. */
export type Env = Readonly<Record<string, string | undefined>>;

/** Schemas for numeric variables. */
export const envNumber = {
  positiveInt: z.coerce.number().int().positive(),
  nonNegativeInt: z.coerce.number().int().nonnegative(),
  positive: z.coerce.number().positive(),
} as const;

/**
 * Parses the variables named by `schema`'s keys out of `env` (trimmed; empty counts as unset).
 * Throws a `ZodError` naming each invalid variable.
 *
 * @example const { DELETE_CONCURRENCY } = parseEnv(z.object({ DELETE_CONCURRENCY: envNumber.positiveInt.default(4) }), process.env);
 */
export function parseEnv<S extends z.ZodObject>(schema: S, env: Env): z.output<S> {
  const present = Object.fromEntries(
    Object.keys(schema.shape)
      .map((key) => [key, env[key]?.trim()])
      .filter(([, value]) => value !== undefined && value !== ""),
  );
  return schema.parse(present);
}

/**
 * Variables this product read once and no longer does, with what to do instead. Nobody turned
 * them, so they became the SMH client's (or the scan's) defaults; one that is still set fails the
 * cold start with this text instead of being silently ignored.
 */
export const RETIRED_VARIABLES: Readonly<Record<string, string>> = {
  SMH_RATE_LIMIT:
    "renamed SMH_INITIAL_RATE: it only ever set the rate the limiter starts at (it adapts from there)",
  SMH_MAX_RATE: "no longer read: the adaptive rate's ceiling is the SMH client's default",
  SMH_MAX_IN_FLIGHT: "no longer read: requests in flight per library is the SMH client's default",
  SMH_ATTEMPT_TIMEOUT_MS:
    "no longer read: one HTTP attempt's timeout is the SMH client's default (every call still ends by the invocation's deadline)",
  SMH_TOKEN_PERIOD_SECONDS: "no longer read: the access token period is the SMH client's default",
  RETENTION_PAGE_SIZE: "no longer read: a retention listing page is 100 entries, SMH's maximum",
};

/** A variable of {@link RETIRED_VARIABLES} is set. */
export class RetiredVariableError extends Error {
  override readonly name = "RetiredVariableError";
  readonly variable: string;

  constructor(variable: string, instead: string) {
    super(`${variable} is set, but ${instead}; remove it`);
    this.variable = variable;
  }
}

/** Throws {@link RetiredVariableError} for the first retired variable set (non-empty) in `env`. */
export function refuseRetiredVariables(env: Env): void {
  for (const [variable, instead] of Object.entries(RETIRED_VARIABLES)) {
    if (env[variable]?.trim()) throw new RetiredVariableError(variable, instead);
  }
}
