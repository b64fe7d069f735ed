# The one library of the scripts in this folder (and .ci/run's test.sh); sourced, never run.
# shellcheck shell=bash

repo_root() { cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd; }

log() { printf '==> %s\n' "$*" >&2; }

# env_alias NEW OLD: when only the deprecated OLD is set, NEW takes its value, with a warning.
# The project's variables are AMEIDE_*; older names are read until users have moved.
env_alias() {
  if [ -z "${!1:-}" ] && [ -n "${!2:-}" ]; then
    log "$2 is deprecated; set $1 instead"
    printf -v "$1" '%s' "${!2}"
  fi
}

# Debian packages the helpers build against; the test set adds what the tests drive.
# shellcheck disable=SC2034  # used by the scripts that source this file
BUILD_PACKAGES=(cmake ninja-build g++ pkg-config ccache
  libyaml-cpp-dev nlohmann-json3-dev libboost-dev libboost-filesystem-dev
  libspdlog-dev doctest-dev libcli11-dev libcpp-httplib-dev)
# The oracle of the values-parity differential test: Go text/template + sprig, YAML 1.1.
# shellcheck disable=SC2034
TEST_PACKAGES=(python3 golang-go golang-starlark-dev golang-gopkg-yaml.v3-dev shellcheck unzip git procps
  golang-github-masterminds-sprig-dev golang-github-ghodss-yaml-dev golang-gopkg-yaml.v2-dev
  golang-github-valyala-fasttemplate-dev golang-github-bmatcuk-doublestar-dev)

# Installs the Debian packages that are missing; prints nothing when all are present.
ensure_packages() {
  local missing=()
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  log "installing Debian packages: ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Installs a Debian package only when its command is missing: npm often comes with a Node.js
# that was installed another way, and Debian's npm package would conflict with it.
ensure_command() {
  local cmd=$1 package=$2
  command -v "$cmd" >/dev/null 2>&1 || ensure_packages "$package"
}

# Configures (once) and builds into BUILD_DIR (helpers land in BUILD_DIR/bin).
# usage: build_native BUILD_DIR [TARGET] [CMAKE CONFIGURE ARGS...]
build_native() {
  local root build_dir target
  root=$(repo_root)
  build_dir=$1
  target=${2:-all}
  shift 2 || shift $#
  if [ ! -f "$build_dir/build.ninja" ]; then
    cmake -S "$root" -B "$build_dir" -G Ninja "$@" >/dev/null
  fi
  cmake --build "$build_dir" --parallel "$(nproc)" --target "$target"
}

# ---- for the scripts Tilt runs (buttons, test-job-runner, dev-up.sh) -----------------------


DRY_RUN=0

# die CODE MESSAGE: exit codes are 1 for a failed run, 2 for usage or environment errors.
die() {
  local code=$1
  shift
  printf '%s: %s\n' "${0##*/}" "$*" >&2
  exit "$code"
}

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
