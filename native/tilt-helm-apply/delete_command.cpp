#include <spdlog/spdlog.h>

#include "applied_objects.hpp"
#include "release_commands.hpp"
#include "release_io.hpp"

namespace ath::helm_apply {

int run_delete(const DeleteOptions& o, const CommonOptions& common, const Getenv& getenv) {
  if (o.on_down == "handback") {
    // Tilt runs this on `tilt down` and before the apply of a force update. Uninstalling would
    // delete what Argo CD owns; the objects stay, and the sync guard's resume lets Argo CD
    // reconcile them back to Git.
    spdlog::info("{}: handed back to Argo CD: nothing deleted (on_down=handback); Argo CD reconciles the objects "
                 "when its sync resumes",
                 o.release);
    return kExitOk;
  }

  HelmSetup helm = setup_helm(getenv);
  locate_kubectl(common.kube.kubectl);
  HelmTarget target{helm.helm, o.release, o.namespace_, common.kube.kubeconfig, common.kube.context};
  auto objects = installed_manifest(target);
  if (!objects) {
    spdlog::info("{}: no Helm release in namespace {}; nothing to uninstall", o.release, o.namespace_);
    return kExitOk;
  }
  KubeClient client = KubeClient::connect(common.kube);
  ResourceIndex index = discover_index(client);
  auto tracked = argo_tracked(fetch_live(client, index, *objects, o.namespace_));
  if (!tracked.empty()) {
    std::string list;
    for (const auto& t : tracked) list += (list.empty() ? "" : ", ") + t;
    spdlog::error("{}: not uninstalled: Argo CD tracks {} ({}); on_down='uninstall' is for Tilt-only releases: "
                  "use on_down='handback'",
                  o.release, tracked.size() == 1 ? "this object" : "these objects", list);
    return kExitFindings;
  }
  auto res = run_helm(helm_uninstall_argv(target, common.dry_run), std::chrono::seconds(600));
  log_helm_output(res, o.release);
  if (!res.ok()) {
    spdlog::error("{}: helm uninstall failed ({}); run `helm uninstall {} -n {}` by hand once the cause is fixed",
                  o.release, res.describe(), o.release, o.namespace_);
    return kExitFindings;
  }
  return kExitOk;
}

}  // namespace ath::helm_apply
