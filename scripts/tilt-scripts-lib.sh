# Shared by the Tilt helper scripts (tilt-e2e-run.sh, integration-run.sh,
# integration-cleanup.sh, dev-up.sh); sourced, never run.
# shellcheck shell=bash

DRY_RUN=0

# die CODE MESSAGE: exit codes are 1 for a failed run, 2 for usage or environment errors.
die() {
  local code=$1
  shift
  printf '%s: %s\n' "${0##*/}" "$*" >&2
  exit "$code"
}

say() { printf '==> %s\n' "$*" >&2; }

# Prints the command, shell-quoted, then runs it (not under --dry-run); returns its status.
run() {
  printf '+'
  printf ' %q' "$@"
  printf '\n'
  [ "$DRY_RUN" = 1 ] && return 0
  "$@"
}

# run_to FILE CMD...: like run, with stdout written to FILE.
run_to() {
  local file=$1
  shift
  printf '+'
  printf ' %q' "$@"
  printf ' > %q\n' "$file"
  [ "$DRY_RUN" = 1 ] && return 0
  "$@" >"$file"
}

need() {
  [ "$DRY_RUN" = 1 ] && return 0
  command -v "$1" >/dev/null 2>&1 || die 2 "$1 not found on PATH${2:+ ($2)}"
}

# check_label WHAT VALUE: a DNS-1123 label, as Kubernetes names it.
check_label() {
  if [ ${#2} -gt 63 ] || ! [[ $2 =~ ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$ ]]; then
    die 2 "invalid $1 '$2': use at most 63 lower-case letters, digits and '-'"
  fi
}

# Sets the option's value or dies when it is missing: opt_value NAME "$@" (from the caller's args).
opt_value() {
  if [ $# -lt 2 ] || [ -z "$2" ]; then
    die 2 "$1 needs a value (see --help)"
  fi
  printf '%s' "$2"
}

# The test-job-runner scripts' shared options, defaults from the environment.
# parse_test_run_args "$@" handles --release/--namespace/--context/--dry-run/--help and hands
# every other argument to the script's own script_opt "$@", which sets OPT_SHIFT to the number
# of arguments it used (0: unknown argument).
release=${AMEIDE_TEST_RELEASE:-test-job-runner}
namespace=${AMEIDE_TEST_NAMESPACE:-ameide}
context=''
parse_test_run_args() {
  while [ $# -gt 0 ]; do
    OPT_SHIFT=2
    case $1 in
      --release) release=$(opt_value "$@") ;;
      --namespace) namespace=$(opt_value "$@") ;;
      --context) context=$(opt_value "$@") ;;
      --dry-run) DRY_RUN=1; OPT_SHIFT=1 ;;
      -h | --help) usage; exit 0 ;;
      *)
        script_opt "$@"
        [ "$OPT_SHIFT" -gt 0 ] || { usage >&2; die 2 "unknown argument '$1'"; } ;;
    esac
    shift "$OPT_SHIFT"
  done
}

# Checks the shared options and sets kubectl_argv (kubectl -n NS [--context CTX]).
test_run_kubectl() {
  check_label release "$release"
  check_label namespace "$namespace"
  need kubectl
  kubectl_argv=(kubectl -n "$namespace")
  [ -z "$context" ] || kubectl_argv+=(--context "$context")
}
