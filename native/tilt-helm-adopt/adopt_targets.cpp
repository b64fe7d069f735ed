#include "tilt-helm-adopt/adopt_targets.hpp"

#include "tilt-helm-adopt/adopt_plan.hpp"

namespace ath::helm_adopt {

std::string object_key(const ApiResource& type, const std::string& ns, const std::string& name) {
  return type.group + "/" + type.resource + "/" + ns + "/" + name;
}

std::string Target::key() const { return object_key(*type, namespace_, name); }

std::string scan_selector(const std::string& release, const std::string& selector) {
  return selector.empty() ? "app.kubernetes.io/instance=" + release : selector;
}

namespace {

void add_target(Targets& out, const ApiResource* type, std::string ns, std::string name, unsigned source,
                const std::string& release_namespace) {
  if (type->namespaced && ns.empty()) ns = release_namespace;
  if (!type->namespaced) ns.clear();
  out.targets.push_back(Target{type, std::move(ns), std::move(name), source});
}

}  // namespace

Targets manifest_targets(const std::vector<json>& docs, const ResourceIndex& index,
                         const std::string& release_namespace) {
  Targets out;
  for (const auto& o : manifest_objects(docs)) {
    ObjectRef ref = ObjectRef::of(o);
    if (ref.kind.empty() || ref.api_version.empty() || ref.name.empty()) {
      out.unresolved.push_back({ref.display(), "a manifest document needs apiVersion, kind and metadata.name"});
      continue;
    }
    const ApiResource* type = index.by_kind(ref.api_version, ref.kind);
    // The chart may name another served version of the type than discovery prefers.
    if (!type) type = index.by_group_kind(ref.group(), ref.kind);
    if (!type) {
      out.unresolved.push_back({ref.kind + " " + ref.api_version + " " + ref.name, "no such type is served"});
      continue;
    }
    add_target(out, type, ref.namespace_, ref.name, kFromManifest, release_namespace);
  }
  return out;
}

Targets argocd_targets(const json& application, const ResourceIndex& index) {
  Targets out;
  if (!application.contains("status") || !application["status"].is_object()) return out;
  const json& status = application["status"];
  if (!status.contains("resources") || !status["resources"].is_array()) return out;
  for (const auto& r : status["resources"]) {
    if (!r.is_object()) continue;
    std::string group = r.value("group", ""), kind = r.value("kind", ""), name = r.value("name", "");
    std::string ns = r.value("namespace", "");
    if (kind.empty() || name.empty()) {
      out.unresolved.push_back({kind + " " + name, "a status.resources entry needs kind and name"});
      continue;
    }
    const ApiResource* type = index.by_group_kind(group, kind);
    if (!type) {
      out.unresolved.push_back({kind + (group.empty() ? "" : "." + group) + " " + name, "no such type is served"});
      continue;
    }
    // Argo CD records the namespace it applied to; an empty one on a namespaced type would be
    // a guess, so it is reported rather than assumed.
    if (type->namespaced && ns.empty()) {
      out.unresolved.push_back({kind + " " + name, "namespaced object listed without a namespace"});
      continue;
    }
    add_target(out, type, ns, name, kFromArgoCd, "");
  }
  return out;
}

std::vector<const ApiResource*> scan_types(const ResourceIndex& index) {
  std::vector<const ApiResource*> out;
  for (const auto& r : index.all())
    if (r.namespaced && r.can("list") && r.can("patch") && !is_scan_noise(r)) out.push_back(&r);
  return out;
}

}  // namespace ath::helm_adopt
