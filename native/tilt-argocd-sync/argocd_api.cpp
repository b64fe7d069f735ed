#include "argocd_api.hpp"

#include <algorithm>
#include <random>
#include <thread>

namespace ath::argocd_sync {
using ath::ApiResource;
using ath::KubeErrorKind;
using nlohmann::json;

ApiResource configmaps_resource() { return {"", "v1", "configmaps", "ConfigMap", true, {"get", "create", "patch"}}; }

std::chrono::milliseconds conflict_backoff(int attempt, double unit) {
  const long long bound = std::min<long long>(1000, 20LL << std::clamp(attempt, 0, 10));
  return std::chrono::milliseconds(static_cast<long long>(std::clamp(unit, 0.0, 1.0) * static_cast<double>(bound)));
}

void sleep_before_retry(int attempt) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  std::this_thread::sleep_for(conflict_backoff(attempt, std::uniform_real_distribution<double>(0.0, 1.0)(rng)));
}

WriteOutcome guarded_json_patch(ath::KubeClient& kc, const ApiResource& r, const std::string& ns,
                                const std::string& name, json current,
                                const std::function<json(const json&)>& plan, bool dry_run, int attempts) {
  WriteOutcome out;
  std::optional<ath::KubeError> last;  // the last failure that was not a lost race
  for (int i = 0; i < attempts; ++i) {
    if (i > 0) sleep_before_retry(i - 1);
    if (current.is_null()) {
      auto got = kc.get(r, ns, name);
      if (!got.ok()) {  // core's KubeClient already retried a transient read
        out.error = got.error;
        return out;
      }
      current = std::move(got.value);
    }
    json ops = plan(current);
    if (ops.empty() || dry_run) {
      out.object = current;
      out.changed = !ops.empty();
      return out;
    }
    std::string rv = current["metadata"].value("resourceVersion", "");
    auto res = kc.patch(r, ns, name, ath::PatchType::Json, ath::json_patch_with_resource_version(ops, rv));
    if (res.ok()) {
      out.object = std::move(res.value);
      out.changed = true;
      return out;
    }
    // A failed resourceVersion test answers 409 or 422 depending on the server (a real one says
    // 422 with a generic message); either way the object is read again and, if it moved on,
    // planned again.
    const auto kind = res.error->kind;
    if (kind != KubeErrorKind::Conflict && kind != KubeErrorKind::Invalid && !res.error->transient()) {
      out.error = res.error;
      return out;
    }
    if (res.error->transient()) last = res.error;
    else last.reset();
    current = nullptr;
    auto fresh = kc.get(r, ns, name);
    if (!fresh.ok()) {
      out.error = fresh.error;
      return out;
    }
    if (kind == KubeErrorKind::Invalid && fresh.value["metadata"].value("resourceVersion", "") == rv) {
      out.error = res.error;  // a genuine rejection, not a race
      return out;
    }
    current = std::move(fresh.value);
  }
  if (last) {
    out.error = *last;
    out.error->message = r.kind + " " + name + ": " + last->message + " (gave up after " + std::to_string(attempts) +
                         " attempts; run the command again once the API server answers)";
    return out;
  }
  out.error = ath::KubeError{KubeErrorKind::Conflict, 409, "Conflict",
                             r.kind + " " + name + " kept changing; gave up after " + std::to_string(attempts) +
                                 " attempts (run the command again)"};
  return out;
}

}  // namespace ath::argocd_sync
