#!/usr/bin/env bash
# Runs a Playwright e2e feature, in the cluster (test-job-runner) or locally; passes its exit code on.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
  cat <<USAGE
Usage: ${0##*/} [--feature NAME] [--local DIR] [--release NAME] [--namespace NS]
                [--context CTX] [--timeout SECONDS] [--dry-run] [-- PLAYWRIGHT ARGS...]

Runs the Playwright feature NAME: Playwright's file filter, so "checkout" runs every spec whose
path contains "checkout"; empty runs every spec.

  --feature NAME     feature to run (default \$FEATURE, the Tilt button's text input)
  --local DIR        run \`pnpm exec playwright test\` in DIR instead of in the cluster
  (in the cluster)   integration-run.sh --suite e2e --env FEATURE=NAME [--env PLAYWRIGHT_ARGS=...]
  --release, --namespace, --context, --timeout: passed to integration-run.sh
  --dry-run          print the command, run nothing
  -h, --help         this text

Exit codes: Playwright's (0 passed, 1 failures); 2 usage or environment error.
USAGE
}

feature=${FEATURE:-}
local_dir=''
pass=()
extra=()
while [ $# -gt 0 ]; do
  case $1 in
    --feature) feature=${2-}; [ $# -ge 2 ] || die 2 "--feature needs a value"; shift 2 ;;
    --local) local_dir=$(opt_value "$@"); shift 2 ;;
    --release | --namespace | --context | --timeout) pass+=("$1" "$(opt_value "$@")"); shift 2 ;;
    --dry-run) DRY_RUN=1; pass+=(--dry-run); shift ;;
    -h | --help) usage; exit 0 ;;
    --) shift; extra=("$@"); break ;;
    *) usage >&2; die 2 "unknown argument '$1'" ;;
  esac
done
if [ -n "$feature" ] && ! [[ $feature =~ ^[A-Za-z0-9][A-Za-z0-9._/@-]*$ ]]; then
  die 2 "invalid feature '$feature': letters, digits and . _ / @ - only"
fi
filter=()
[ -z "$feature" ] || filter=("$feature")

if [ -n "$local_dir" ]; then
  [ "$DRY_RUN" = 1 ] || [ -d "$local_dir" ] || die 2 "--local $local_dir is not a folder"
  need pnpm "install Node.js and pnpm, or run without --local"
  cd "$local_dir"
  run pnpm exec playwright test ${filter[@]+"${filter[@]}"} ${extra[@]+"${extra[@]}"}
  exit $?
fi

envs=(--env "FEATURE=$feature")
[ ${#extra[@]} -eq 0 ] || envs+=(--env "PLAYWRIGHT_ARGS=${extra[*]}")
exec "$(dirname "${BASH_SOURCE[0]}")/integration-run.sh" --suite e2e "${envs[@]}" ${pass[@]+"${pass[@]}"}
