#include "sync_command.hpp"

#include <iostream>
#include <memory>
#include <mutex>

#include "argocd_api.hpp"
#include "commands.hpp"
#include "core/cli.hpp"
#include "core/json_at.hpp"
#include "core/parallel.hpp"
#include "holder_store.hpp"
#include "resume_plan.hpp"
#include "sync_trigger.hpp"

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
          j && !superseded(j->uid, j->paused_at, find_ptr(state.restored_apps, name)) && !app_auto_sync_on(got[i].value))
        rec = j;
    const json& current = got[i].value;
    const json* live_automated = json_at(current, kAutomatedPointer);
    const json automated = rec ? saved_automated(*rec) : (live_automated ? *live_automated : json());
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

namespace {

struct SyncOptions {
  bool wait = false;
  bool prune = false;
  int timeout = 300;
};

int run_sync(const SyncOptions& o, Context& ctx) {
  ctx.cfg.me = Identity::current(0, 0);
  auto kc = KubeClient::connect(ctx.common.kube);
  Report r = sync_apps(kc, ctx.cfg, {ctx.apps, o.prune, ctx.common.dry_run});
  int code = r.exit_code();
  const bool json_out = ctx.common.output == "json";
  if (o.wait && !ctx.common.dry_run && code == 0) {
    Report w = wait_for_syncs(kc, ctx.cfg.ns, ctx.apps, std::chrono::seconds(o.timeout), json_out ? stderr : stdout);
    for (auto& i : w.items) r.items.push_back(std::move(i));
    code = r.exit_code();
  }
  if (json_out) std::cout << r.to_json().dump(2) << "\n";
  else print(r);
  return code;
}

}  // namespace

Command add_sync_command(CLI::App& app, GlobalOptions& g) {
  auto o = std::make_shared<SyncOptions>();
  auto* cmd =
      app.add_subcommand("sync", "one sync of each APP with its own syncOptions and retry (prune as its policy says)");
  cmd->add_option("APP", g.apps, "Argo CD Application names")->required();
  cmd->add_flag("--wait", o->wait, "print progress and wait until each app is Synced and Healthy");
  cmd->add_option("--timeout", o->timeout, "seconds --wait waits")->capture_default_str();
  cmd->add_flag("--prune", o->prune, "prune even where the app's policy does not");
  add_dry_run_option(*cmd, g.common);
  add_output_option(*cmd, g.common);
  return {cmd, [o](Context& ctx) { return run_sync(*o, ctx); }};
}

}  // namespace ath::argocd_sync
