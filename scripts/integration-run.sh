#!/usr/bin/env bash
# Runs one test suite in the cluster from the test-job-runner release and passes its exit code on.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
  cat <<USAGE
Usage: ${0##*/} [--suite NAME] [--release NAME] [--namespace NS] [--context CTX]
                [--env K=V]... [--timeout SECONDS] [--dry-run]

Starts a Job from the test-job-runner CronJob <release>-<suite> (tilt_extensions/e2e/chart),
waits for it, prints its logs and exits with the runner container's exit code.

  --suite NAME       suite to run (default \$SUITE, else integration; the Tilt button's input)
  --release NAME     test-job-runner release (default \$AMEIDE_TEST_RELEASE, else test-job-runner)
  --namespace NS     its namespace (default \$AMEIDE_TEST_NAMESPACE, else ameide)
  --context CTX      kubeconfig context (default: the current one)
  --env K=V          environment variable for the run (repeatable), e.g. FEATURE=checkout
  --timeout SECONDS  give up after this long (default 1800)
  --dry-run          print each command, run nothing
  -h, --help         this text

Exit codes: 0 the suite passed; the runner's exit code (1 when unknown or timed out) when it
failed; 2 usage or environment error.
USAGE
}

suite=${SUITE:-integration}
timeout=1800
envs=()
script_opt() {
  OPT_SHIFT=2
  case $1 in
    --suite) suite=$(opt_value "$@") ;;
    --env) envs+=("$(opt_value "$@")") ;;
    --timeout) timeout=$(opt_value "$@") ;;
    *) OPT_SHIFT=0 ;;
  esac
}
parse_test_run_args "$@"
check_label suite "$suite"
[[ $timeout =~ ^[1-9][0-9]*$ ]] || die 2 "--timeout must be a positive number of seconds, got '$timeout'"
for e in ${envs[@]+"${envs[@]}"}; do
  [[ $e =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] || die 2 "--env needs NAME=VALUE, got '$e'"
done
test_run_kubectl

cronjob="$release-$suite"
job="$(printf '%s' "$cronjob" | cut -c1-52)-$(date +%s | tail -c 9)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The Job is rendered from the CronJob, given the run's variables, then created.
run_to "$tmp/job.json" "${kubectl_argv[@]}" create job "$job" --from="cronjob/$cronjob" --dry-run=client -o json ||
  die 2 "cannot read cronjob/$cronjob in namespace $namespace: is the test-job-runner release up (Tilt resource $release)?"
manifest="$tmp/job.json"
if [ ${#envs[@]} -gt 0 ]; then
  run_to "$tmp/job-env.json" "${kubectl_argv[@]}" set env --local -f "$tmp/job.json" -o json "${envs[@]}" || die 2 "cannot set the run's variables"
  manifest="$tmp/job-env.json"
fi
run "${kubectl_argv[@]}" create -f "$manifest" || die 2 "cannot create job/$job in namespace $namespace"

log "waiting for job/$job (timeout ${timeout}s)"
printf '+ %s get job %s (every 5s until it succeeds or fails)\n' "${kubectl_argv[*]}" "$job"
state=unknown
if [ "$DRY_RUN" = 1 ]; then
  state=dry-run
else
  deadline=$((SECONDS + timeout))
  while [ $SECONDS -lt $deadline ]; do
    counts=$("${kubectl_argv[@]}" get job "$job" -o 'jsonpath={.status.succeeded}/{.status.failed}' 2>/dev/null || true)
    case $counts in
      [1-9]*/*) state=succeeded; break ;;
      */[1-9]*) state=failed; break ;;
    esac
    sleep 5
  done
fi
run "${kubectl_argv[@]}" logs "job/$job" --all-containers=true || true
case $state in
  succeeded | dry-run) exit 0 ;;
  failed)
    code=$("${kubectl_argv[@]}" get pods -l "job-name=$job" \
      -o 'jsonpath={.items[-1:].status.containerStatuses[0].state.terminated.exitCode}' 2>/dev/null || true)
    [[ $code =~ ^[1-9][0-9]*$ ]] || code=1
    log "suite $suite failed (exit $code)"
    exit "$code" ;;
  *) log "job/$job did not finish within ${timeout}s"; exit 1 ;;
esac
