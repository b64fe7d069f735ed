#include "adopt_step.hpp"

#ifdef ATH_HAVE_ADOPT
#include "tilt-helm-adopt/adopt.hpp"
#include "tilt-helm-adopt/helm_version.hpp"
#endif

namespace ath::helm_apply {

#ifdef ATH_HAVE_ADOPT
AdoptResult run_adoption(KubeClient& client, const ResourceIndex& index, const AdoptStep& step) {
  adopt::AdoptOptions o;
  o.release = step.release;
  o.release_namespace = step.namespace_;
  o.use_manifest = true;
  o.manifest = step.manifest;
  o.argocd_app = step.argocd_app;
  o.argocd_namespace = step.argocd_namespace;
  o.scrub_managed_fields = adopt::scrub_rule(adopt::parse_helm_version(step.helm_version)).scrub;
  o.dry_run = step.dry_run;
  AdoptResult r;
  r.in_process = true;
  try {
    auto report = adopt::adopt(client, index, o);
    r.exit_code = report.exit_code();
    r.report = adopt::render_text(report);
  } catch (const adopt::AdoptSetupError& e) {
    r.exit_code = 2;
    r.report = e.what();
  }
  return r;
}
#else
AdoptResult run_adoption(KubeClient&, const ResourceIndex&, const AdoptStep& step) {
  // Without the library helm's own check is skipped instead: it writes the same ownership keys,
  // but only on the objects it renders.
  AdoptResult r;
  r.report = "release " + step.release + ": adoption library not built in; helm --take-ownership adopts instead";
  r.helm_flags = {"--take-ownership"};
  return r;
}
#endif

}  // namespace ath::helm_apply
