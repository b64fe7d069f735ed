#!/usr/bin/env bash
# Runs one helper invocation and checks its exit code and that its output matches a pattern.
# usage: cli_contract_test.sh EXPECTED_EXIT PATTERN PROGRAM [ARGS...]
set -u
expected=$1 pattern=$2
shift 2
out=$("$@" 2>&1)
rc=$?
if [ "$rc" -ne "$expected" ]; then
  printf 'FAIL: %s exited %s, expected %s\n%s\n' "$*" "$rc" "$expected" "$out"
  exit 1
fi
if ! printf '%s' "$out" | grep -Eq -- "$pattern"; then
  printf 'FAIL: output of %s does not match /%s/:\n%s\n' "$*" "$pattern" "$out"
  exit 1
fi
echo "ok: $*"
