/**
 * Builds the delete pipeline from the environment, once per container (cold start). Configuration
 * errors — no deletion policy, a bad variable, no results queue — fail here, at initialisation,
 * instead of consuming jobs.
 */
import type { SQSClient } from "@aws-sdk/client-sqs";
import { LibrarySecrets } from "../config/library-secrets.ts";
import { smhClientFromEnv } from "../config/smh-client.ts";
import { loadPolicyFromEnv } from "../policy/index.ts";
import { type BatchCounters, createBatchCounters, createSqsClient } from "../queues/index.ts";
import type { SmhEventListener } from "../smh/index.ts";
import { CircuitBreakers } from "./circuit.ts";
import type { PipelineObserver } from "./observer.ts";
import type { DeletePipeline } from "./process-batch.ts";
import { sqsResultPublisher } from "./results.ts";
import { readPipelineSettings } from "./settings.ts";

/** Environment variable names shared by the handler, serverless.yml and the local stack. */
export const PipelineEnv = {
  resultsQueueUrl: "RESULTS_QUEUE_URL",
  librarySecrets: "SMH_LIBRARY_SECRETS",
  librarySecretsParameter: "SMH_LIBRARY_SECRETS_SSM_PARAMETER",
} as const;

export interface PipelineWiring {
  readonly pipeline: DeletePipeline;
  /** Where the SMH client's secrets live; the handler feeds it from SSM when configured. */
  readonly secrets: LibrarySecrets;
  /** The SSM parameter holding the secrets, when the handler must fetch them. */
  readonly secretsParameter: string | undefined;
  /** Results-queue calls made so far (for benchmarks). */
  readonly resultCounters: BatchCounters;
}

/**
 * Reads everything from `env`. The SMH client serves exactly the libraries the deletion policy
 * lists: a job for any other library is refused by the policy before the client is asked.
 */
export function deletePipelineFromEnv(options: {
  env?: Readonly<Record<string, string | undefined>>;
  observer?: PipelineObserver;
  onSmhEvent?: SmhEventListener;
  sqs?: SQSClient;
}): PipelineWiring {
  const env = options.env ?? process.env;
  const policy = loadPolicyFromEnv(env);
  const settings = readPipelineSettings(env);
  const resultsQueueUrl = env[PipelineEnv.resultsQueueUrl]?.trim();
  if (!resultsQueueUrl) throw new Error(`${PipelineEnv.resultsQueueUrl} is not set`);

  const secrets = new LibrarySecrets();
  const inlineSecrets = env[PipelineEnv.librarySecrets]?.trim();
  const secretsParameter = env[PipelineEnv.librarySecretsParameter]?.trim() || undefined;
  if (inlineSecrets) secrets.update(inlineSecrets, PipelineEnv.librarySecrets);
  else if (!secretsParameter) {
    throw new Error(
      `set ${PipelineEnv.librarySecretsParameter} (an SSM SecureString) or ${PipelineEnv.librarySecrets} (local runs) to provide the library secrets`,
    );
  }

  const smh = smhClientFromEnv([...policy.libraries.keys()], secrets, options.onSmhEvent, env);
  const sqs = options.sqs ?? createSqsClient({ env: { ...env } });
  const resultCounters = createBatchCounters();
  return {
    pipeline: {
      smh,
      publisher: sqsResultPublisher(sqs, resultsQueueUrl, resultCounters),
      policy,
      settings,
      circuits: new CircuitBreakers({
        threshold: settings.circuitFailureThreshold,
        cooldownMs: settings.circuitCooldownMs,
      }),
      ...(options.observer ? { observer: options.observer } : {}),
    },
    secrets,
    secretsParameter,
    resultCounters,
  };
}
