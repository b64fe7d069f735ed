#!/usr/bin/env bash
# Starts the cluster fixture with a remote-like latency and runs kube_transport_bench against it.
# usage: kube_transport_bench.sh BENCH_BINARY [--smoke]
#   full:  60 requests, 16 in flight, 20 ms latency (the figures quoted in docs/kube-transport.md)
#   smoke: 6 requests, 3 in flight, 5 ms latency (CI keeps the benchmark from rotting)
set -euo pipefail
bench=$1
requests=60 concurrency=16 latency=20
if [ "${2:-}" = --smoke ]; then requests=6 concurrency=3 latency=5; fi
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tmp=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$tmp"' EXIT
"$here/../cluster/serve" --port 0 --kubeconfig "$tmp/kubeconfig" --latency-ms "$latency" >"$tmp/serve.log" 2>&1 &
pid=$!
for _ in $(seq 100); do [ -s "$tmp/kubeconfig" ] && break; sleep 0.1; done
[ -s "$tmp/kubeconfig" ] || { echo "fixture did not start:"; cat "$tmp/serve.log"; exit 1; }
export HOME=$tmp  # kubectl's discovery cache stays out of the user's home
"$bench" "$tmp/kubeconfig" "$requests" "$concurrency"
