// tilt-values-parity: value-file parity checks and the per-app deploy plan.
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "analysis.hpp"
#include "isolated_check.hpp"
#include "ath/version.hpp"
#include "core/cli.hpp"
#include "core/helm_template.hpp"
#include "core/names.hpp"
#include "report.hpp"

using namespace ath;
namespace fs = std::filesystem;

namespace {

const char* kPlanHelp = R"(plan -o json prints {"schema": "tilt-values-parity/plan/v1", "repo_root", "root", "env",
"apps": [...], "errors": [component files that could not be planned]}. Each app:
  name (apps-<component>, the Tilt resource), component, component_file, application,
  application_set, release, namespace, chart (repository-relative), chart_abs,
  value_files (repository-relative, helm order), value_files_abs,
  image_keys [{image, repository, tag}] (the only Helm keys Tilt sets),
  images [{name, context, dockerfile, target, repository_key, tag_key}],
  set {} (extra --set values), language (go|node|python|none), source, tier,
  live_update {sync [{local, remote}], run [{cmd, trigger [...]}], fall_back_on [...]},
  dependencies [component names], resource_deps [apps-*], labels [...].
Paths in the plan are relative to repo_root unless they end in _abs. See native/tilt-values-parity/README.md.)";

fs::path default_root() {
  std::error_code ec;
  auto exe = fs::read_symlink("/proc/self/exe", ec);
  if (auto found = ath::values_parity::find_default_root(fs::current_path(ec), ec ? fs::path() : exe)) return *found;
  throw UsageError("no workspace found: no values/workspace.yaml above the working directory or the executable; pass --root DIR");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Prove that Tilt and Argo CD deploy every apps-* release with the same Helm value files,\n"
               "and print the deploy plan the Tiltfile reads."};
  CommonOptions common;
  setup_app(app, "tilt-values-parity");
  std::string root, env = "dev", app_name;
  size_t max_bytes = ath::values_parity::LoadLimits{}.max_bytes;
  app.add_option("--root", root,
                 "workspace root holding workspace.yaml, the ApplicationSet and components (default: the nearest "
                 "values/ with a workspace.yaml above the working directory, else above this executable)");
  app.add_option("--env", env, "environment whose overlay Tilt uses")->capture_default_str();
  app.add_option("--max-file-bytes", max_bytes, "larger workspace files are reported instead of parsed")->capture_default_str();
  add_log_options(app, common);
  app.require_subcommand(1);
  auto* check = app.add_subcommand("check", "report every parity violation with file:line (exit 1 when there is one)");
  add_output_option(*check, common, {"text", "json", "sarif"});
  // Isolated mode (issue 18): what the root Tiltfile runs before it deploys any `-tilt` release.
  bool isolated = false;
  ath::values_parity::IsolatedCheck isolate;
  check->add_flag("--isolated", isolated,
                  "also render every app's chart with helm (AMEIDE_HELM_BIN or PATH) for Argo CD's release and Tilt's "
                  "isolated <release>-tilt, and report a chart that names an object the same in both");
  check->add_option("--isolate-suffix", isolate.suffix, "with --isolated: Tilt's release is <release>-<suffix>");
  check->add_option("--isolate-namespace", isolate.namespace_,
                    "with --isolated: Tilt's releases go into this namespace (default: each app's)");
  std::string rules = "Rules (native/tilt-values-parity/README.md explains each):\n";
  for (const auto& r : ath::values_parity::rule_catalog()) rules += "  " + std::string(r.id) + ": " + r.summary + "\n";
  check->footer(rules + "-o json: {schema: tilt-values-parity/check/v1, ok, env, root, repo_root, apps, findings: [{rule, "
                        "file, line, column, app, message, fix}]}; -o sarif: SARIF 2.1.0.");
  auto* plan = app.add_subcommand("plan", "print the deploy plan of one app or all (exit 1 when a component cannot be planned)");
  plan->add_option("--app", app_name, "one app, e.g. apps-graph");
  add_output_option(*plan, common);
  plan->footer(kPlanHelp);
  app.footer(std::string("Rules: see `check --help`; plan schema: see `plan --help`.\n") +
             "Exit codes: 0 ok, 1 findings or partial failure, 2 usage or environment error.");
  return run_main(app, common, argc, argv, [&]() -> int {
    if (auto err = check_dns1123_label(env)) throw UsageError("invalid --env: " + *err);
    if (!app_name.empty())
      if (auto err = check_helm_release_name(app_name)) throw UsageError("invalid --app: " + *err);
    if (!isolated && (!isolate.suffix.empty() || !isolate.namespace_.empty()))
      throw UsageError("--isolate-suffix and --isolate-namespace need --isolated");
    if (!isolate.suffix.empty())
      if (auto err = check_dns1123_label(isolate.suffix)) throw UsageError("invalid --isolate-suffix: " + *err);
    if (!isolate.namespace_.empty())
      if (auto err = check_dns1123_label(isolate.namespace_)) throw UsageError("invalid --isolate-namespace: " + *err);
    if (isolated) isolate.helm = locate_helm(process_env);
    fs::path root_dir = root.empty() ? default_root() : fs::path(root);
    ath::values_parity::LoadLimits limits;
    limits.max_bytes = max_bytes;
    ath::values_parity::Analysis a;
    try {
      a = ath::values_parity::analyse_workspace(root_dir, env, limits);
    } catch (const ath::values_parity::WorkspaceError& e) {
      throw UsageError(e.what());
    }
    std::error_code ec;
    std::string repo_root = a.ws.repo_root.string(), ws_root = a.ws.root.string();
    if (check->parsed()) {
      if (isolated) {
        ath::values_parity::check_isolated(a.plans, a.ws.repo_root, isolate, a.findings);
        ath::values_parity::sort_findings(a.findings);
      }
      ath::values_parity::ReportContext ctx{repo_root, ws_root, env, {}, ""};
      for (const auto& p : a.plans) ctx.apps.push_back(p.name);
      auto rel = fs::proximate(a.ws.repo_root, fs::current_path(ec), ec).generic_string();
      if (!ec && rel != ".") ctx.display_prefix = rel + "/";
      if (common.output == "json") std::cout << ath::values_parity::report_json(a.findings, ctx).dump(2) << "\n";
      else if (common.output == "sarif") std::cout << ath::values_parity::report_sarif(a.findings, ctx, ATH_VERSION).dump(2) << "\n";
      else std::cout << ath::values_parity::report_text(a.findings, ctx);
      return a.findings.empty() ? kExitOk : kExitFindings;
    }
    std::vector<ath::values_parity::AppPlan> plans;
    for (const auto& p : a.plans)
      if (app_name.empty() || p.name == app_name) plans.push_back(p);
    if (!app_name.empty() && plans.empty()) {
      std::string known;
      for (const auto& p : a.plans) known += (known.empty() ? "" : ", ") + p.name;
      throw UsageError("unknown app '" + app_name + "'; the workspace plans: " + known);
    }
    for (const auto& e : a.plan_errors) std::fprintf(stderr, "tilt-values-parity: %s (run `check` for details)\n", e.c_str());
    for (const auto& f : a.unplanned) std::fprintf(stderr, "tilt-values-parity: cannot plan %s (run `check` for why)\n", f.c_str());
    ath::values_parity::PlanContext ctx{repo_root, ws_root, env};
    if (common.output == "json") std::cout << ath::values_parity::plan_to_json(plans, ctx, a.unplanned).dump(2) << "\n";
    else std::cout << ath::values_parity::plan_to_text(plans, ctx);
    if (!a.plan_errors.empty()) return kExitFindings;
    return a.unplanned.empty() || !app_name.empty() ? kExitOk : kExitFindings;
  });
}
