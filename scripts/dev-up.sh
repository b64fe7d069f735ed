#!/usr/bin/env bash
# The seed's "bootstrap = prod, then Tilt" on a developer laptop: k3d cluster and registry, this
# checkout served to Argo CD, the Argo path's images, a pinned Argo CD, the dev ApplicationSet
# rendered for this repository, one sync of every app until Synced + Healthy, then `tilt up`.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Pins: what the sync guard is modelled and tested against (Argo CD 3.3 writes
# automated.enabled=false on RollingSync apps; see native/tilt-argocd-sync/README.md), the
# Kubernetes minor the fixture reports (1.32), and the registry image k3d would otherwise float.
ARGOCD_VERSION_PIN=v3.3.1
K3S_IMAGE_PIN=docker.io/rancher/k3s:v1.32.5-k3s1
REGISTRY_IMAGE_PIN=docker.io/library/registry:2.8.3
GIT_DAEMON_PORT=9418

usage() {
  cat <<USAGE
Usage: ${0##*/} [--dry-run] [--cluster NAME] [--context CTX] [--repo-url URL --revision REV]
                [--skip-cluster] [--skip-build] [--skip-argocd] [--no-tilt | --ci [--ci-app APP]]
                [--timeout SECONDS] [-- TILT UP ARGS...]
       ${0##*/} --down [--dry-run] [--cluster NAME]
       ${0##*/} --render-appset [--repo-url URL --revision REV]

  0. preflight: docker (and its daemon), k3d, kubectl, helm, tilt, git; each missing tool is
     named with its fix
  1. k3d registry k3d-ameide.localhost (host port 5001, $REGISTRY_IMAGE_PIN) and cluster
     NAME ($K3S_IMAGE_PIN) using it
  2. Argo CD's source: this checkout, served read-only by \`git daemon\` on the k3d network's
     gateway and reached from the cluster as git://host.k3d.internal/<folder> at the committed
     HEAD; or --repo-url URL --revision REV for a remote
  3. build every image of the values/ catalog and push it through \$AMEIDE_REGISTRY_PUSH_HOST
     (default localhost:5001) as ameide/<image>:dev, which the cluster pulls as
     k3d-ameide.localhost:5001/ameide/<image>:dev (what the dev values deploy)
  4. install Argo CD \$AMEIDE_ARGOCD_VERSION (default $ARGOCD_VERSION_PIN) and wait for it
  5. render values/argocd/apps-dev.yaml for the source of step 2 (the tracked file is never
     edited), check it with tilt-values-parity, apply it, wait for every apps-* Application
  6. trigger one sync of each app that is not Synced + Healthy yet (tilt-argocd-sync sync: the
     app's own sync options, as Argo's UI does; the apps have no auto-sync) and wait for
     Synced + Healthy, a progress line per app
  7. tilt up [TILT UP ARGS], e.g. -- --only=apps-graph; with --ci, \`tilt ci\` on one app
     (--ci-app, default the first in the catalog), its sync guard and the parity check

  --dry-run          print each command, run nothing (the catalog is still read and the
                     ApplicationSet still rendered and checked)
  --cluster NAME     k3d cluster name (default ameide; kube context k3d-NAME)
  --context CTX      kube context to use instead of k3d-NAME (implies --skip-cluster)
  --repo-url URL     the git repository Argo CD reads (default: serve this checkout)
  --revision REV     the revision it reads (default: the checkout's HEAD commit)
  --skip-cluster     use the existing cluster and registry
  --skip-build       do not build or push images
  --skip-argocd      do not install Argo CD (it is already there)
  --no-tilt          stop after the apps are healthy
  --ci               run \`tilt ci\` on a smoke selection and exit with its result
  --ci-app APP       the app --ci runs (default: the first app of the catalog)
  --down             delete the cluster and the registry, stop the git daemon
  --render-appset    print the rendered ApplicationSet (after the parity check) and exit
  --timeout SECONDS  per wait (default 600)
  -h, --help         this text

A second run changes nothing and says so. Environment: AMEIDE_ARGOCD_VERSION
($ARGOCD_VERSION_PIN; ARGOCD_VERSION is read as a deprecated alias), AMEIDE_REGISTRY_PUSH_HOST
(localhost:5001), AMEIDE_BIN_DIR (native helpers, default build/bin),
AMEIDE_REGISTRY_HOST[_FROM_CLUSTER] for Tilt (default here: push through the k3d registry).
Exit codes: 0 done, 1 a step failed, 2 usage or environment error.
USAGE
}

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cluster=ameide
context=''
registry=ameide.localhost
registry_port=5001
push_host=${AMEIDE_REGISTRY_PUSH_HOST:-localhost:5001}
env_alias AMEIDE_ARGOCD_VERSION ARGOCD_VERSION
env_alias AMEIDE_BIN_DIR ATH_BIN_DIR
argocd_version=${AMEIDE_ARGOCD_VERSION:-$ARGOCD_VERSION_PIN}
bin_dir=${AMEIDE_BIN_DIR:-$root/build/bin}
repo_url='' revision=''
skip_cluster=0 skip_build=0 skip_argocd=0 no_tilt=0 ci=0 ci_app='' down=0 render_only=0 timeout=600
tilt_args=()
while [ $# -gt 0 ]; do
  case $1 in
    --dry-run) DRY_RUN=1; shift ;;
    --cluster) cluster=$(opt_value "$@"); shift 2 ;;
    --context) context=$(opt_value "$@"); skip_cluster=1; shift 2 ;;
    --repo-url) repo_url=$(opt_value "$@"); shift 2 ;;
    --revision) revision=$(opt_value "$@"); shift 2 ;;
    --skip-cluster) skip_cluster=1; shift ;;
    --skip-build) skip_build=1; shift ;;
    --skip-argocd) skip_argocd=1; shift ;;
    --no-tilt) no_tilt=1; shift ;;
    --ci) ci=1; shift ;;
    --ci-app) ci_app=$(opt_value "$@"); shift 2 ;;
    --down) down=1; shift ;;
    --render-appset) render_only=1; shift ;;
    --timeout) timeout=$(opt_value "$@"); shift 2 ;;
    -h | --help) usage; exit 0 ;;
    --) shift; tilt_args=("$@"); break ;;
    *) usage >&2; die 2 "unknown argument '$1'" ;;
  esac
done
check_label cluster "$cluster"
[[ $timeout =~ ^[1-9][0-9]*$ ]] || die 2 "--timeout must be a positive number of seconds, got '$timeout'"
[[ $push_host =~ ^[A-Za-z0-9.-]+(:[0-9]+)?$ ]] || die 2 "AMEIDE_REGISTRY_PUSH_HOST='$push_host' is not host[:port]"
[[ $argocd_version =~ ^v[0-9]+\.[0-9]+\.[0-9]+$ ]] ||
  die 2 "AMEIDE_ARGOCD_VERSION='$argocd_version' is not a release tag like $ARGOCD_VERSION_PIN (a floating 'stable' is not reproducible)"
[ -z "$context" ] || [[ $context =~ ^[A-Za-z0-9._@:/-]+$ ]] || die 2 "invalid --context '$context'"
[ -z "$ci_app" ] || check_label "--ci-app" "$ci_app"
if [ -n "$repo_url" ] || [ -n "$revision" ]; then
  if [ -z "$repo_url" ] || [ -z "$revision" ]; then die 2 "--repo-url and --revision go together"; fi
  [[ $repo_url =~ ^(https?|git|ssh)://[^[:space:]\'\"]+$|^git@[^[:space:]\'\"]+$ ]] ||
    die 2 "--repo-url '$repo_url' is not a git URL (https://, http://, git://, ssh:// or git@host:path)"
  [[ $revision =~ ^[A-Za-z0-9._/-]+$ ]] || die 2 "--revision '$revision' is not a branch, tag or commit"
fi
[ "$ci" = 0 ] || [ "$no_tilt" = 0 ] || die 2 "--ci and --no-tilt contradict each other"
context=${context:-k3d-$cluster}
kubectl_argv=(kubectl --context "$context")
state_dir="$root/.cache/dev-up"
daemon_pid_file="$state_dir/git-daemon-$cluster.pid"

# ---- tear-down -------------------------------------------------------------------------
# exists CMD...: whether a lookup succeeds; under --dry-run nothing exists yet.
exists() { [ "$DRY_RUN" = 0 ] && "$@" >/dev/null 2>&1; }

stop_git_daemon() {
  local pid
  pid=$(cat "$daemon_pid_file" 2>/dev/null || true)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    run kill "$pid"
  else
    log "no git daemon of this cluster is running"
  fi
  [ "$DRY_RUN" = 1 ] || rm -f "$daemon_pid_file"
}

if [ "$down" = 1 ]; then
  need k3d "install it: https://k3d.io"
  log "tearing down cluster $cluster and registry k3d-$registry"
  stop_git_daemon
  if [ "$DRY_RUN" = 1 ] || exists k3d cluster get "$cluster"; then
    run k3d cluster delete "$cluster" || die 1 "deleting cluster $cluster failed"
  else
    log "cluster $cluster is already gone"
  fi
  if [ "$DRY_RUN" = 1 ] || exists k3d registry get "k3d-$registry"; then
    run k3d registry delete "k3d-$registry" || die 1 "deleting registry k3d-$registry failed"
  else
    log "registry k3d-$registry is already gone"
  fi
  exit 0
fi

# ---- preflight -------------------------------------------------------------------------
parity="$bin_dir/tilt-values-parity"
sync_bin="$bin_dir/tilt-argocd-sync"
[ -x "$parity" ] || die 2 "$parity not found: build the helpers (cmake --build build) or set AMEIDE_BIN_DIR"
[ "$render_only" = 1 ] || [ -x "$sync_bin" ] || die 2 "$sync_bin not found: build the helpers (cmake --build build) or set AMEIDE_BIN_DIR"
command -v python3 >/dev/null 2>&1 || die 2 "python3 not found on PATH (apt-get install python3)"

preflight() {
  local missing=() tool fix
  while IFS='|' read -r tool fix; do
    [ -n "$tool" ] || continue
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool: $fix")
  done <<EOF
$( [ "$skip_cluster" = 1 ] && [ "$skip_build" = 1 ] && [ -n "$repo_url" ] || echo "docker|install Docker Engine (https://docs.docker.com/engine/install/) and start it")
$( [ "$skip_cluster" = 1 ] || echo "k3d|install k3d v5 (https://k3d.io/#installation)")
kubectl|install kubectl 1.32 (https://kubernetes.io/docs/tasks/tools/)
$( [ "$no_tilt" = 1 ] || echo "helm|install helm v3.19.2 (https://helm.sh/docs/intro/install/)")
$( [ -n "$repo_url" ] || echo "git|apt-get install git")
$( [ "$no_tilt" = 1 ] || echo "tilt|install Tilt v0.37 (https://docs.tilt.dev/install.html)")
EOF
  if [ ${#missing[@]} -eq 0 ] && { [ "$skip_cluster" = 0 ] || [ "$skip_build" = 0 ] || [ -z "$repo_url" ]; } &&
    ! docker info >/dev/null 2>&1; then
    missing+=("docker daemon: start it (sudo systemctl start docker) and make sure you may use it (docker info)")
  fi
  [ ${#missing[@]} -eq 0 ] && return 0
  local m
  for m in "${missing[@]}"; do printf '%s: missing %s\n' "${0##*/}" "$m" >&2; done
  [ "$DRY_RUN" = 1 ] && { log "preflight: the tools above are missing (ignored under --dry-run)"; return 0; }
  die 2 "preflight failed: ${#missing[@]} tool(s) missing (see above)"
}
[ "$render_only" = 1 ] || preflight

# ---- the catalog, and the ApplicationSet rendered for Argo CD's source ------------------
# The catalog: "app<TAB>image<TAB>context<TAB>dockerfile<TAB>target" lines from the plan.
plan=$("$parity" --root "$root/values" plan -o json) || die 1 "tilt-values-parity plan failed; run \`$parity --root $root/values check\`"
catalog=$(printf '%s' "$plan" | python3 -c '
import json, sys
plan = json.load(sys.stdin)
for app in plan["apps"]:
    for im in app["images"] or [{"name": ""}]:
        print("\t".join([app["name"], im.get("name", ""), im.get("context", ""), im.get("dockerfile", ""), im.get("target", "")]))
')
apps=$(printf '%s\n' "$catalog" | cut -f1 | awk '!seen[$0]++')
[ -n "$apps" ] || die 1 "the catalog has no apps: check values/components/"
[ -z "$ci_app" ] || printf '%s\n' "$apps" | grep -qxF "$ci_app" ||
  die 2 "--ci-app $ci_app is not in the catalog: $(printf '%s\n' "$apps" | paste -sd' ')"

served_here=0
if [ -z "$repo_url" ]; then
  [[ $context == k3d-* ]] ||
    die 2 "context $context is not a k3d cluster, so it cannot reach this checkout: pass --repo-url URL --revision REV"
  served_here=1
  repo_url="git://host.k3d.internal/$(basename "$root")"
  if [ "$DRY_RUN" = 1 ] && ! git -C "$root" rev-parse HEAD >/dev/null 2>&1; then
    revision=HEAD
  else
    revision=$(git -C "$root" rev-parse HEAD 2>/dev/null) ||
      die 2 "$root is not a git checkout with a commit: commit it, or pass --repo-url and --revision"
  fi
  if [ -n "$(git -C "$root" status --porcelain -- values 2>/dev/null)" ]; then
    log "warning: values/ has uncommitted changes; Argo CD reads the commit $revision and will not see them"
  fi
fi

# A copy of the workspace whose ApplicationSet points at Argo CD's real source: the generator
# and every source's repoURL, and the revision they read. The tracked file keeps its placeholder.
# Each run renders into its own .cache/dev-up/rendered.XXXXXX, so two runs at once (two
# terminals, parallel tests) never delete each other's copy. It is kept (also under --dry-run)
# so that what was applied can be read; copies older than a day are removed; --render-appset
# removes its own on exit.
mkdir -p "$state_dir" || die 2 "cannot create $state_dir: is the checkout writable?"
find "$state_dir" -maxdepth 1 -name 'rendered.*' -type d -mmin +1440 -exec rm -rf {} + 2>/dev/null || true
{ work=$(mktemp -d "$state_dir/rendered.XXXXXX") && cp -R "$root/values" "$work/values"; } ||
  die 2 "cannot write under $state_dir: is the checkout writable?"
[ "$render_only" = 0 ] || trap 'rm -rf "$work"' EXIT
appset="$work/values/argocd/apps-dev.yaml"
python3 - "$appset" "$repo_url" "$revision" <<'PY' || die 1 "rendering values/argocd/apps-dev.yaml failed"
import re, sys
path, url, rev = sys.argv[1:]
text = open(path).read()
n_url = n_rev = 0
def sub(pattern, value, text):
    return re.subn(r'^(\s*(?:- )?' + pattern + r':\s*)\S.*$', lambda m: m.group(1) + value, text, flags=re.M)
text, n_url = sub('repoURL', url, text)
text, n_rev = sub('(?:revision|targetRevision)', rev, text)
if n_url == 0 or n_rev == 0:
    sys.exit(f'{path}: found {n_url} repoURL and {n_rev} revision/targetRevision fields; expected both')
open(path, 'w').write(text)
PY
"$parity" --root "$work/values" check >&2 ||
  die 1 "the rendered ApplicationSet fails the parity check (above); fix values/ first"
if [ "$render_only" = 1 ]; then
  cat "$appset"
  exit 0
fi

# ---- 1. cluster and registry -------------------------------------------------------------
if [ "$skip_cluster" = 0 ]; then
  log "k3d registry and cluster"
  if exists k3d registry get "k3d-$registry"; then
    log "registry k3d-$registry exists; keeping it"
  else
    run k3d registry create "$registry" --port "$registry_port" --image "$REGISTRY_IMAGE_PIN" ||
      die 1 "creating registry k3d-$registry failed: is port $registry_port free?"
  fi
  if exists k3d cluster get "$cluster"; then
    log "cluster $cluster exists; keeping it"
  else
    run k3d cluster create "$cluster" --image "$K3S_IMAGE_PIN" --registry-use "k3d-$registry:$registry_port" --wait ||
      die 1 "creating cluster $cluster failed (k3d cluster delete $cluster cleans up a half-made one)"
  fi
fi

# ---- 2. Argo CD's source ----------------------------------------------------------------
if [ "$served_here" = 1 ]; then
  log "serving $root to Argo CD as $repo_url at $revision"
  pid=$(cat "$daemon_pid_file" 2>/dev/null || true)
  if [ "$DRY_RUN" = 0 ] && [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    log "git daemon (pid $pid) already serves it"
  else
    # Bind to the k3d network's gateway only: the cluster reaches it as host.k3d.internal, and
    # nothing beyond this machine sees the repository.
    if [ "$DRY_RUN" = 1 ]; then
      gateway='<gateway of docker network k3d-'"$cluster"'>'
    else
      gateway=$(docker network inspect "k3d-$cluster" -f '{{range .IPAM.Config}}{{.Gateway}}{{end}}' 2>/dev/null) ||
        die 1 "cannot read the gateway of docker network k3d-$cluster: is the cluster up?"
      [[ $gateway =~ ^[0-9.]+$ ]] || die 1 "docker network k3d-$cluster has no IPv4 gateway ('$gateway')"
      mkdir -p "$state_dir"
    fi
    run git daemon --detach --reuseaddr --export-all --informative-errors \
      --listen="$gateway" --port="$GIT_DAEMON_PORT" --pid-file="$daemon_pid_file" \
      --base-path="$(dirname "$root")" "$root" ||
      die 1 "git daemon could not serve $root on $gateway:$GIT_DAEMON_PORT (port taken?)"
  fi
fi

# ---- 3. the Argo path's images ----------------------------------------------------------
if [ "$skip_build" = 0 ]; then
  log "images of the Argo path, pushed through $push_host"
  while IFS=$'\t' read -r app image ctx dockerfile target; do
    [ -n "$image" ] || continue
    [ "$DRY_RUN" = 1 ] || [ -f "$root/$dockerfile" ] ||
      die 1 "$app: $dockerfile does not exist (values/components/${app#apps-}/component.yaml names it)"
    ref="$push_host/ameide/$image:dev"
    build=(docker build -t "$ref" -f "$root/$dockerfile")
    [ -z "$target" ] || build+=(--target "$target")
    run "${build[@]}" "$root/$ctx" || die 1 "building $image for $app failed"
    run docker push "$ref" || die 1 "pushing $ref failed: is the registry published on $push_host?"
  done <<<"$catalog"
fi

# ---- 4. Argo CD ------------------------------------------------------------------------
if [ "$skip_argocd" = 0 ]; then
  log "Argo CD $argocd_version"
  installed=''
  [ "$DRY_RUN" = 1 ] || installed=$("${kubectl_argv[@]}" -n argocd get deployment argocd-server \
    -o jsonpath='{.spec.template.spec.containers[0].image}' 2>/dev/null || true)
  if [[ $installed == *":$argocd_version" ]]; then
    log "Argo CD $argocd_version is already installed ($installed)"
  else
    exists "${kubectl_argv[@]}" get namespace argocd || run "${kubectl_argv[@]}" create namespace argocd
    # Server-side apply: the CRDs exceed the client-side last-applied annotation limit.
    run "${kubectl_argv[@]}" apply -n argocd --server-side --force-conflicts \
      -f "https://raw.githubusercontent.com/argoproj/argo-cd/$argocd_version/manifests/install.yaml" ||
      die 1 "installing Argo CD $argocd_version failed"
  fi
  for w in deployment/argocd-server deployment/argocd-repo-server deployment/argocd-applicationset-controller \
    statefulset/argocd-application-controller; do
    run "${kubectl_argv[@]}" -n argocd rollout status "$w" --timeout="${timeout}s" ||
      die 1 "Argo CD's $w is not ready after ${timeout}s: kubectl -n argocd describe $w"
  done
fi

# ---- 5. the dev ApplicationSet, rendered for the source ----------------------------------
log "dev ApplicationSet (source $repo_url at $revision)"
run "${kubectl_argv[@]}" apply -n argocd -f "$appset" || die 1 "applying the apps-dev ApplicationSet failed"
for app in $apps; do
  printf '+ %s -n argocd get application %s (every 5s until it exists)\n' "${kubectl_argv[*]}" "$app"
  [ "$DRY_RUN" = 0 ] || continue
  deadline=$((SECONDS + timeout))
  until "${kubectl_argv[@]}" -n argocd get application "$app" >/dev/null 2>&1; do
    if [ $SECONDS -ge $deadline ]; then
      "${kubectl_argv[@]}" -n argocd get applicationset apps-dev -o jsonpath='{range .status.conditions[*]}{.type}: {.message}{"\n"}{end}' >&2 || true
      die 1 "Application $app was not generated within ${timeout}s: the apps-dev ApplicationSet's conditions are above"
    fi
    sleep 5
  done
done

# ---- 6. bootstrap = prod: one sync of each app, then Synced + Healthy ---------------------
# The generated apps have no auto-sync (and progressive syncs are off by default), so nothing
# else would ever sync them.
pending=()
for app in $apps; do
  state=''
  [ "$DRY_RUN" = 1 ] || state=$("${kubectl_argv[@]}" -n argocd get application "$app" \
    -o jsonpath='{.status.sync.status}/{.status.health.status}' 2>/dev/null || true)
  if [ "$state" = "Synced/Healthy" ]; then
    log "$app is already Synced and Healthy"
  else
    pending+=("$app")
  fi
done
if [ ${#pending[@]} -gt 0 ]; then
  run "$sync_bin" --context "$context" --argocd-namespace argocd sync "${pending[@]}" --wait --timeout "$timeout" ||
    die 1 "the apps did not all become Synced and Healthy (above: each app's state and conditions)"
fi

[ "$no_tilt" = 0 ] || exit 0
# ---- 7. Tilt ---------------------------------------------------------------------------
# Tilt's own registry defaults to registry.localhost:32000, which this cluster does not have:
# unless told otherwise, push through the k3d registry (Tilt's tags never overwrite :dev).
export AMEIDE_REGISTRY_HOST=${AMEIDE_REGISTRY_HOST:-$push_host}
export AMEIDE_REGISTRY_HOST_FROM_CLUSTER=${AMEIDE_REGISTRY_HOST_FROM_CLUSTER:-k3d-$registry:$registry_port}
printf '+ AMEIDE_REGISTRY_HOST=%q AMEIDE_REGISTRY_HOST_FROM_CLUSTER=%q\n' "$AMEIDE_REGISTRY_HOST" "$AMEIDE_REGISTRY_HOST_FROM_CLUSTER"
cd "$root"
if [ "$ci" = 1 ]; then
  # The smoke selection: one app; its sync guard and the parity check come along as its
  # resource_deps. `tilt ci` exits non-zero when any resource fails.
  ci_app=${ci_app:-$(printf '%s\n' "$apps" | head -n 1)}
  run tilt ci --context "$context" -- "--only=$ci_app" ${tilt_args[@]+"${tilt_args[@]}"}
  exit $?
fi
run tilt up --context "$context" ${tilt_args[@]+-- "${tilt_args[@]}"}
