#include "applied_objects.hpp"

#include "core/argocd.hpp"
#include "core/helm_manifest.hpp"
#include "core/redact.hpp"

namespace ath::helm_apply {

namespace {

const json& metadata_of(const json& object) {
  static const json empty = json::object();
  auto it = object.find("metadata");
  return it != object.end() && it->is_object() ? *it : empty;
}

}  // namespace

std::vector<json> release_objects(const std::vector<YamlDocument>& docs) {
  std::vector<json> out;
  for (const auto& d : docs) add_manifest_objects(d.value, out);
  return out;
}

std::vector<json> tilt_output(const std::vector<json>& live_objects) {
  std::vector<json> out;
  for (const auto& o : live_objects) {
    json copy = redact_secrets(o);
    if (copy.contains("metadata") && copy["metadata"].is_object()) copy["metadata"].erase("managedFields");
    out.push_back(std::move(copy));
  }
  return out;
}

std::vector<std::string> argo_tracked(const std::vector<json>& live_objects) {
  std::vector<std::string> out;
  for (const auto& o : live_objects) {
    const json& md = metadata_of(o);
    const json annotations = md.value("annotations", json::object());
    const json labels = md.value("labels", json::object());
    if ((annotations.is_object() && annotations.contains(argocd::kTrackingIdAnnotation)) ||
        (labels.is_object() && labels.contains(argocd::kInstanceLabel)))
      out.push_back(describe(o));
  }
  return out;
}

std::string describe(const json& object) {
  const json& md = metadata_of(object);
  std::string ns = md.value("namespace", "");
  return object.value("kind", "?") + " " + (ns.empty() ? "" : ns + "/") + md.value("name", "?");
}

}  // namespace ath::helm_apply
