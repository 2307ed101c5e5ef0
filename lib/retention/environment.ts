/**
 * Builds the retention run from the environment, once per container (cold start). Configuration
 * errors — rules that are invalid or that the deletion policy makes pointless, no policy, a missing
 * queue, a bad setting — fail here, before any scan.
 *
 * Variables: the rules (`RETENTION_RULES_FILE` or `RETENTION_RULES`, see `rules-source.ts`), the
 * deletion policy and library secrets and SMH settings as every handler reads them,
 * `JOBS_QUEUE_URL`, `RESULTS_QUEUE_URL`, `RETENTION_CONTINUATIONS_QUEUE_URL`, the ledger
 * (`LEDGER_BUCKET`, `lib/ledger/environment.ts`: plan summaries and alerts are kept there before
 * they are published) and the tuning of `settings.ts`.
 */
import type { S3Client } from "@aws-sdk/client-s3";
import type { SQSClient } from "@aws-sdk/client-sqs";
import type { Env } from "../config/env.ts";
import {
  handlerRuntimeFromEnv,
  RuntimeEnv,
  requiredEnv,
  type SecretsWiring,
} from "../config/runtime.ts";
import { ledgerFromEnv } from "../ledger/environment.ts";
import { type BatchCounters, createBatchCounters } from "../queues/counters.ts";
import type { SmhEventListener } from "../smh/events.ts";
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

export interface RetentionWiring extends SecretsWiring {
  readonly deps: RetentionDeps;
  /** Where the rules came from (a path or a variable name), for logs. */
  readonly rulesSource: string;
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
  /** The S3 client the ledger is written with. Default: one from the environment (`S3_ENDPOINT`). */
  s3?: Pick<S3Client, "send">;
}): RetentionWiring {
  const env = options.env ?? process.env;
  const ledger = ledgerFromEnv(env, options.s3);
  const runtime = handlerRuntimeFromEnv({ env, onSmhEvent: options.onSmhEvent, sqs: options.sqs });
  const loaded = loadRulesFromEnv(env);
  const rules = checkRulesAgainstPolicy(loaded, runtime.policy);
  const settings = readRetentionSettings(env);
  const urls = {
    jobs: requiredEnv(env, RetentionEnv.jobsQueueUrl),
    results: requiredEnv(env, RuntimeEnv.resultsQueueUrl),
    continuations: requiredEnv(env, RetentionEnv.continuationsQueueUrl),
  };
  const counters = createBatchCounters();
  return {
    deps: {
      rules,
      policy: runtime.policy,
      source: smhDirectorySource(runtime.smh),
      outbox: sqsRetentionOutbox(runtime.sqs, urls, counters, {
        location: ledger,
        ...(options.observer?.ledgerWriteFailed
          ? { onWriteFailed: options.observer.ledgerWriteFailed.bind(options.observer) }
          : {}),
      }),
      settings,
      ...(options.observer ? { observer: options.observer } : {}),
    },
    rulesSource: loaded.source,
    secrets: runtime.secrets,
    secretsParameter: runtime.secretsParameter,
    counters,
  };
}
