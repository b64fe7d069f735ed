#!/usr/bin/env bash
# Runs the evaluator's Go unit tests offline (GOPATH mode, Debian packages only).
#   test/tiltfile/go-test.sh [go test flags]
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
tilteval_ensure_packages
tilteval_env
cd "$tilteval_src"
exec go test -count=1 "$@" .
