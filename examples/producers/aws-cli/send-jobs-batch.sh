#!/usr/bin/env bash
# Up to 10 deletion jobs in one call with the AWS CLI: the entries are
# examples/producers/jobs-batch.json (each MessageBody is a job, as a JSON string).
# SendMessageBatch can succeed as a call and still refuse entries: they are listed under "Failed"
# in its answer, and this script exits 1 when there is any (send those again).
#   JOBS_QUEUE_URL, SQS_ENDPOINT: as for send-job.sh.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
answer="$(aws sqs send-message-batch \
  ${SQS_ENDPOINT:+--endpoint-url "$SQS_ENDPOINT"} \
  --queue-url "$JOBS_QUEUE_URL" \
  --entries "file://$here/jobs-batch.json" \
  --query '{sent: Successful[].Id, failed: Failed}' \
  --output json)"
printf '%s\n' "$answer"
if ! printf '%s' "$answer" | grep -Eq '"failed": (null|\[\])'; then
  echo "send-jobs-batch: some entries were not sent (see Failed)" >&2
  exit 1
fi
