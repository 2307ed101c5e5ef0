#!/usr/bin/env bash
# Rolls a stage of smh-batch-cleaner back to an earlier deployment with `osls rollback`
# (docs/operations.md, "Rolling back a bad deploy").
#
#   scripts/rollback.sh --stage <stage> --region <region> [--timestamp <ms>] [--dry-run] \
#     [-- <the --param=… options the stage is deployed with>]
#
# 1. Lists the deployments osls still keeps in the deployment bucket (`osls deploy list`, oldest
#    first; the last 5 by default).
# 2. Picks the target: --timestamp when given (it must be one of them), otherwise the deployment
#    before the newest one — the last one that was good, if the newest is the bad one.
# 3. Prints what it will do. With --dry-run it stops there; otherwise it runs
#    `osls rollback --timestamp <target>`, which deploys that deployment's CloudFormation template
#    and code again.
#
# Everything after `--` goes to both osls commands: osls resolves serverless.yml for every command,
# so the stage's required params (smhPolicy, retentionRulesFile, the producer principals) must be
# given as for a deploy. OSLS names the osls command (default: npx --no-install osls).
#
# Exit codes: 0 rolled back (or the dry run's plan printed), 2 usage, 3 no such deployment (none
# earlier than the newest, or --timestamp not listed), otherwise osls's own exit code.
set -euo pipefail

usage() {
  sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

stage=""
region=""
timestamp=""
dry_run=false
osls_args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --stage) stage="${2:-}"; shift 2 || usage ;;
    --region) region="${2:-}"; shift 2 || usage ;;
    --timestamp) timestamp="${2:-}"; shift 2 || usage ;;
    --dry-run) dry_run=true; shift ;;
    --) shift; osls_args=("$@"); break ;;
    -h | --help) usage ;;
    *) echo "rollback: unknown option $1" >&2; usage ;;
  esac
done

# Both are required: a rollback of the wrong stage or region is a deploy nobody asked for.
if [[ -z "$stage" || -z "$region" ]]; then
  echo "rollback: --stage and --region are required" >&2
  usage
fi
if [[ -n "$timestamp" && ! "$timestamp" =~ ^[0-9]+$ ]]; then
  echo "rollback: --timestamp takes the number osls deploy list prints (milliseconds)" >&2
  exit 2
fi

read -r -a osls <<< "${OSLS:-npx --no-install osls}"
target_args=(--stage "$stage" --region "$region" "${osls_args[@]}")

echo "rollback: listing the deployments of stage $stage in $region" >&2
listing="$("${osls[@]}" deploy list "${target_args[@]}")"
mapfile -t deployments < <(printf '%s\n' "$listing" | sed -n 's/^[[:space:]]*Timestamp: \([0-9][0-9]*\)[[:space:]]*$/\1/p')

if [[ ${#deployments[@]} -eq 0 ]]; then
  echo "rollback: osls lists no deployment of stage $stage in $region" >&2
  exit 3
fi
newest="${deployments[${#deployments[@]} - 1]}"

if [[ -n "$timestamp" ]]; then
  found=false
  for deployment in "${deployments[@]}"; do
    [[ "$deployment" == "$timestamp" ]] && found=true
  done
  if [[ "$found" != true ]]; then
    echo "rollback: no deployment $timestamp; osls keeps: ${deployments[*]}" >&2
    exit 3
  fi
  target="$timestamp"
else
  if [[ ${#deployments[@]} -lt 2 ]]; then
    echo "rollback: only one deployment ($newest) is kept: nothing earlier to roll back to" >&2
    exit 3
  fi
  target="${deployments[${#deployments[@]} - 2]}"
fi

if [[ "$target" == "$newest" ]]; then
  echo "rollback: $target is the newest deployment already" >&2
  exit 3
fi

when="$(date -u -d "@$((target / 1000))" '+%Y-%m-%d %H:%M:%S UTC' 2>/dev/null || echo "?")"
echo "rollback: stage $stage ($region): newest deployment $newest, rolling back to $target ($when)"
if [[ "$dry_run" == true ]]; then
  echo "rollback: dry run; would run: ${osls[*]} rollback --timestamp $target ${target_args[*]}"
  exit 0
fi
"${osls[@]}" rollback --timestamp "$target" "${target_args[@]}"
