#!/usr/bin/env bash
# Starts the cluster fixture with a remote-like latency and runs kube_transport_bench against it.
# usage: kube_transport_bench.sh BENCH_BINARY [--smoke]
#   full:  60 requests, 16 in flight, 20 ms latency (the figures quoted in native/core/README.md)
#   smoke: 6 requests, 3 in flight, 5 ms latency (CI keeps the benchmark from rotting)
set -euo pipefail
bench=$1
requests=60 concurrency=16 latency=20
if [ "${2:-}" = --smoke ]; then requests=6 concurrency=3 latency=5; fi
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# with_fixture.sh starts the fixture, keeps kubectl's cache in a temporary HOME and names the
# kubeconfig in AMEIDE_TEST_KUBECONFIG.
# shellcheck disable=SC2016  # expanded by the inner shell, once with_fixture.sh has set it
exec "$here/../../native/core/with_fixture.sh" --latency-ms "$latency" -- \
  sh -c 'exec "$0" "$AMEIDE_TEST_KUBECONFIG" "$1" "$2"' "$bench" "$requests" "$concurrency"
