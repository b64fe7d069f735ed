#include "core/kube_resources.hpp"

#include <algorithm>
#include <tuple>

#include "core/json_at.hpp"

namespace ath {

bool ApiResource::can(const std::string& verb) const {
  return std::find(verbs.begin(), verbs.end(), verb) != verbs.end();
}

std::string ObjectRef::group() const {
  auto slash = api_version.find('/');
  return slash == std::string::npos ? "" : api_version.substr(0, slash);
}

std::string ObjectRef::display() const {
  std::string s = kind + " ";
  if (!namespace_.empty()) s += namespace_ + "/";
  return s + name;
}

// A field that is not a string (a hand-written manifest, say) reads as empty, so the caller
// reports the object as incomplete instead of failing on a json type_error.
ObjectRef ObjectRef::of(const json& object) {
  ObjectRef ref;
  ref.api_version = string_at(object, "/apiVersion");
  ref.kind = string_at(object, "/kind");
  ref.namespace_ = string_at(object, "/metadata/namespace");
  ref.name = string_at(object, "/metadata/name");
  return ref;
}

bool ObjectRef::operator<(const ObjectRef& o) const {
  return std::tie(api_version, kind, namespace_, name) < std::tie(o.api_version, o.kind, o.namespace_, o.name);
}

std::vector<std::string> parse_core_versions(const json& api_versions) {
  std::vector<std::string> out;
  if (api_versions.contains("versions"))
    for (const auto& v : api_versions["versions"]) out.push_back(v.get<std::string>());
  return out;
}

std::vector<std::string> parse_preferred_group_versions(const json& api_group_list) {
  std::vector<std::string> out;
  if (!api_group_list.contains("groups")) return out;
  for (const auto& g : api_group_list["groups"]) {
    if (g.contains("preferredVersion")) {
      out.push_back(g["preferredVersion"].value("groupVersion", ""));
    } else if (g.contains("versions") && !g["versions"].empty()) {
      out.push_back(g["versions"][0].value("groupVersion", ""));
    }
  }
  out.erase(std::remove(out.begin(), out.end(), std::string()), out.end());
  return out;
}

std::vector<ApiResource> parse_resource_list(const json& resource_list) {
  std::vector<ApiResource> out;
  const std::string gv = resource_list.value("groupVersion", "");
  auto slash = gv.find('/');
  const std::string group = slash == std::string::npos ? "" : gv.substr(0, slash);
  const std::string version = slash == std::string::npos ? gv : gv.substr(slash + 1);
  if (!resource_list.contains("resources")) return out;
  for (const auto& r : resource_list["resources"]) {
    ApiResource res;
    res.resource = r.value("name", "");
    if (res.resource.empty() || res.resource.find('/') != std::string::npos) continue;
    res.group = group;
    res.version = version;
    res.kind = r.value("kind", "");
    res.namespaced = r.value("namespaced", false);
    if (r.contains("verbs"))
      for (const auto& v : r["verbs"]) res.verbs.push_back(v.get<std::string>());
    out.push_back(std::move(res));
  }
  return out;
}

bool is_scan_noise(const ApiResource& r) {
  if (r.resource == "events") return true;  // core and events.k8s.io
  if (r.group == "metrics.k8s.io") return true;
  if (r.resource == "bindings" || r.resource == "localsubjectaccessreviews") return true;
  return false;
}

const ApiResource* ResourceIndex::by_kind(const std::string& api_version, const std::string& kind) const {
  for (const auto& r : all_)
    if (r.kind == kind && r.group_version() == api_version) return &r;
  return nullptr;
}

const ApiResource* ResourceIndex::by_resource(const std::string& group, const std::string& resource) const {
  for (const auto& r : all_)
    if (r.resource == resource && r.group == group) return &r;
  return nullptr;
}

const ApiResource* ResourceIndex::by_group_kind(const std::string& group, const std::string& kind) const {
  for (const auto& r : all_)
    if (r.kind == kind && r.group == group) return &r;
  return nullptr;
}

std::string resource_path(const ApiResource& r, const std::string& ns, const std::string& name) {
  std::string path = r.group.empty() ? "/api/" + r.version : "/apis/" + r.group + "/" + r.version;
  if (r.namespaced && !ns.empty()) path += "/namespaces/" + ns;
  path += "/" + r.resource;
  if (!name.empty()) path += "/" + name;
  return path;
}

std::string url_encode(const std::string& value) {
  static const char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

}  // namespace ath
