#pragma once
// Resource types as discovery reports them, and the REST paths that address them.
#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace ath {
using json = nlohmann::json;

struct ApiResource {
  std::string group;  // "" for the core group
  std::string version;
  std::string resource;  // plural, e.g. "deployments"
  std::string kind;
  bool namespaced = false;
  std::vector<std::string> verbs;

  std::string group_version() const { return group.empty() ? version : group + "/" + version; }
  bool can(const std::string& verb) const;
  std::string display() const { return group.empty() ? resource : resource + "." + group; }
};

// An object's identity as a manifest or Argo CD's status.resources names it.
struct ObjectRef {
  std::string api_version;  // "apps/v1", "v1"
  std::string kind;
  std::string namespace_;  // empty for cluster-scoped objects
  std::string name;

  std::string group() const;
  std::string display() const;  // "Deployment apps/web (ns)" style, for messages
  static ObjectRef of(const json& object);
  bool operator<(const ObjectRef& o) const;
  bool operator==(const ObjectRef& o) const = default;
};

// Parses the group versions /api answers ({"versions": ["v1"]}).
std::vector<std::string> parse_core_versions(const json& api_versions);
// Parses /apis (APIGroupList) into the preferred "group/version" of each group.
std::vector<std::string> parse_preferred_group_versions(const json& api_group_list);
// Parses one APIResourceList; subresources ("pods/log") are left out.
std::vector<ApiResource> parse_resource_list(const json& resource_list);

// Discovery noise a scan of stored objects must skip: events and metrics are not persisted
// desired state, and bindings/tokenreviews-style types cannot be listed anyway.
bool is_scan_noise(const ApiResource& r);

class ResourceIndex {
 public:
  ResourceIndex() = default;
  explicit ResourceIndex(std::vector<ApiResource> all) : all_(std::move(all)) {}
  const std::vector<ApiResource>& all() const { return all_; }
  // By apiVersion + kind, as a manifest names a type.
  const ApiResource* by_kind(const std::string& api_version, const std::string& kind) const;
  // By plural name and group ("deployments", "apps").
  const ApiResource* by_resource(const std::string& group, const std::string& resource) const;
  // By group + kind, any served version (Argo CD's status.resources carry group/version/kind).
  const ApiResource* by_group_kind(const std::string& group, const std::string& kind) const;

 private:
  std::vector<ApiResource> all_;
};

// "/api/v1/namespaces/ns/configmaps/name", "/apis/apps/v1/deployments" ...
// Empty namespace on a namespaced type addresses all namespaces (list only).
std::string resource_path(const ApiResource& r, const std::string& ns, const std::string& name = "");

// Percent-encodes a query parameter value.
std::string url_encode(const std::string& value);

}  // namespace ath
