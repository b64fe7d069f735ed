#include "tilt-helm-adopt/adopt_plan.hpp"

#include <set>
#include <tuple>

#include "core/kube_client.hpp"

namespace ath::helm_adopt {

namespace {

std::string metadata_string(const json& object, const char* section, const char* key) {
  if (!object.contains("metadata")) return "";
  const json& md = object["metadata"];
  if (!md.contains(section) || !md[section].is_object()) return "";
  const json& map = md[section];
  auto it = map.find(key);
  return it != map.end() && it->is_string() ? it->get<std::string>() : "";
}

std::string group_of(const std::string& api_version) {
  auto slash = api_version.find('/');
  return slash == std::string::npos ? "" : api_version.substr(0, slash);
}

// (group, kind, namespace, name) of an object; a manifest object without a namespace lands in
// the release namespace, as `helm install -n NS` puts it there.
std::tuple<std::string, std::string, std::string, std::string> identity(const json& o, const std::string& ns) {
  std::string object_ns = o.contains("metadata") ? o["metadata"].value("namespace", "") : "";
  return {group_of(o.value("apiVersion", "")), o.value("kind", ""), object_ns.empty() ? ns : object_ns,
          o.contains("metadata") ? o["metadata"].value("name", "") : ""};
}

}  // namespace

std::string source_names(unsigned sources) {
  std::string out;
  auto add = [&](unsigned bit, const char* name) {
    if (sources & bit) out += (out.empty() ? "" : "+") + std::string(name);
  };
  add(kFromManifest, "manifest");
  add(kFromArgoCd, "argocd");
  add(kFromLabelScan, "label-scan");
  return out;
}

const char* to_string(Action a) {
  switch (a) {
    case Action::AlreadyOwned: return "already-owned";
    case Action::Adopt: return "adopt";
    case Action::Conflict: return "conflict";
    case Action::Controlled: return "skipped-controlled";
  }
  return "unknown";
}

std::string current_owner(const json& object, const std::string& release_namespace) {
  std::string name = metadata_string(object, "annotations", kReleaseNameAnnotation);
  if (name.empty()) return "";
  std::string ns = metadata_string(object, "annotations", kReleaseNamespaceAnnotation);
  return ns.empty() || ns == release_namespace ? name : ns + "/" + name;
}

bool controller_owned(const json& object) {
  if (!object.contains("metadata") || !object["metadata"].contains("ownerReferences")) return false;
  for (const auto& ref : object["metadata"]["ownerReferences"])
    if (ref.is_object() && ref.value("controller", false)) return true;
  return false;
}

Decision plan_adoption(const json& live, unsigned sources, const PlanSettings& s) {
  Decision d;
  // Helm validates only what it renders; the children a controller made (ReplicaSets, Pods,
  // Jobs of a CronJob) carry the instance label by template inheritance but are not Helm's.
  if (!(sources & kFromManifest) && controller_owned(live)) {
    d.action = Action::Controlled;
    d.reason = "owned by a controller; Helm does not check it";
    return d;
  }
  const std::string owner = current_owner(live, s.release_namespace);
  if (!owner.empty() && owner != s.release) {
    d.owner_release = owner;
    if (!s.force) {
      d.action = Action::Conflict;
      d.reason = "belongs to Helm release '" + owner + "'; rerun with --force to take it";
      return d;
    }
  }
  json metadata = json::object();
  if (metadata_string(live, "labels", kManagedByLabel) != kManagedByHelm)
    metadata["labels"][kManagedByLabel] = kManagedByHelm;
  if (metadata_string(live, "annotations", kReleaseNameAnnotation) != s.release)
    metadata["annotations"][kReleaseNameAnnotation] = s.release;
  if (metadata_string(live, "annotations", kReleaseNamespaceAnnotation) != s.release_namespace)
    metadata["annotations"][kReleaseNamespaceAnnotation] = s.release_namespace;
  if (metadata.empty()) {
    d.action = Action::AlreadyOwned;
    d.reason = "already owned by the release";
    return d;
  }
  // The scrub rides along with an ownership change only: an object Helm already owns keeps the
  // field history Helm wrote, so a rerun stays write-free.
  const json& md = live["metadata"];
  if (s.scrub_managed_fields && md.contains("managedFields") && md["managedFields"].is_array() &&
      !md["managedFields"].empty())
    metadata["managedFields"] = json::array({json::object()});
  d.action = Action::Adopt;
  d.reason = owner.empty() ? "ownership metadata written" : "taken from release '" + owner + "' (--force)";
  d.patch = with_resource_version(json{{"metadata", metadata}}, md.value("resourceVersion", ""));
  return d;
}

std::string describe_patch(const json& patch) {
  std::string out;
  auto add = [&](const std::string& item) { out += (out.empty() ? "" : ", ") + item; };
  if (!patch.contains("metadata")) return out;
  const json& md = patch["metadata"];
  for (const char* section : {"labels", "annotations"})
    if (md.contains(section))
      for (const auto& [key, value] : md[section].items()) add(key + "=" + value.get<std::string>());
  if (md.contains("managedFields")) add("managedFields reset");
  return out;
}

bool is_workload_kind(const std::string& api_version, const std::string& kind) {
  return group_of(api_version) == "apps" && (kind == "Deployment" || kind == "StatefulSet" || kind == "DaemonSet");
}

std::vector<size_t> find_duplicate_workloads(const std::vector<json>& live_workloads,
                                             const std::vector<json>& manifest_objects,
                                             const std::string& release_namespace) {
  constexpr const char* kName = "app.kubernetes.io/name";
  constexpr const char* kComponent = "app.kubernetes.io/component";
  std::set<std::tuple<std::string, std::string, std::string, std::string>> rendered;
  std::set<std::tuple<std::string, std::string, std::string>> rendered_roles;  // ns, name label, component
  for (const auto& m : manifest_objects) {
    if (!m.is_object() || !is_workload_kind(m.value("apiVersion", ""), m.value("kind", ""))) continue;
    auto id = identity(m, release_namespace);
    rendered.insert(id);
    std::string name = metadata_string(m, "labels", kName);
    if (!name.empty()) rendered_roles.insert({std::get<2>(id), name, metadata_string(m, "labels", kComponent)});
  }
  std::vector<size_t> out;
  for (size_t i = 0; i < live_workloads.size(); ++i) {
    const json& w = live_workloads[i];
    if (!is_workload_kind(w.value("apiVersion", ""), w.value("kind", ""))) continue;
    auto id = identity(w, release_namespace);
    if (rendered.count(id)) continue;
    std::string name = metadata_string(w, "labels", kName);
    if (name.empty()) continue;
    if (rendered_roles.count({std::get<2>(id), name, metadata_string(w, "labels", kComponent)})) out.push_back(i);
  }
  return out;
}

}  // namespace ath::helm_adopt
