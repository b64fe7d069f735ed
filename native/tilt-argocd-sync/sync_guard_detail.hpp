#pragma once
// What the parts of SyncGuard share (sync_guard_pause.cpp, sync_guard_resume.cpp,
// sync_guard_heartbeat.cpp, sync_guard_steps.cpp); not for use outside them.
#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>
#include <vector>

namespace ath::argocd_sync::detail {

// Requests in flight at once.
inline constexpr size_t kConcurrency = 32;

inline std::string join(const std::vector<std::string>& v, const char* sep = ", ") {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

// A recorded policy for the report: "automated {...}" or "no automated".
inline std::string automated_text(const nlohmann::json& saved) {
  return saved.contains("automated") ? "automated " + saved["automated"].dump() : "no automated";
}

}  // namespace ath::argocd_sync::detail
