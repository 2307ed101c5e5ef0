/**
 * Builds the retention run from the environment, once per container (cold start). Configuration
 * errors — rules that are invalid or that the deletion policy makes pointless, no policy, a missing
 * queue, a bad setting — fail here, before any scan.
 *
 * Variables: the rules (`RETENTION_RULES_FILE` or `RETENTION_RULES`, see `rules-source.ts`), the
 * deletion policy and library secrets and SMH settings as every handler reads them,
 * `JOBS_QUEUE_URL`, `RESULTS_QUEUE_URL`, `RETENTION_CONTINUATIONS_QUEUE_URL`, and the tuning of
 * `settings.ts`.
 */
import type { SQSClient } from "@aws-sdk/client-sqs";
import type { Env } from "../config/env.ts";
import { LibrarySecrets } from "../config/library-secrets.ts";
import { smhClientFromEnv } from "../config/smh-client.ts";
import { PipelineEnv } from "../pipeline/environment.ts";
import { loadPolicyFromEnv } from "../policy/index.ts";
import { type BatchCounters, createBatchCounters, createSqsClient } from "../queues/index.ts";
import type { SmhEventListener } from "../smh/index.ts";
import { smhDirectorySource } from "./listing.ts";
import type { RetentionObserver } from "./observer.ts";
import { sqsRetentionOutbox } from "./outbox.ts";
import { checkRulesAgainstPolicy, loadRulesFromEnv } from "./rules-source.ts";
import type { RetentionDeps } from "./run.ts";
import { readRetentionSettings } from "./settings.ts";

/** The queue variables of the retention scan (besides `RESULTS_QUEUE_URL`). */
export const RetentionEnv = {
  jobsQueueUrl: "JOBS_QUEUE_URL",
  continuationsQueueUrl: "RETENTION_CONTINUATIONS_QUEUE_URL",
} as const;

export interface RetentionWiring {
  readonly deps: RetentionDeps;
  /** Where the rules came from (a path or a variable name), for logs. */
  readonly rulesSource: string;
  /** Where the SMH client's secrets live; the handler feeds it from SSM when configured. */
  readonly secrets: LibrarySecrets;
  /** The SSM parameter holding the secrets, when the handler must fetch them. */
  readonly secretsParameter: string | undefined;
  /** Queue calls made so far. */
  readonly counters: BatchCounters;
}

/**
 * Reads everything from `env`. The SMH client serves exactly the libraries the deletion policy
 * lists, and every enabled rule's library is one of them (checked here).
 */
export function retentionScanFromEnv(options: {
  env?: Env;
  observer?: RetentionObserver;
  onSmhEvent?: SmhEventListener;
  sqs?: SQSClient;
}): RetentionWiring {
  const env = options.env ?? process.env;
  const policy = loadPolicyFromEnv(env);
  const loaded = loadRulesFromEnv(env);
  const rules = checkRulesAgainstPolicy(loaded, policy);
  const settings = readRetentionSettings(env);
  const required = (name: string): string => {
    const value = env[name]?.trim();
    if (!value) throw new Error(`${name} is not set`);
    return value;
  };
  const urls = {
    jobs: required(RetentionEnv.jobsQueueUrl),
    results: required(PipelineEnv.resultsQueueUrl),
    continuations: required(RetentionEnv.continuationsQueueUrl),
  };

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
  const counters = createBatchCounters();
  return {
    deps: {
      rules,
      policy,
      source: smhDirectorySource(smh),
      outbox: sqsRetentionOutbox(sqs, urls, counters),
      settings,
      ...(options.observer ? { observer: options.observer } : {}),
    },
    rulesSource: loaded.source,
    secrets,
    secretsParameter,
    counters,
  };
}
