#include "argocd_api.hpp"

namespace tas {
using ath::ApiResource;
using ath::KubeErrorKind;
using nlohmann::json;

ApiResource applications_resource() {
  return {"argoproj.io", "v1alpha1", "applications", "Application", true, {"get", "list", "patch"}};
}
ApiResource application_sets_resource() {
  return {"argoproj.io", "v1alpha1", "applicationsets", "ApplicationSet", true, {"get", "list", "patch"}};
}
ApiResource configmaps_resource() { return {"", "v1", "configmaps", "ConfigMap", true, {"get", "create", "patch"}}; }
ApiResource crds_resource() {
  return {"apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition", false, {"get"}};
}

WriteOutcome guarded_json_patch(ath::KubeClient& kc, const ApiResource& r, const std::string& ns,
                                const std::string& name, json current,
                                const std::function<json(const json&)>& plan, bool dry_run, int attempts) {
  WriteOutcome out;
  for (int i = 0; i < attempts; ++i) {
    if (current.is_null()) {
      auto got = kc.get(r, ns, name);
      if (!got.ok()) {
        out.error = got.error;
        return out;
      }
      current = std::move(got.value);
    }
    json ops = plan(current);
    if (ops.empty() || dry_run) {
      out.object = current;
      out.changed = !ops.empty();
      return out;
    }
    std::string rv = current["metadata"].value("resourceVersion", "");
    auto res = kc.patch(r, ns, name, ath::PatchType::Json, ath::json_patch_with_resource_version(ops, rv));
    if (res.ok()) {
      out.object = std::move(res.value);
      out.changed = true;
      return out;
    }
    // A failed resourceVersion test answers 409 or 422 depending on the server; either way the
    // object is read again and, if it moved on, planned again.
    const auto kind = res.error->kind;
    if (kind != KubeErrorKind::Conflict && kind != KubeErrorKind::Invalid && !res.error->transient()) {
      out.error = res.error;
      return out;
    }
    auto fresh = kc.get(r, ns, name);
    if (!fresh.ok()) {
      out.error = fresh.error;
      return out;
    }
    if (kind == KubeErrorKind::Invalid && fresh.value["metadata"].value("resourceVersion", "") == rv) {
      out.error = res.error;  // a genuine rejection, not a race
      return out;
    }
    current = std::move(fresh.value);
  }
  out.error = ath::KubeError{KubeErrorKind::Conflict, 409, "Conflict",
                             r.kind + " " + name + " kept changing; gave up after " + std::to_string(attempts) +
                                 " attempts (run the command again)"};
  return out;
}

}  // namespace tas
