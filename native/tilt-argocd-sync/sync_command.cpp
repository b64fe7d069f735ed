#include "sync_command.hpp"

#include <mutex>

#include "argocd_api.hpp"
#include "core/cli.hpp"
#include "core/parallel.hpp"
#include "holder_store.hpp"
#include "resume_plan.hpp"

namespace ath::argocd_sync {
using nlohmann::json;

Report sync_apps(ath::KubeClient& kc, const GuardConfig& cfg, const SyncCommand& cmd) {
  Journal journal = load_journal(cfg.journal_path);
  json cm = HolderStore(kc, cfg.ns).read();
  GuardState state = GuardState::from_data(cm.is_object() ? cm.value("data", json::object()) : json::object(), cfg.ns);
  std::vector<ath::Result<json>> got(cmd.apps.size());
  ath::parallel_for(cmd.apps.size(), 32, [&](size_t i) { got[i] = kc.get(applications_resource(), cfg.ns, cmd.apps[i]); });
  std::string missing;
  for (size_t i = 0; i < got.size(); ++i) {
    if (got[i].ok()) continue;
    if (got[i].error->kind != ath::KubeErrorKind::NotFound)
      throw std::runtime_error("cannot read Application " + cfg.ns + "/" + cmd.apps[i] + ": " + got[i].error->describe() +
                               " (nothing was changed)");
    missing += (missing.empty() ? "" : ", ") + cmd.apps[i];
  }
  if (!missing.empty())
    throw ath::UsageError("Application(s) not found in namespace " + cfg.ns + ": " + missing +
                          "; nothing was changed (check the names or --argocd-namespace)");

  Report report;
  report.items.resize(cmd.apps.size());
  ath::parallel_for(cmd.apps.size(), 32, [&](size_t i) {
    const std::string& name = cmd.apps[i];
    // The policy: the pause record while paused (the app's own automated is off then).
    const AppRecord* rec = find_ptr(state.apps, name);
    if (!rec)
      if (const AppRecord* j = find_ptr(journal.apps, name);
          j && !superseded(j->uid, j->paused_at, find_ptr(state.restored_apps, name)) && !auto_sync_on(got[i].value))
        rec = j;
    json::json_pointer automated_ptr(kAutomatedPointer);
    const json& current = got[i].value;
    const json automated = rec ? saved_automated(*rec)
                               : (current.contains(automated_ptr) ? current.at(automated_ptr) : json());
    SyncRequest req{"tilt-argocd-sync (" + cfg.me.holder_id() + ")", "tilt-argocd-sync sync",
                    cmd.prune || policy_prunes(automated)};
    bool sent = false;
    auto plan = [&](const json& obj) {
      json ops = sync_request_ops(obj, req);
      sent = !ops.empty();
      return ops;
    };
    auto w = guarded_json_patch(kc, applications_resource(), cfg.ns, name, current, plan, cmd.dry_run);
    std::string prune = std::string("prune ") + (req.prune ? "on" : "off");
    if (!w.ok())
      report.items[i] = {"Application", name, Action::Failed, w.error->describe(), false};
    else if (sent)
      report.items[i] = {"Application", name, cmd.dry_run ? Action::WouldRequestSync : Action::SyncRequested, prune, true};
    else
      report.items[i] = {"Application", name, Action::AlreadySyncing, "an operation is pending; no second one is requested",
                         true};
  });
  return report;
}

}  // namespace ath::argocd_sync
