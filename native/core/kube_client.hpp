#pragma once
// The one layer through which helpers talk to a cluster. Requests go over plain HTTP to a
// `kubectl proxy` (kubectl's credentials) and may be issued from many threads at once.
#include <nlohmann/json.hpp>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/kube_error.hpp"
#include "core/kube_proxy.hpp"
#include "core/kube_resources.hpp"

namespace ath {
using json = nlohmann::json;

struct HttpAnswer {
  int status = 0;           // 0: no answer (see error)
  std::string body;
  std::string error;        // transport failure text
};

// Sends one HTTP request; thread-safe. The proxy transport and test fakes implement it.
class Transport {
 public:
  virtual ~Transport() = default;
  virtual HttpAnswer send(const std::string& method, const std::string& target, const std::string& body,
                          const std::string& content_type) = 0;
};

// HTTP/1.1 keep-alive connections to 127.0.0.1:port, one per concurrent caller.
std::shared_ptr<Transport> make_http_transport(int port);

template <class T>
struct Result {
  T value{};
  std::optional<KubeError> error;
  bool ok() const { return !error.has_value(); }
  static Result failure(KubeError e) {
    Result r;
    r.error = std::move(e);
    return r;
  }
};

enum class PatchType { Merge, Json, Strategic };
const char* content_type(PatchType type);

// A merge patch that only applies while the object still has this resourceVersion (409 otherwise).
json with_resource_version(json merge_patch, const std::string& resource_version);
// A JSON patch guarded the same way: a leading `test` of /metadata/resourceVersion.
json json_patch_with_resource_version(const json& ops, const std::string& resource_version);

struct ListOptions {
  std::string label_selector{};
  std::string field_selector{};
  int limit = 500;  // page size; pages are followed through `continue` tokens
};

class KubeClient {
 public:
  explicit KubeClient(std::shared_ptr<Transport> transport);
  // Starts `kubectl proxy` for these credentials and checks that the API server answers.
  // Throws std::runtime_error with kubectl's or the server's reason.
  static KubeClient connect(const KubeAccess& access);

  Result<json> request(const std::string& method, const std::string& target, const std::string& body = "",
                       const std::string& content_type = "");
  Result<json> get_path(const std::string& target) { return request("GET", target); }

  // Every resource type the server serves (preferred versions), group lists fetched concurrently.
  Result<std::vector<ApiResource>> discover(size_t concurrency = 16);

  Result<json> get(const ApiResource& r, const std::string& ns, const std::string& name);
  // All pages of a list; `ns` empty lists across namespaces.
  Result<std::vector<json>> list(const ApiResource& r, const std::string& ns, const ListOptions& opts = {});
  Result<json> create(const ApiResource& r, const std::string& ns, const json& object);
  Result<json> patch(const ApiResource& r, const std::string& ns, const std::string& name, PatchType type,
                     const json& patch);
  Result<json> remove(const ApiResource& r, const std::string& ns, const std::string& name);

  // Requests sent so far (for reports and tests).
  size_t requests_sent() const;

 private:
  std::shared_ptr<Transport> transport_;
  std::shared_ptr<KubeProxy> proxy_;  // kept alive as long as the client
  std::shared_ptr<std::atomic<size_t>> sent_;
};

// Builds "?labelSelector=...&limit=..&continue=.." for one list page.
std::string list_query(const ListOptions& opts, const std::string& continue_token);

}  // namespace ath
