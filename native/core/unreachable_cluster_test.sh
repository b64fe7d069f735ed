#!/usr/bin/env bash
# Each helper against an API server that accepts connections and never answers, and against a
# missing kubeconfig (issue 12, defects 9 and 10): it must give up within the per-request timeout
# or the run's --timeout, exit 2, and name the server (or the kubeconfig) and what to check.
# usage: unreachable_cluster_test.sh BIN_DIR
set -euo pipefail
bin=$1
tmp=$(mktemp -d)
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

# Accepts every connection and keeps it open without a byte of answer.
python3 -c '
import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(64)
print(s.getsockname()[1], flush=True)
held = []
while True:
    held.append(s.accept()[0])
' >"$tmp/port" &
server_pid=$!
for _ in $(seq 50); do [ -s "$tmp/port" ] && break; sleep 0.1; done
port=$(cat "$tmp/port")
url="http://127.0.0.1:$port"
cat >"$tmp/kubeconfig" <<KC
apiVersion: v1
kind: Config
clusters:
- name: silent
  cluster: {server: "$url"}
contexts:
- name: silent
  context: {cluster: silent, user: silent}
users:
- name: silent
  user: {token: not-a-secret}
current-context: silent
KC
export HOME=$tmp KUBECONFIG=$tmp/kubeconfig

failures=0
# expect NAME MAX_SECONDS PATTERN... -- COMMAND...: exit 2 within MAX_SECONDS, stderr matching
# every PATTERN (fixed strings).
expect() {
  local name=$1 max=$2
  shift 2
  local patterns=()
  while [ "$1" != -- ]; do patterns+=("$1"); shift; done
  shift
  local start end rc=0
  start=$(date +%s%N)
  "$@" >"$tmp/out" 2>"$tmp/err" </dev/null || rc=$?
  end=$(date +%s%N)
  local ms=$(((end - start) / 1000000))
  local ok=1
  [ "$rc" = 2 ] || { echo "FAIL $name: exit $rc, want 2"; ok=0; }
  [ "$ms" -le $((max * 1000)) ] || { echo "FAIL $name: took ${ms} ms, want at most ${max} s"; ok=0; }
  for p in "${patterns[@]}"; do
    grep -qF -- "$p" "$tmp/err" || { echo "FAIL $name: stderr lacks '$p'"; ok=0; }
  done
  if grep -qF "error: error:" "$tmp/err"; then echo "FAIL $name: doubled 'error: error:'"; ok=0; fi
  if [ "$ok" = 1 ]; then echo "ok   $name (${ms} ms)"; else failures=$((failures + 1)); sed 's/^/     | /' "$tmp/err"; fi
}

# Known gap: the URL read from the kubeconfig does not reach these messages yet (see README).
silent=("API server" "check that the cluster is up and reachable")
# kubectl proxy itself may ask the server first (the Cloud SDK's kubectl dispatcher waits ~5 s),
# then /version waits the per-request timeout: well under the 125 s this used to take.
expect "argocd-sync status" 20 "${silent[@]}" "--request-timeout" -- \
  "$bin/tilt-argocd-sync" --request-timeout 2 --state-dir "$tmp/state" status
expect "argocd-sync resume --timeout (the wait's own flag) still parses" 20 "${silent[@]}" -- \
  "$bin/tilt-argocd-sync" --request-timeout 2 --state-dir "$tmp/state" resume apps-x --timeout 30
expect "argocd-sync --timeout 3 status" 10 "--timeout" -- \
  "$bin/tilt-argocd-sync" --timeout 3 --state-dir "$tmp/state" status
expect "helm-adopt" 20 "${silent[@]}" -- \
  "$bin/tilt-helm-adopt" apps-graph --namespace apps --request-timeout 2
expect "helm-adopt --timeout 3" 10 "--timeout" -- \
  "$bin/tilt-helm-adopt" apps-graph --namespace apps --timeout 3

missing=("/nonexistent/kubeconfig" "does not exist" "KUBECONFIG" "--kubeconfig" "--context")
expect "missing --kubeconfig" 10 "${missing[@]}" -- \
  "$bin/tilt-argocd-sync" --kubeconfig /nonexistent/kubeconfig --state-dir "$tmp/state" status
KUBECONFIG=/nonexistent/kubeconfig expect "missing \$KUBECONFIG" 10 "${missing[@]}" -- \
  "$bin/tilt-helm-adopt" apps-graph --namespace apps

[ "$failures" = 0 ] || { echo "$failures case(s) failed"; exit 1; }
