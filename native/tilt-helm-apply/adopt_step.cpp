#include "adopt_step.hpp"

#include <spdlog/spdlog.h>

#include "core/argocd.hpp"
#include "tilt-helm-adopt/adopt.hpp"
#include "tilt-helm-adopt/scrub_rule.hpp"

namespace ath::helm_apply {

namespace {

// helm_app names the Application of every workspace app, but a cluster may run without Argo CD
// (or before its first sync): then the manifest and the label scan still scope the adoption.
std::string existing_application(KubeClient& client, const ResourceIndex& index, const AdoptStep& step,
                                 const helm_adopt::Prefetch* already) {
  if (step.argocd_app.empty()) return "";
  const ApiResource* type = index.by_group_kind(argocd::kGroup, argocd::kApplicationKind);
  auto got = !type                                 ? Result<json>{}
             : already && already->application ? *already->application
                                               : client.get(*type, step.argocd_namespace, step.argocd_app);
  if (type && got.ok()) return step.argocd_app;
  if (type && got.error->kind != KubeErrorKind::NotFound) return step.argocd_app;  // adopt() reports the error
  spdlog::warn("{}: no Argo CD Application {}/{}; adopting the rendered manifest's objects and the label scan's",
               step.release, step.argocd_namespace, step.argocd_app);
  return "";
}

}  // namespace

AdoptResult run_adoption(KubeClient& client, const ResourceIndex& index, const AdoptStep& step,
                         const helm_adopt::Prefetch* already) {
  helm_adopt::AdoptOptions o;
  o.release = step.release;
  o.release_namespace = step.namespace_;
  o.use_manifest = true;
  o.manifest = step.manifest;
  o.argocd_app = existing_application(client, index, step, already);
  o.label_scan = step.label_scan;
  o.argocd_namespace = step.argocd_namespace;
  o.scrub_managed_fields = helm_adopt::scrub_rule(find_helm_version(step.helm_version)).scrub;
  o.dry_run = step.dry_run;
  AdoptResult r;
  try {
    // A prefetched Application that turned out not to exist must not be read as one.
    helm_adopt::Prefetch ahead;
    if (already) {
      ahead = *already;
      if (o.argocd_app.empty()) ahead.application.reset();
      if (!o.label_scan) ahead.lists.reset();
    }
    auto report = helm_adopt::adopt(client, index, o, already ? &ahead : nullptr);
    r.exit_code = report.exit_code();
    r.report = helm_adopt::render_text(report);
  } catch (const helm_adopt::AdoptSetupError& e) {
    r.exit_code = 2;
    r.report = e.what();
  }
  return r;
}

}  // namespace ath::helm_apply
