#include "core/kube_client.hpp"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <limits>
#include <mutex>

#include "core/json_limits.hpp"
#include "core/parallel.hpp"

namespace ath {

namespace {

class HttpTransport : public Transport {
 public:
  explicit HttpTransport(int port) : port_(port) {}

  HttpAnswer send(const std::string& method, const std::string& target, const std::string& body,
                  const std::string& ctype) override {
    auto client = acquire();
    httplib::Headers headers = {{"Accept", "application/json"}};
    httplib::Result res{nullptr, httplib::Error::Unknown};
    if (method == "GET") res = client->Get(target.c_str(), headers);
    else if (method == "POST") res = client->Post(target.c_str(), headers, body, ctype.c_str());
    else if (method == "PUT") res = client->Put(target.c_str(), headers, body, ctype.c_str());
    else if (method == "PATCH") res = client->Patch(target.c_str(), headers, body, ctype.c_str());
    else if (method == "DELETE") res = client->Delete(target.c_str(), headers, body, ctype.c_str());
    else return {0, "", "unsupported method " + method};
    HttpAnswer answer;
    if (!res) {
      answer.error = "request to the API server failed: " + httplib::to_string(res.error());
      // A broken keep-alive connection is not reused.
      return answer;
    }
    answer.status = res->status;
    answer.body = std::move(res->body);
    release(std::move(client));
    return answer;
  }

 private:
  std::unique_ptr<httplib::Client> acquire() {
    {
      std::lock_guard lock(mutex_);
      if (!idle_.empty()) {
        auto c = std::move(idle_.back());
        idle_.pop_back();
        return c;
      }
    }
    auto c = std::make_unique<httplib::Client>("127.0.0.1", port_);
    c->set_keep_alive(true);
    c->set_connection_timeout(10, 0);
    c->set_read_timeout(120, 0);
    c->set_write_timeout(60, 0);
    return c;
  }
  void release(std::unique_ptr<httplib::Client> c) {
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(c));
  }

  int port_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<httplib::Client>> idle_;
};

}  // namespace

std::shared_ptr<Transport> make_http_transport(int port) { return std::make_shared<HttpTransport>(port); }

const char* content_type(PatchType type) {
  switch (type) {
    case PatchType::Merge: return "application/merge-patch+json";
    case PatchType::Json: return "application/json-patch+json";
    case PatchType::Strategic: return "application/strategic-merge-patch+json";
  }
  return "application/merge-patch+json";
}

json with_resource_version(json merge_patch, const std::string& resource_version) {
  merge_patch["metadata"]["resourceVersion"] = resource_version;
  return merge_patch;
}

json json_patch_with_resource_version(const json& ops, const std::string& resource_version) {
  json out = json::array();
  out.push_back({{"op", "test"}, {"path", "/metadata/resourceVersion"}, {"value", resource_version}});
  for (const auto& op : ops) out.push_back(op);
  return out;
}

std::string list_query(const ListOptions& opts, const std::string& continue_token) {
  std::string q = "?limit=" + std::to_string(opts.limit);
  if (!opts.label_selector.empty()) q += "&labelSelector=" + url_encode(opts.label_selector);
  if (!opts.field_selector.empty()) q += "&fieldSelector=" + url_encode(opts.field_selector);
  if (!continue_token.empty()) q += "&continue=" + url_encode(continue_token);
  return q;
}

KubeClient::KubeClient(std::shared_ptr<Transport> transport)
    : transport_(std::move(transport)), sent_(std::make_shared<std::atomic<size_t>>(0)) {}

KubeClient KubeClient::connect(const KubeAccess& access) {
  auto proxy = std::make_shared<KubeProxy>(access);
  KubeClient client(make_http_transport(proxy->port()));
  client.proxy_ = proxy;
  auto version = client.get_path("/version");
  if (!version.ok()) {
    std::string where = access.context.empty() ? "the current context" : "context '" + access.context + "'";
    throw std::runtime_error("cannot reach the cluster of " + where + ": " + version.error->describe());
  }
  return client;
}

size_t KubeClient::requests_sent() const { return sent_->load(); }

Result<json> KubeClient::request(const std::string& method, const std::string& target, const std::string& body,
                                 const std::string& ctype) {
  auto start = std::chrono::steady_clock::now();
  ++*sent_;
  HttpAnswer answer = transport_->send(method, target, body, ctype);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  // Bodies are never logged: they can hold Secret data.
  spdlog::debug("{} {} -> {} ({} ms)", method, target, answer.status, ms);
  if (answer.status == 0) return Result<json>::failure(transport_error(answer.error));
  if (answer.status < 200 || answer.status >= 300) return Result<json>::failure(parse_kube_error(answer.status, answer.body));
  Result<json> r;
  if (answer.body.empty()) return r;
  // Objects come from whoever may write them (a ConfigMap, a custom resource): the same depth
  // bound as every other reader, checked while parsing so no deep tree is ever built.
  try {
    r.value = parse_json_bounded(answer.body, "the API server's answer to " + method + " " + target,
                                 std::numeric_limits<std::size_t>::max());
  } catch (const InputLimitError& e) {
    return Result<json>::failure(KubeError{KubeErrorKind::Other, answer.status, "", e.what()});
  }
  return r;
}

Result<std::vector<ApiResource>> KubeClient::discover(size_t concurrency) {
  using R = Result<std::vector<ApiResource>>;
  auto core = get_path("/api");
  if (!core.ok()) return R::failure(*core.error);
  auto groups = get_path("/apis");
  if (!groups.ok()) return R::failure(*groups.error);

  std::vector<std::string> paths;
  for (const auto& v : parse_core_versions(core.value)) paths.push_back("/api/" + v);
  for (const auto& gv : parse_preferred_group_versions(groups.value)) paths.push_back("/apis/" + gv);

  std::vector<Result<json>> lists(paths.size());
  parallel_for(paths.size(), concurrency, [&](size_t i) { lists[i] = get_path(paths[i]); });

  R out;
  for (size_t i = 0; i < paths.size(); ++i) {
    // A group whose aggregated API server is down is skipped, as kubectl does; others still count.
    if (!lists[i].ok()) {
      spdlog::warn("discovery of {} failed: {}", paths[i], lists[i].error->describe());
      continue;
    }
    for (auto& r : parse_resource_list(lists[i].value)) out.value.push_back(std::move(r));
  }
  return out;
}

Result<json> KubeClient::get(const ApiResource& r, const std::string& ns, const std::string& name) {
  return get_path(resource_path(r, ns, name));
}

Result<std::vector<json>> KubeClient::list(const ApiResource& r, const std::string& ns, const ListOptions& opts) {
  using R = Result<std::vector<json>>;
  R out;
  std::string token;
  const std::string base = resource_path(r, ns);
  do {
    auto page = get_path(base + list_query(opts, token));
    if (!page.ok()) return R::failure(*page.error);
    if (page.value.contains("items") && page.value["items"].is_array()) {
      // List items carry no apiVersion/kind; fill them in so callers see whole objects.
      for (auto& item : page.value["items"]) {
        if (!item.contains("apiVersion")) item["apiVersion"] = r.group_version();
        if (!item.contains("kind")) item["kind"] = r.kind;
        out.value.push_back(std::move(item));
      }
    }
    token.clear();
    if (page.value.contains("metadata") && page.value["metadata"].contains("continue"))
      token = page.value["metadata"]["continue"].get<std::string>();
  } while (!token.empty());
  return out;
}

Result<json> KubeClient::create(const ApiResource& r, const std::string& ns, const json& object) {
  return request("POST", resource_path(r, ns), object.dump(), "application/json");
}

Result<json> KubeClient::patch(const ApiResource& r, const std::string& ns, const std::string& name, PatchType type,
                               const json& patch) {
  return request("PATCH", resource_path(r, ns, name), patch.dump(), content_type(type));
}

Result<json> KubeClient::remove(const ApiResource& r, const std::string& ns, const std::string& name) {
  return request("DELETE", resource_path(r, ns, name));
}

}  // namespace ath
