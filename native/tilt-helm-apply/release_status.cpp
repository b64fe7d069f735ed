#include "release_status.hpp"

#include <algorithm>
#include <charconv>

namespace ath::helm_apply {

std::vector<ReleaseRevision> release_revisions(const std::vector<json>& storage_objects) {
  std::vector<ReleaseRevision> out;
  for (const auto& o : storage_objects) {
    if (!o.contains("metadata") || !o["metadata"].is_object()) continue;
    const json labels = o["metadata"].value("labels", json::object());
    if (!labels.is_object()) continue;
    const std::string version = labels.value("version", ""), status = labels.value("status", "");
    int revision = 0;
    auto [end, ec] = std::from_chars(version.data(), version.data() + version.size(), revision);
    if (ec != std::errc() || end != version.data() + version.size() || revision <= 0 || status.empty()) continue;
    out.push_back({revision, status});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.revision < b.revision; });
  return out;
}

bool is_pending(const std::string& status) { return status.starts_with("pending-"); }

std::optional<StuckRelease> stuck_release(const std::vector<ReleaseRevision>& revisions) {
  if (revisions.empty() || !is_pending(revisions.back().status)) return std::nullopt;
  StuckRelease s{revisions.back().revision, revisions.back().status, std::nullopt};
  for (auto it = revisions.rbegin() + 1; it != revisions.rend(); ++it)
    if (it->status == "deployed" || it->status == "superseded") {
      s.rollback_to = it->revision;
      break;
    }
  return s;
}

std::string stuck_advice(const std::string& release, const std::string& ns, const StuckRelease& s) {
  const std::string where = release + " -n " + ns;
  std::string text = "release " + release + " is stuck in " + s.status + " (revision " + std::to_string(s.revision) +
                     "): helm could not record how its last operation ended, and refuses every later one with "
                     "\"another operation is in progress\", so retrying cannot help. If no other "
                     "helm operation is running on it, recover with `helm history " + where + "`, then ";
  if (s.rollback_to)
    return text + "`helm rollback " + where + " " + std::to_string(*s.rollback_to) +
           "` (its last good revision); the next apply then goes through";
  return text + "(a first install: there is nothing to roll back to) `helm uninstall " + where +
         "` (deletes the release's objects; Argo CD's next sync re-creates them) or, to keep the objects, "
         "remove only the pending record: `kubectl delete secret sh.helm.release.v1." + release + ".v" +
         std::to_string(s.revision) + " -n " + ns + "`; the next apply then goes through";
}

bool is_operation_in_progress_error(const std::string& helm_stderr) {
  return helm_stderr.find("another operation (install/upgrade/rollback) is in progress") != std::string::npos;
}

}  // namespace ath::helm_apply
