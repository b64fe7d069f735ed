# The oracle's offline Go build (GOPATH mode, Debian packages only), as test/tiltfile/lib.sh
# builds tilt-eval. Sourced, never run.
# shellcheck shell=bash

oracle_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
oracle_root=$(cd "$oracle_here/../.." && pwd)
oracle_src=$oracle_here/argorender
# The binary lives under build/ (ignored by git); override with ARGO_RENDER_BIN_DIR.
oracle_bin_dir=${ARGO_RENDER_BIN_DIR:-$oracle_root/build/argo-render-bin}
oracle_bin=$oracle_bin_dir/argo-render

# Debian packages the oracle builds from (also in scripts/lib.sh TEST_PACKAGES).
ORACLE_PACKAGES=(golang-go git golang-github-masterminds-sprig-dev golang-github-ghodss-yaml-dev
  golang-gopkg-yaml.v2-dev golang-github-valyala-fasttemplate-dev golang-github-bmatcuk-doublestar-dev)

oracle_build() {
  if [ -x "$oracle_bin" ] &&
     [ -z "$(find "$oracle_src" -name '*.go' ! -name '*_test.go' -newer "$oracle_bin" -print -quit)" ]; then
    return 0
  fi
  local p missing=()
  for p in "${ORACLE_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    # shellcheck source=scripts/lib.sh
    source "$oracle_root/scripts/lib.sh"
    ensure_packages "${missing[@]}" >&2
  fi
  export GOPATH=/usr/share/gocode GO111MODULE=off GOFLAGS='' GOTOOLCHAIN=local
  export GOCACHE=${GOCACHE:-$oracle_bin_dir/gocache}
  mkdir -p "$oracle_bin_dir"
  local tmp="$oracle_bin.tmp.$$"
  (cd "$oracle_src" && go build -o "$tmp" .) || { rm -f "$tmp"; return 1; }
  mv -f "$tmp" "$oracle_bin"  # atomic: parallel test runs may race here
}
