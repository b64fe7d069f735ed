# Shared by tilt-eval and go-test.sh: the offline Go environment and the build
# of the evaluator. Sourced, never run.
# shellcheck shell=bash

tilteval_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tilteval_root=$(cd "$tilteval_here/../.." && pwd)
tilteval_src=$tilteval_here/tilteval
# The binary lives under build/ (ignored by git); override with TILT_EVAL_BIN_DIR.
tilteval_bin_dir=${TILT_EVAL_BIN_DIR:-$tilteval_root/build/tilt-eval-bin}
tilteval_bin=$tilteval_bin_dir/tilt-eval

# Debian packages the evaluator builds from; there is no module download.
TILTEVAL_PACKAGES=(golang-go golang-starlark-dev golang-gopkg-yaml.v3-dev golang-github-spf13-pflag-dev)

tilteval_env() {
  export GOPATH=/usr/share/gocode GO111MODULE=off GOFLAGS='' GOTOOLCHAIN=local
  export GOCACHE=${GOCACHE:-$tilteval_bin_dir/gocache}
}

tilteval_ensure_packages() {
  if command -v go >/dev/null 2>&1 && [ -d /usr/share/gocode/src/go.starlark.net ] &&
     [ -d /usr/share/gocode/src/gopkg.in/yaml.v3 ] && [ -d /usr/share/gocode/src/github.com/spf13/pflag ]; then
    return 0
  fi
  # shellcheck source=scripts/lib.sh
  source "$tilteval_root/scripts/lib.sh"
  ensure_packages "${TILTEVAL_PACKAGES[@]}" >&2
}

# Builds the binary when it is missing or older than a source file.
tilteval_build() {
  local stale=
  if [ ! -x "$tilteval_bin" ]; then
    stale=1
  elif [ -n "$(find "$tilteval_src" -name '*.go' ! -name '*_test.go' -newer "$tilteval_bin" -print -quit)" ]; then
    stale=1
  fi
  [ -n "$stale" ] || return 0
  tilteval_ensure_packages
  tilteval_env
  mkdir -p "$tilteval_bin_dir"
  local tmp="$tilteval_bin.tmp.$$"
  (cd "$tilteval_src" && go build -o "$tmp" .) || { rm -f "$tmp"; return 1; }
  mv -f "$tmp" "$tilteval_bin"  # atomic: parallel test runs may race here
}
