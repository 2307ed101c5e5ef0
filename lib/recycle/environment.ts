/**
 * Builds the recycle pipeline from the environment, once per container (cold start). The same
 * variables as the delete pipeline (`RESULTS_QUEUE_URL`, the library secrets, the policy, the SMH
 * settings), plus `RECYCLE_MAX_RECEIVE_COUNT` and `RECYCLE_CONCURRENCY` (see `settings.ts`).
 * Configuration errors fail here, before any command is consumed.
 */
import type { SQSClient } from "@aws-sdk/client-sqs";
import { LibrarySecrets } from "../config/library-secrets.ts";
import { smhClientFromEnv } from "../config/smh-client.ts";
import { CircuitBreakers } from "../pipeline/circuit.ts";
import { PipelineEnv } from "../pipeline/environment.ts";
import { sqsResultPublisher } from "../pipeline/results.ts";
import { loadPolicyFromEnv } from "../policy/index.ts";
import { type BatchCounters, createBatchCounters, createSqsClient } from "../queues/index.ts";
import type { SmhEventListener } from "../smh/index.ts";
import type { RecycleObserver } from "./observer.ts";
import type { RecyclePipeline } from "./process-batch.ts";
import { readRecycleSettings } from "./settings.ts";

export interface RecycleWiring {
  readonly pipeline: RecyclePipeline;
  /** Where the SMH client's secrets live; the handler feeds it from SSM when configured. */
  readonly secrets: LibrarySecrets;
  /** The SSM parameter holding the secrets, when the handler must fetch them. */
  readonly secretsParameter: string | undefined;
  /** Results-queue calls made so far. */
  readonly resultCounters: BatchCounters;
}

/**
 * Reads everything from `env`. The SMH client serves exactly the libraries the policy lists: a
 * command for any other library is refused by the policy before the client is asked.
 */
export function recyclePipelineFromEnv(options: {
  env?: Readonly<Record<string, string | undefined>>;
  observer?: RecycleObserver;
  onSmhEvent?: SmhEventListener;
  sqs?: SQSClient;
}): RecycleWiring {
  const env = options.env ?? process.env;
  const policy = loadPolicyFromEnv(env);
  const settings = readRecycleSettings(env);
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
