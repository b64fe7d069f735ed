#!/usr/bin/env bash
# Benchmark: `tilt-values-parity check` vs parsing every workspace file once with yaml-cpp, on
# generated workspaces of 100, 400 and 1,600 components (400 is the seed's Argo UI scale).
# usage: values_parity.sh BENCH_BINARY VALUES_DIR [--smoke]
#   full:  100,400,1600 components, best of 5 runs each (figures quoted in the README)
#   smoke: 100 components, one run (CI keeps the benchmark from rotting; the ratio is printed,
#          not enforced, because CI machines are shared)
set -euo pipefail
bench=$1 values=$2
if [ "${3:-}" = --smoke ]; then
  "$bench" "$values" 100 1 || [ $? -eq 1 ]
else
  "$bench" "$values" 100,400,1600 5
fi
