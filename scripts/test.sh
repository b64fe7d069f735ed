#!/usr/bin/env bash
# Installs the test dependencies, builds everything and runs every test through CTest.
#   scripts/test.sh            build into build/ and run all tests
#   scripts/test.sh -R regex   pass extra arguments to ctest
# Environment: AMEIDE_SANITIZE=0 skips the ASan/UBSan build of the unit tests (on by default in CI).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

case "${1:-}" in
  -h|--help) sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
esac

root=$(repo_root)
env_alias AMEIDE_SANITIZE ATH_SANITIZE
ensure_packages "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
"$root/scripts/install-helm.sh"

log "building into build/"
build_native "$root/build"

log "running tests"
ctest --test-dir "$root/build" --output-on-failure --parallel "$(nproc)" "$@"

if [ "${AMEIDE_SANITIZE:-1}" = 1 ] && [ $# -eq 0 ]; then
  log "building and running the unit tests under ASan + UBSan (build-asan/)"
  build_native "$root/build-asan" ath_unit_tests -DATH_SANITIZE=ON
  ctest --test-dir "$root/build-asan" --output-on-failure --parallel "$(nproc)" -L unit
fi
