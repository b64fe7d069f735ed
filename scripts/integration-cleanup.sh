#!/usr/bin/env bash
# Deletes the test runs (Jobs and their Pods) the test-job-runner release started.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
  cat <<USAGE
Usage: ${0##*/} [--suite NAME] [--release NAME] [--namespace NS] [--context CTX] [--dry-run]

Deletes the Jobs started by integration-run.sh / tilt-e2e-run.sh (label ameide.io/test-run=true
of the test-job-runner release) and their Pods. The release and its CronJobs stay.

  --suite NAME       only this suite's runs (default: every suite)
  --release NAME     test-job-runner release (default \$AMEIDE_TEST_RELEASE, else test-job-runner)
  --namespace NS     its namespace (default \$AMEIDE_TEST_NAMESPACE, else ameide)
  --context CTX      kubeconfig context (default: the current one)
  --dry-run          print the command, run nothing
  -h, --help         this text

Exit codes: kubectl's (0 deleted or nothing to delete); 2 usage or environment error.
USAGE
}

suite=''
script_opt() {
  OPT_SHIFT=0
  if [ "$1" = --suite ]; then
    suite=$(opt_value "$@")
    OPT_SHIFT=2
  fi
}
parse_test_run_args "$@"
[ -z "$suite" ] || check_label suite "$suite"
test_run_kubectl

selector="app.kubernetes.io/instance=$release,ameide.io/test-run=true"
[ -z "$suite" ] || selector="$selector,ameide.io/test-suite=$suite"
# Foreground cascading: the command returns once the runs' Pods are gone too.
run "${kubectl_argv[@]}" delete jobs -l "$selector" --cascade=foreground --ignore-not-found
