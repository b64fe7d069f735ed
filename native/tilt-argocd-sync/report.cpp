#include "report.hpp"

#include "core/cli.hpp"

namespace ath::argocd_sync {
using nlohmann::json;

std::string_view action_text(Action a) {
  switch (a) {
    case Action::Paused: return "paused";
    case Action::AlreadyPaused: return "already paused";
    case Action::NotFound: return "not found";
    case Action::Resumed: return "resumed";
    case Action::KeptPaused: return "kept paused";
    case Action::NotWrittenBack: return "not written back";
    case Action::LeftAsItIs: return "left as it is";
    case Action::NothingToResume: return "nothing to resume";
    case Action::Gone: return "gone";
    case Action::SyncRequested: return "sync requested";
    case Action::WouldRequestSync: return "would request a sync";
    case Action::AlreadySyncing: return "already syncing";
    case Action::NotSynced: return "not synced";
    case Action::Synced: return "synced";
    case Action::SyncFailed: return "sync failed";
    case Action::TimedOut: return "timed out";
    case Action::SyncedByArgocdCli: return "synced by argocd CLI";
    case Action::ArgocdCliSyncFailed: return "argocd CLI sync failed";
    case Action::Failed: return "failed";
  }
  return "failed";
}

int Report::exit_code() const {
  for (const auto& i : items)
    if (!i.ok) return ath::kExitFindings;
  return ath::kExitOk;
}

std::string Report::text() const {
  std::string out;
  for (const auto& i : items)
    out += i.kind + " " + i.name + ": " + std::string(action_text(i.action)) +
           (i.detail.empty() ? "" : " (" + i.detail + ")") + "\n";
  return out;
}

json Report::to_json() const {
  json list = json::array();
  for (const auto& i : items)
    list.push_back({{"kind", i.kind}, {"name", i.name}, {"action", action_text(i.action)}, {"detail", i.detail},
                    {"ok", i.ok}});
  return {{"items", list}, {"exitCode", exit_code()}};
}

void print(const Report& r, std::FILE* to) {
  std::fputs(r.text().c_str(), to);
  std::fflush(to);
}

}  // namespace ath::argocd_sync
