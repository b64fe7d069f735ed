# Shared by the scripts in this folder; sourced, never run.
# shellcheck shell=bash

repo_root() { cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd; }

log() { printf '==> %s\n' "$*" >&2; }

# Debian packages the helpers build against; the test set adds what the tests drive.
# shellcheck disable=SC2034  # used by the scripts that source this file
BUILD_PACKAGES=(cmake ninja-build g++ pkg-config ccache
  libyaml-cpp-dev nlohmann-json3-dev libboost-dev libboost-filesystem-dev
  libspdlog-dev doctest-dev libcli11-dev libcpp-httplib-dev)
# The oracle of the values-parity differential test: Go text/template + sprig, YAML 1.1.
# shellcheck disable=SC2034
TEST_PACKAGES=(python3 golang-go golang-starlark-dev golang-gopkg-yaml.v3-dev shellcheck unzip git procps
  golang-github-masterminds-sprig-dev golang-github-ghodss-yaml-dev golang-gopkg-yaml.v2-dev
  golang-github-valyala-fasttemplate-dev golang-github-bmatcuk-doublestar-dev)

# Installs the Debian packages that are missing; prints nothing when all are present.
ensure_packages() {
  local missing=()
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  log "installing Debian packages: ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Installs a Debian package only when its command is missing: npm often comes with a Node.js
# that was installed another way, and Debian's npm package would conflict with it.
ensure_command() {
  local cmd=$1 package=$2
  command -v "$cmd" >/dev/null 2>&1 || ensure_packages "$package"
}

# Configures (once) and builds into BUILD_DIR (helpers land in BUILD_DIR/bin).
# usage: build_native BUILD_DIR [TARGET] [CMAKE CONFIGURE ARGS...]
build_native() {
  local root build_dir target
  root=$(repo_root)
  build_dir=$1
  target=${2:-all}
  shift 2 || shift $#
  if [ ! -f "$build_dir/build.ninja" ]; then
    cmake -S "$root" -B "$build_dir" -G Ninja "$@" >/dev/null
  fi
  cmake --build "$build_dir" --parallel "$(nproc)" --target "$target"
}
