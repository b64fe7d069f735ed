#!/usr/bin/env bash
# The developer entry point: installs what is missing, builds the native helpers, checks the
# embedded workspace (values/), and runs `tilt up` when tilt and a reachable cluster context
# exist. Otherwise it says what it did, what is missing and how to get it.
#   scripts/up.sh [--no-tilt] [-- TILT_ARGS...]     e.g. scripts/up.sh -- --only=apps-graph
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
  cat <<'TXT'
usage: scripts/up.sh [--no-tilt] [-- TILT_ARGS...]
  Installs missing Debian build packages, builds the helpers into build/bin, checks the
  embedded workspace with tilt-values-parity, then runs `tilt up -- TILT_ARGS` when tilt is
  installed and the current kube context answers. Safe to run again: nothing is reinstalled.
  --no-tilt   stop after the build and the checks
Environment: AMEIDE_KUBE_CONTEXT (context to check; default: kubectl's current context)
TXT
}

run_tilt=1
tilt_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --no-tilt) run_tilt=0; shift ;;
    -h|--help) usage; exit 0 ;;
    --) shift; tilt_args=("$@"); break ;;
    *) echo "up.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done

root=$(repo_root)
done_steps=()
missing=()

ensure_packages "${BUILD_PACKAGES[@]}"
done_steps+=("build packages present")

log "building the native helpers into build/bin"
build_native "$root/build" >/dev/null
done_steps+=("helpers built: $(cd "$root/build/bin" && printf '%s ' tilt-*)")

log "checking the embedded workspace (values/)"
if "$root/build/bin/tilt-values-parity" check --root "$root/values"; then
  done_steps+=("values/ parity check passed")
else
  rc=$?
  if [ "$rc" -eq 1 ]; then
    echo "up.sh: the workspace has parity violations (listed above); fix them before tilt up" >&2
    exit 1
  fi
  missing+=("tilt-values-parity could not check values/ (exit $rc, see above)")
fi

if [ "$run_tilt" -eq 0 ]; then
  printf 'Done: %s\n' "${done_steps[@]}"
  exit 0
fi

context=${AMEIDE_KUBE_CONTEXT:-}
if ! command -v kubectl >/dev/null; then
  missing+=("kubectl: install it (https://kubernetes.io/docs/tasks/tools/) or the Google Cloud SDK's kubectl")
elif [ -z "$context" ] && ! context=$(kubectl config current-context 2>/dev/null); then
  missing+=("a kube context: create the dev cluster first (scripts/dev-up.sh does k3d + Argo CD), or set AMEIDE_KUBE_CONTEXT")
elif ! kubectl --context "$context" --request-timeout=5s get --raw /version >/dev/null 2>&1; then
  missing+=("a reachable cluster: context '$context' does not answer (is the cluster running?)")
fi
if ! command -v tilt >/dev/null; then
  missing+=("tilt: install it from https://docs.tilt.dev/install.html (v0.33 or newer)")
fi

printf 'Done: %s\n' "${done_steps[@]}"
if [ ${#missing[@]} -gt 0 ]; then
  printf 'Not starting tilt; missing: %s\n' "${missing[@]}"
  exit 0
fi
log "starting tilt up on context '$context'"
exec tilt up --context "$context" -- "${tilt_args[@]}"
