/**
 * What every handler builds from the environment at cold start, the same way: the deletion policy,
 * the library secrets, the SMH client (serving exactly the policy's libraries) and the SQS client.
 * Configuration errors fail here, before any message is consumed.
 */
import type { SQSClient } from "@aws-sdk/client-sqs";
import type { DeletionPolicy } from "../policy/config.ts";
import { loadPolicyFromEnv } from "../policy/load.ts";
import { createSqsClient } from "../queues/client.ts";
import type { SmhClient } from "../smh/client.ts";
import type { SmhEventListener } from "../smh/events.ts";
import type { Env } from "./env.ts";
import { LibrarySecrets } from "./library-secrets.ts";
import { smhClientFromEnv } from "./smh-client.ts";

/** Environment variable names shared by the handlers, serverless.yml and the local stack. */
export const RuntimeEnv = {
  resultsQueueUrl: "RESULTS_QUEUE_URL",
  librarySecrets: "SMH_LIBRARY_SECRETS",
  librarySecretsParameter: "SMH_LIBRARY_SECRETS_SSM_PARAMETER",
} as const;

/** Where the library secrets come from, for the handler's SSM middleware. */
export interface SecretsWiring {
  /** Holds the secrets the SMH client mints with; the handler feeds it from SSM when configured. */
  readonly secrets: LibrarySecrets;
  /** The SSM parameter holding the secrets, when the handler must fetch them. */
  readonly secretsParameter: string | undefined;
}

export interface HandlerRuntime extends SecretsWiring {
  readonly policy: DeletionPolicy;
  readonly smh: SmhClient;
  readonly sqs: SQSClient;
}

/** The value of a required variable; throws naming it when it is unset or empty. */
export function requiredEnv(env: Env, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

/**
 * Reads the policy (`SMH_POLICY`/`SMH_POLICY_FILE`), the secrets (`SMH_LIBRARY_SECRETS` inline, or
 * the name of the SSM parameter in `SMH_LIBRARY_SECRETS_SSM_PARAMETER`), the SMH settings and the
 * SQS endpoint from `env`. A job for a library outside the policy is refused before the client is
 * asked, so the client serves exactly the policy's libraries.
 */
export function handlerRuntimeFromEnv(options: {
  env: Env;
  onSmhEvent?: SmhEventListener | undefined;
  sqs?: SQSClient | undefined;
}): HandlerRuntime {
  const { env } = options;
  const policy = loadPolicyFromEnv(env);
  const secrets = new LibrarySecrets();
  const inlineSecrets = env[RuntimeEnv.librarySecrets]?.trim();
  const secretsParameter = env[RuntimeEnv.librarySecretsParameter]?.trim() || undefined;
  if (inlineSecrets) secrets.update(inlineSecrets, RuntimeEnv.librarySecrets);
  else if (!secretsParameter) {
    throw new Error(
      `set ${RuntimeEnv.librarySecretsParameter} (an SSM SecureString) or ${RuntimeEnv.librarySecrets} (local runs) to provide the library secrets`,
    );
  }
  const smh = smhClientFromEnv([...policy.libraries.keys()], secrets, options.onSmhEvent, env);
  const sqs = options.sqs ?? createSqsClient({ env: { ...env } });
  return { policy, secrets, secretsParameter, smh, sqs };
}
