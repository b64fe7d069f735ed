#!/usr/bin/env bash
# The seed's "bootstrap = prod, then Tilt" on a developer laptop: k3d cluster and registry, the
# Argo path's images, Argo CD, the dev ApplicationSet, healthy apps, then `tilt up`.
set -euo pipefail
# shellcheck source=scripts/tilt-scripts-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/tilt-scripts-lib.sh"

usage() {
  cat <<USAGE
Usage: ${0##*/} [--dry-run] [--cluster NAME] [--skip-cluster] [--skip-build] [--skip-argocd]
                [--no-tilt] [--timeout SECONDS] [-- TILT UP ARGS...]

  1. k3d registry k3d-ameide.localhost (host port 5001) and cluster ameide using it
  2. build every image of the values/ catalog and push it through \$AMEIDE_REGISTRY_PUSH_HOST
     (default localhost:5001) as ameide/<image>:dev, which the cluster pulls as
     k3d-ameide.localhost:5001/ameide/<image>:dev (what the dev values deploy)
  3. install Argo CD (\$ARGOCD_VERSION, default stable) and wait for its workloads
  4. apply the dev ApplicationSet values/argocd/apps-dev.yaml; wait until every apps-*
     Application is Synced and Healthy (RollingSync syncs them tier by tier)
  5. tilt up [TILT UP ARGS], e.g. -- --only=apps-graph

  --dry-run          print each command, run nothing (the catalog is still read)
  --cluster NAME     k3d cluster name (default ameide; kube context k3d-NAME)
  --skip-cluster     use the existing cluster and registry
  --skip-build       do not build or push images
  --skip-argocd      do not install Argo CD (it is already there)
  --no-tilt          stop after the apps are healthy
  --timeout SECONDS  per wait (default 600)
  -h, --help         this text

Environment: AMEIDE_REGISTRY_PUSH_HOST (localhost:5001), ARGOCD_VERSION (stable), ATH_BIN_DIR
(native helpers, default build/bin), AMEIDE_REGISTRY_HOST[_FROM_CLUSTER] for Tilt (default
here: push through the k3d registry, see README).
Exit codes: 0 done, 1 a step failed, 2 usage or environment error.
USAGE
}

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cluster=ameide
registry=ameide.localhost
registry_port=5001
push_host=${AMEIDE_REGISTRY_PUSH_HOST:-localhost:5001}
argocd_version=${ARGOCD_VERSION:-stable}
bin_dir=${ATH_BIN_DIR:-$root/build/bin}
skip_cluster=0 skip_build=0 skip_argocd=0 no_tilt=0 timeout=600
tilt_args=()
while [ $# -gt 0 ]; do
  case $1 in
    --dry-run) DRY_RUN=1; shift ;;
    --cluster) cluster=$(opt_value "$@"); shift 2 ;;
    --skip-cluster) skip_cluster=1; shift ;;
    --skip-build) skip_build=1; shift ;;
    --skip-argocd) skip_argocd=1; shift ;;
    --no-tilt) no_tilt=1; shift ;;
    --timeout) timeout=$(opt_value "$@"); shift 2 ;;
    -h | --help) usage; exit 0 ;;
    --) shift; tilt_args=("$@"); break ;;
    *) usage >&2; die 2 "unknown argument '$1'" ;;
  esac
done
check_label cluster "$cluster"
[[ $timeout =~ ^[1-9][0-9]*$ ]] || die 2 "--timeout must be a positive number of seconds, got '$timeout'"
[[ $push_host =~ ^[A-Za-z0-9.-]+(:[0-9]+)?$ ]] || die 2 "AMEIDE_REGISTRY_PUSH_HOST='$push_host' is not host[:port]"
context="k3d-$cluster"
kubectl_argv=(kubectl --context "$context")
parity="$bin_dir/tilt-values-parity"
[ -x "$parity" ] || die 2 "$parity not found: build the helpers (cmake --build build) or set ATH_BIN_DIR"
need python3
[ "$skip_cluster" = 1 ] || need k3d "https://k3d.io"
[ "$skip_build" = 1 ] || need docker
need kubectl
[ "$no_tilt" = 1 ] || need tilt "https://docs.tilt.dev/install.html"

# The catalog: "app<TAB>image<TAB>context<TAB>dockerfile<TAB>target" lines from the plan.
plan=$("$parity" --root "$root/values" plan -o json) || die 1 "tilt-values-parity plan failed; run \`$parity --root $root/values check\`"
catalog=$(printf '%s' "$plan" | python3 -c '
import json, sys
plan = json.load(sys.stdin)
for app in plan["apps"]:
    for im in app["images"] or [{"name": ""}]:
        print("\t".join([app["name"], im.get("name", ""), im.get("context", ""), im.get("dockerfile", ""), im.get("target", "")]))
')
apps=$(printf '%s\n' "$catalog" | cut -f1 | sort -u)

# exists CMD...: whether a lookup succeeds; under --dry-run nothing exists yet.
exists() { [ "$DRY_RUN" = 0 ] && "$@" >/dev/null 2>&1; }

if [ "$skip_cluster" = 0 ]; then
  say "k3d registry and cluster"
  exists k3d registry get "k3d-$registry" ||
    run k3d registry create "$registry" --port "$registry_port"
  exists k3d cluster get "$cluster" ||
    run k3d cluster create "$cluster" --registry-use "k3d-$registry:$registry_port" --wait
fi

if [ "$skip_build" = 0 ]; then
  say "images of the Argo path, pushed through $push_host"
  while IFS=$'\t' read -r app image ctx dockerfile target; do
    [ -n "$image" ] || continue
    ref="$push_host/ameide/$image:dev"
    build=(docker build -t "$ref" -f "$root/$dockerfile")
    [ -z "$target" ] || build+=(--target "$target")
    run "${build[@]}" "$root/$ctx" || die 1 "building $image for $app failed"
    run docker push "$ref" || die 1 "pushing $ref failed: is the registry published on $push_host?"
  done <<<"$catalog"
fi

if [ "$skip_argocd" = 0 ]; then
  say "Argo CD $argocd_version"
  exists "${kubectl_argv[@]}" get namespace argocd || run "${kubectl_argv[@]}" create namespace argocd
  # Server-side apply: the CRDs exceed the client-side last-applied annotation limit.
  run "${kubectl_argv[@]}" apply -n argocd --server-side --force-conflicts \
    -f "https://raw.githubusercontent.com/argoproj/argo-cd/$argocd_version/manifests/install.yaml"
  for w in deployment/argocd-server deployment/argocd-repo-server deployment/argocd-applicationset-controller \
    statefulset/argocd-application-controller; do
    run "${kubectl_argv[@]}" -n argocd rollout status "$w" --timeout="${timeout}s"
  done
fi

say "dev ApplicationSet"
run "${kubectl_argv[@]}" apply -n argocd -f "$root/values/argocd/apps-dev.yaml"
for app in $apps; do
  printf '+ %s -n argocd get application %s (every 5s until it exists)\n' "${kubectl_argv[*]}" "$app"
  if [ "$DRY_RUN" = 0 ]; then
    deadline=$((SECONDS + timeout))
    until "${kubectl_argv[@]}" -n argocd get application "$app" >/dev/null 2>&1; do
      [ $SECONDS -lt $deadline ] || die 1 "Application $app was not generated within ${timeout}s: check the apps-dev ApplicationSet's status"
      sleep 5
    done
  fi
  run "${kubectl_argv[@]}" -n argocd wait "application/$app" --for=jsonpath='{.status.sync.status}'=Synced --timeout="${timeout}s"
  run "${kubectl_argv[@]}" -n argocd wait "application/$app" --for=jsonpath='{.status.health.status}'=Healthy --timeout="${timeout}s"
done

[ "$no_tilt" = 0 ] || exit 0
# Tilt's own registry defaults to registry.localhost:32000, which this cluster does not have:
# unless told otherwise, push through the k3d registry (Tilt's tags never overwrite :dev).
export AMEIDE_REGISTRY_HOST=${AMEIDE_REGISTRY_HOST:-$push_host}
export AMEIDE_REGISTRY_HOST_FROM_CLUSTER=${AMEIDE_REGISTRY_HOST_FROM_CLUSTER:-k3d-$registry:$registry_port}
printf '+ AMEIDE_REGISTRY_HOST=%q AMEIDE_REGISTRY_HOST_FROM_CLUSTER=%q\n' "$AMEIDE_REGISTRY_HOST" "$AMEIDE_REGISTRY_HOST_FROM_CLUSTER"
cd "$root"
run tilt up --context "$context" ${tilt_args[@]+-- "${tilt_args[@]}"}
