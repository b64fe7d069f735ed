#pragma once
// The one layer through which helpers talk to a cluster. Requests go over plain HTTP to a
// `kubectl proxy` (kubectl's credentials) and may be issued from many threads at once.
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/kube_error.hpp"
#include "core/deadline.hpp"
#include "core/kube_proxy.hpp"
#include "core/kube_resources.hpp"
#include "core/kube_retry.hpp"

namespace ath {
using json = nlohmann::json;

struct HttpAnswer {
  int status = 0;           // 0: no answer (see error)
  std::string body;
  std::string error;        // transport failure text
  bool timed_out = false;   // no answer within the per-request timeout (or before the deadline)
};

// Sends one HTTP request; thread-safe. The proxy transport and test fakes implement it.
class Transport {
 public:
  virtual ~Transport() = default;
  virtual HttpAnswer send(const std::string& method, const std::string& target, const std::string& body,
                          const std::string& content_type) = 0;
};

// HTTP/1.1 keep-alive connections to 127.0.0.1:port, one per concurrent caller; every target gets
// the proxy's path prefix. Each request waits at most `request_timeout` for each part of the
// answer (so a hung server is noticed in that time while a large list keeps flowing), and never
// past `deadline`.
std::shared_ptr<Transport> make_http_transport(ProxyEndpoint proxy,
                                               std::chrono::milliseconds request_timeout = KubeAccess::kDefaultRequestTimeout,
                                               Deadline deadline = {});

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

struct KubeClientOptions {
  RetryPolicy retry{};  // GETs only; writes are sent once
  Deadline deadline{};
  std::chrono::milliseconds request_timeout{KubeAccess::kDefaultRequestTimeout};  // for messages
  // Names the API server in messages about an unreachable or silent cluster; asked only then.
  std::function<std::string()> describe_server{};
};

class KubeClient {
 public:
  explicit KubeClient(std::shared_ptr<Transport> transport, KubeClientOptions options = {});
  // Starts `kubectl proxy` for these credentials and checks that the API server answers.
  // Throws std::runtime_error with kubectl's or the server's reason.
  static KubeClient connect(const KubeAccess& access);
  // A client of a kubectl proxy that serves already (a session's, session_proxy.hpp): one GET
  // /version that must answer within `probe_timeout` (no retry), else std::runtime_error.
  // `keep` lives as long as the client.
  static KubeClient connect(const KubeAccess& access, const ProxyEndpoint& proxy,
                            std::chrono::milliseconds probe_timeout, std::shared_ptr<void> keep = {});

  // One request; a GET that meets a 429/5xx or a lost connection is sent again (see kube_retry.hpp)
  // while attempts and the deadline allow, and the error returned is the last real one.
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
  // The server's `gitVersion` from connect()'s /version check ("" for a client not made by connect).
  const std::string& server_version() const { return server_version_; }

 private:
  Result<json> answer_to_result(const std::string& method, const std::string& target, HttpAnswer answer);
  std::string server_name() const;
  static KubeClientOptions options_for(const KubeAccess& access);
  void take_version(const json& answer);

  std::shared_ptr<Transport> transport_;
  std::shared_ptr<void> proxy_;  // the per-run KubeProxy, or what keeps a shared one; lives with the client
  std::shared_ptr<std::atomic<size_t>> sent_;
  KubeClientOptions options_;
  std::string server_version_;
};

// Builds "?labelSelector=...&limit=..&continue=.." for one list page.
std::string list_query(const ListOptions& opts, const std::string& continue_token);

}  // namespace ath
