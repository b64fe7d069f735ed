#!/usr/bin/env bash
# The one shellcheck test: every shell script in the repository (a .sh file, or a file whose
# first line runs sh or bash), checked together with the files they source (-x).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
command -v shellcheck >/dev/null || { echo "shellcheck not found (Debian package shellcheck)" >&2; exit 2; }

scripts=()
while IFS= read -r -d '' f; do
  case $f in
    *.sh) scripts+=("$f") ;;
    *) head -n 1 "$f" 2>/dev/null | grep -qE '^#!.*[/ ](ba)?sh( |$)' && scripts+=("$f") ;;
  esac
done < <(find . \( -path ./.git -o -path ./build -o -path './build-*' -o -path ./.cache -o -name node_modules \) -prune \
           -o -type f -print0 | sort -z)

# A list that lost the project's own scripts would pass vacuously.
for must in ./scripts/lib.sh ./scripts/test.sh ./.ci/run ./test/tiltfile/tilt-eval ./test/oracle/argo-render; do
  printf '%s\n' "${scripts[@]}" | grep -qxF "$must" || { echo "shellcheck.sh: $must was not found as a shell script" >&2; exit 1; }
done
echo "shellcheck: ${#scripts[@]} scripts"
shellcheck -x "${scripts[@]}"
