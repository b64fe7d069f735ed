#include "core/kube_client.hpp"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <limits>
#include <mutex>
#include <random>
#include <thread>

#include "core/json_limits.hpp"
#include "core/kubeconfig.hpp"
#include "core/parallel.hpp"

namespace ath {

namespace {

// "5 s", "2.5 s"
std::string seconds_text(std::chrono::milliseconds ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g s", static_cast<double>(ms.count()) / 1000.0);
  return buf;
}

class HttpTransport : public Transport {
 public:
  HttpTransport(ProxyEndpoint proxy, std::chrono::milliseconds request_timeout, Deadline deadline)
      : proxy_(std::move(proxy)), request_timeout_(request_timeout), deadline_(deadline) {}

  HttpAnswer send(const std::string& method, const std::string& api_target, const std::string& body,
                  const std::string& ctype) override {
    const std::string target = proxy_.prefix + api_target;  // the prefix is never logged
    const auto limit = deadline_.cap(request_timeout_);
    if (limit.count() <= 0) return {0, "", "the run's deadline passed before the request was sent", true};
    auto client = acquire();
    client->set_connection_timeout(limit);
    client->set_read_timeout(limit);
    client->set_write_timeout(limit);
    const auto start = std::chrono::steady_clock::now();
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
      // httplib reports a socket timeout as a read/write/connect failure; the clock tells them apart.
      const auto waited = std::chrono::steady_clock::now() - start;
      const auto err = res.error();
      answer.timed_out = waited + std::chrono::milliseconds(50) >= limit &&
                         (err == httplib::Error::Read || err == httplib::Error::Write ||
                          err == httplib::Error::Connection || err == httplib::Error::ConnectionTimeout);
      answer.error = answer.timed_out ? "no answer within " + seconds_text(limit)
                                      : "request to the API server failed: " + httplib::to_string(err);
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
    auto c = std::make_unique<httplib::Client>("127.0.0.1", proxy_.port);
    c->set_keep_alive(true);
    return c;
  }
  void release(std::unique_ptr<httplib::Client> c) {
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(c));
  }

  ProxyEndpoint proxy_;
  std::chrono::milliseconds request_timeout_;
  Deadline deadline_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<httplib::Client>> idle_;
};

}  // namespace

std::shared_ptr<Transport> make_http_transport(ProxyEndpoint proxy, std::chrono::milliseconds request_timeout,
                                               Deadline deadline) {
  return std::make_shared<HttpTransport>(std::move(proxy), request_timeout, deadline);
}

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

KubeClient::KubeClient(std::shared_ptr<Transport> transport, KubeClientOptions options)
    : transport_(std::move(transport)),
      sent_(std::make_shared<std::atomic<size_t>>(0)),
      options_(std::move(options)) {}

KubeClientOptions KubeClient::options_for(const KubeAccess& access) {
  KubeClientOptions options;
  options.deadline = access.deadline;
  options.request_timeout = access.request_timeout;
  // The server's address is read from the kubeconfig once, and only when a message needs it.
  auto server = std::make_shared<std::pair<std::once_flag, std::string>>();
  options.describe_server = [server, access] {
    std::call_once(server->first, [&] { server->second = describe_api_server(access); });
    return server->second;
  };
  return options;
}

void KubeClient::take_version(const json& answer) {
  if (auto v = answer.find("gitVersion"); answer.is_object() && v != answer.end() && v->is_string())
    server_version_ = v->get<std::string>();
}

KubeClient KubeClient::connect(const KubeAccess& access) {
  auto proxy = std::make_shared<KubeProxy>(access);
  KubeClient client(make_http_transport(proxy->endpoint(), access.request_timeout, access.deadline),
                    options_for(access));
  client.proxy_ = proxy;
  auto version = client.get_path("/version");
  if (!version.ok()) {
    std::string where = access.context.empty() ? "the current context" : "context '" + access.context + "'";
    throw std::runtime_error("cannot reach the cluster of " + where + ": " + version.error->describe());
  }
  client.take_version(version.value);
  return client;
}

KubeClient KubeClient::connect(const KubeAccess& access, const ProxyEndpoint& proxy,
                               std::chrono::milliseconds probe_timeout, std::shared_ptr<void> keep) {
  KubeClientOptions probe_options = options_for(access);
  probe_options.retry.attempts = 1;
  KubeClient probe(make_http_transport(proxy, std::min(probe_timeout, access.request_timeout), access.deadline),
                   probe_options);
  auto version = probe.get_path("/version");
  if (!version.ok()) throw std::runtime_error("kubectl proxy on port " + std::to_string(proxy.port) +
                                              " did not answer: " + version.error->describe());
  KubeClient client(make_http_transport(proxy, access.request_timeout, access.deadline), options_for(access));
  client.proxy_ = std::move(keep);
  client.take_version(version.value);
  return client;
}

size_t KubeClient::requests_sent() const { return sent_->load(); }

std::string KubeClient::server_name() const {
  return options_.describe_server ? "the API server " + options_.describe_server() : "the API server";
}

Result<json> KubeClient::request(const std::string& method, const std::string& target, const std::string& body,
                                 const std::string& ctype) {
  thread_local std::mt19937 rng{std::random_device{}()};
  const bool idempotent = method == "GET";
  for (int attempt = 1;; ++attempt) {
    auto start = std::chrono::steady_clock::now();
    ++*sent_;
    HttpAnswer answer = transport_->send(method, target, body, ctype);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
    // Bodies are never logged: they can hold Secret data.
    spdlog::debug("{} {} -> {} ({} ms)", method, target, answer.status, ms);
    const bool ok = answer.status >= 200 && answer.status < 300;
    if (ok || !idempotent || attempt >= options_.retry.attempts || !worth_retrying(answer.status, answer.timed_out))
      return answer_to_result(method, target, std::move(answer));
    const auto delay = retry_delay(options_.retry, attempt, rng);
    if (options_.deadline.cap(delay) < delay) return answer_to_result(method, target, std::move(answer));
    spdlog::debug("{} {}: {}; retry {} in {} ms", method, target,
                  answer.status ? std::to_string(answer.status) : answer.error, attempt, delay.count());
    std::this_thread::sleep_for(delay);
  }
}

Result<json> KubeClient::answer_to_result(const std::string& method, const std::string& target, HttpAnswer answer) {
  const std::string what = method + " " + target;
  const std::string check =
      "; check that the cluster is up and reachable from here (VPN, firewall, the server address in the kubeconfig)";
  if (answer.status == 0) {
    KubeError err = transport_error(answer.error);
    if (!answer.timed_out) {
      err.message = what + ": " + answer.error + " (" + server_name() + ")" + check;
    } else if (options_.deadline.passed()) {
      err.kind = KubeErrorKind::Timeout;
      err.message = what + ": the run's --timeout of " + seconds_text(options_.deadline.budget()) +
                    " passed without an answer from " + server_name() + check + ", or raise --timeout";
    } else {
      err.kind = KubeErrorKind::Timeout;
      err.message = what + ": " + answer.error + " from " + server_name() + check + ", or raise --request-timeout";
    }
    return Result<json>::failure(std::move(err));
  }
  if (answer.status < 200 || answer.status >= 300) {
    KubeError err = parse_kube_error(answer.status, answer.body);
    // Not a Status from the API server: kubectl proxy's own answer when it cannot reach it
    // ("dial tcp …: connection refused" as a 500).
    if (err.reason.empty() && err.http_code >= 500) err.message += " (" + server_name() + ")";
    return Result<json>::failure(std::move(err));
  }
  Result<json> r;
  if (answer.body.empty()) return r;
  // Objects come from whoever may write them (a ConfigMap, a custom resource): the same depth
  // bound as every other reader, checked while parsing so no deep tree is ever built.
  try {
    r.value = parse_json_bounded(answer.body, "the API server's answer to " + what,
                                 std::numeric_limits<std::size_t>::max());
  } catch (const InputLimitError& e) {
    return Result<json>::failure(KubeError{KubeErrorKind::Other, answer.status, "", e.what()});
  }
  return r;
}

Result<std::vector<ApiResource>> KubeClient::discover(size_t concurrency) {
  using R = Result<std::vector<ApiResource>>;
  // /api and /apis at once: one round trip, not two, before the group versions.
  Result<json> core, groups;
  parallel_for(2, 2, [&](size_t i) { (i == 0 ? core : groups) = get_path(i == 0 ? "/api" : "/apis"); });
  if (!core.ok()) return R::failure(*core.error);
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
