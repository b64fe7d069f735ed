#!/usr/bin/env bash
# Runs a command against a fresh cluster fixture: AMEIDE_TEST_KUBECONFIG names its kubeconfig.
# usage: with_fixture.sh [SERVE FLAGS...] -- COMMAND [ARGS...]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
flags=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do flags+=("$1"); shift; done
[ "${1:-}" = -- ] || { echo "usage: with_fixture.sh [SERVE FLAGS...] -- COMMAND" >&2; exit 2; }
shift
tmp=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$tmp"' EXIT
"$here/../../test/cluster/serve" --port 0 --kubeconfig "$tmp/kubeconfig" --request-log "$tmp/requests.jsonl" \
  "${flags[@]}" >"$tmp/serve.log" 2>&1 &
pid=$!
for _ in $(seq 100); do [ -s "$tmp/kubeconfig" ] && break; sleep 0.1; done
[ -s "$tmp/kubeconfig" ] || { echo "fixture did not start:"; cat "$tmp/serve.log"; exit 1; }
export HOME=$tmp AMEIDE_TEST_KUBECONFIG=$tmp/kubeconfig AMEIDE_TEST_REQUEST_LOG=$tmp/requests.jsonl
"$@"
