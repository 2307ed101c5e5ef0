/**
 * A producer of deletion jobs, as another TypeScript system writes one: it builds each job with
 * smh-batch-cleaner's own schema (imported from the package, not copied), refuses to send
 * anything if one job is invalid, and sends them with the AWS SDK v3, reading every `Failed[]`
 * entry of SendMessageBatch (a batch call can succeed and still refuse entries).
 *
 * In your project: `npm install @aws-sdk/client-sqs <smh-batch-cleaner: a git dependency, or the
 * tarball npm pack makes>`, then, with Node >= 22.18 (which runs this file as it is):
 *
 *   JOBS_QUEUE_URL=https://sqs.…/smh-batch-cleaner-prod-jobs \
 *     node send-jobs.ts smhdemo000001 spacedemofiles1 users/u1064/tmp users/u1078/tmp
 *
 * SQS_ENDPOINT points it at another SQS-compatible endpoint (the local stack's, for a try-out:
 * `npm start` prints it and the jobs queue's URL, as does `npx smh-cleaner status --json`; any
 * AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY do there). AWS_REGION and the usual AWS
 * credentials apply. Prints {"sent":[jobId…],"failed":[…]} and exits 0 when every job was sent,
 * 1 when some were not, 3 when a job is invalid (nothing sent).
 */
import { SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import { type DeleteJob, DeleteJobSchema } from "smh-batch-cleaner/messages";

const [libraryId, spaceId, ...paths] = process.argv.slice(2);
const queueUrl = process.env.JOBS_QUEUE_URL;
if (!libraryId || !spaceId || paths.length === 0 || !queueUrl) {
  process.stderr.write("usage: JOBS_QUEUE_URL=… node send-jobs.ts <libraryId> <spaceId> <path>…\n");
  process.exit(2);
}

// 1. Build and validate every job before sending any, with the schema the delete function parses
//    with: a job it would reject is refused here, with every reason. The parsed job has its jobId
//    (derived from library, space, path and permanent unless given) and its path normalised.
const jobs: DeleteJob[] = [];
let invalid = false;
for (const path of paths) {
  const parsed = DeleteJobSchema.safeParse({
    v: 1,
    libraryId,
    spaceId,
    path,
    source: "media-app",
    requestedBy: "media-app",
  });
  if (parsed.success) {
    jobs.push(parsed.data);
    continue;
  }
  invalid = true;
  for (const issue of parsed.error.issues) {
    process.stderr.write(`${path}: ${issue.path.join(".") || "job"}: ${issue.message}\n`);
  }
}
if (invalid) process.exit(3);

// 2. Send them, 10 per SendMessageBatch call. Each entry's Id is its index in the call, so that
//    Failed[] names the job; entries refused for a reason on the queue's side are sent once more.
const sqs = new SQSClient(
  process.env.SQS_ENDPOINT
    ? { endpoint: process.env.SQS_ENDPOINT, region: process.env.AWS_REGION ?? "us-east-1" }
    : {},
);
const sent: string[] = [];
const failed: { jobId: string; code: string; message: string }[] = [];
for (let start = 0; start < jobs.length; start += 10) {
  let batch = jobs.slice(start, start + 10);
  for (let attempt = 1; batch.length > 0; attempt++) {
    const answer = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: batch.map((job, index) => ({
          Id: String(index),
          MessageBody: JSON.stringify(job),
        })),
      }),
    );
    for (const entry of answer.Successful ?? []) {
      const job = batch[Number(entry.Id)];
      if (job) sent.push(job.jobId);
    }
    const again: DeleteJob[] = [];
    for (const entry of answer.Failed ?? []) {
      const job = batch[Number(entry.Id)];
      if (!job) continue;
      if (entry.SenderFault || attempt === 2) {
        failed.push({ jobId: job.jobId, code: entry.Code ?? "", message: entry.Message ?? "" });
      } else {
        again.push(job);
      }
    }
    batch = again;
  }
}
sqs.destroy();
process.stdout.write(`${JSON.stringify({ sent, failed })}\n`);
process.exitCode = failed.length > 0 ? 1 : 0;
