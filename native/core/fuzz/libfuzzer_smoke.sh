#!/usr/bin/env bash
# A short, reproducible libFuzzer run of yaml_json_fuzz over the seeds (CTest, label unit).
# New inputs go to a scratch corpus, so the committed seeds stay as they are.
# usage: libfuzzer_smoke.sh FUZZER SEED_DIR FINDINGS_DIR [LIBFUZZER FLAGS...]
set -euo pipefail
fuzzer=$1
seeds=$2
findings=$3
shift 3
corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
"$fuzzer" -seed=1 -runs=20000 -max_len=4096 -timeout=20 -rss_limit_mb=2048 -print_final_stats=1 "$@" \
  "$corpus" "$seeds" "$findings"
