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
