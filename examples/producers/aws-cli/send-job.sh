#!/usr/bin/env bash
# One deletion job on the jobs queue with the AWS CLI: the body is examples/producers/job.json.
#   JOBS_QUEUE_URL   the jobs queue (the stack output JobsQueueUrl; `smh-cleaner status` shows the
#                    local stack's)
#   SQS_ENDPOINT     optional: another SQS-compatible endpoint (the local stack's, for a try-out)
# The usual AWS configuration applies (AWS_PROFILE or keys, AWS_REGION).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
aws sqs send-message \
  ${SQS_ENDPOINT:+--endpoint-url "$SQS_ENDPOINT"} \
  --queue-url "$JOBS_QUEUE_URL" \
  --message-body "file://$here/job.json"
