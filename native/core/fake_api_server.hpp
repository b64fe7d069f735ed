#pragma once
// The part every in-memory API server of the unit tests shares (tilt-argocd-sync's sync guard,
// tilt-helm-adopt's adopt): objects by path with a resourceVersion counter, a log of the
// requests, failures scripted per "METHOD path", and Status bodies shaped as kube-apiserver's.
// Each test answers the rest in answer(): which verbs it serves and how it patches; a test that
// needs to act around a request (outside or after the lock) overrides send() and calls this one.
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/kube_client.hpp"

namespace ath::testing {

class FakeApiServer : public ath::Transport {
 public:
  std::map<std::string, nlohmann::json> objects;         // by path, e.g. /api/v1/namespaces/a/configmaps/b
  std::map<std::string, std::deque<int>> scripted;       // "METHOD path" -> statuses answered first; 0 passes
  std::vector<std::string> log;                          // "METHOD target", in order
  std::mutex mutex;
  int rv = 100;

  // Stores `object` at `path` with the next resourceVersion.
  void put(const std::string& path, nlohmann::json object) {
    object["metadata"]["resourceVersion"] = std::to_string(++rv);
    objects[path] = std::move(object);
  }
  // Requests whose "METHOD target" starts with `prefix`.
  size_t count(const std::string& prefix) {
    size_t n = 0;
    for (const auto& l : log) n += l.starts_with(prefix);
    return n;
  }
  // A failure as kube-apiserver writes it: a v1 Status (apimachinery pkg/apis/meta/v1/types.go:775,
  // v0.32.0) with `reason`, by default the code's StatusReason (types.go:878-1015): a create of an
  // existing object answers 409 with "AlreadyExists" (types.go:895) instead of "Conflict".
  static ath::HttpAnswer failure(int code, const char* reason = nullptr) {
    if (!reason)
      reason = code == 404   ? "NotFound"
             : code == 405 ? "MethodNotAllowed"
             : code == 403 ? "Forbidden"
             : code == 409 ? "Conflict"
             : code == 422 ? "Invalid"
             : code == 503 ? "ServiceUnavailable"
                           : "InternalError";
    nlohmann::json status = {{"kind", "Status"}, {"apiVersion", "v1"}, {"status", "Failure"},
                             {"reason", reason}, {"message", std::string(reason) + " from the fake"},
                             {"code", code}};
    return {code, status.dump(), ""};
  }
  static ath::HttpAnswer ok(int code, const nlohmann::json& body) { return {code, body.dump(), ""}; }

  ath::HttpAnswer send(const std::string& method, const std::string& target, const std::string& body,
                       const std::string& content_type) override {
    std::lock_guard lock(mutex);
    log.push_back(method + " " + target);
    const auto q = target.find('?');
    const std::string path = target.substr(0, q);
    if (auto s = scripted.find(method + " " + path); s != scripted.end() && !s->second.empty()) {
      int code = s->second.front();
      s->second.pop_front();
      if (code) return failure(code);
    }
    return answer(method, path, q != std::string::npos, body, content_type);
  }

 protected:
  // The request after the scripted failures, with the lock held; `has_query`: the target had a
  // query string (a LIST with a selector, say).
  virtual ath::HttpAnswer answer(const std::string& method, const std::string& path, bool has_query,
                                 const std::string& body, const std::string& content_type) = 0;
};

}  // namespace ath::testing
