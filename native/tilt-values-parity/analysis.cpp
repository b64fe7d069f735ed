#include "analysis.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "parity_rules.hpp"

namespace tvp {

namespace {

// Every ApplicationSet document of the environment's files, with its parsed value.
void application_sets(const Workspace& ws, std::vector<std::pair<AppSetRef, const json*>>& out) {
  for (const auto& file : ws.application_set_files) {
    const LoadedFile& f = ws.files.at(file);
    if (!f.usable()) continue;
    for (const auto& doc : f.docs) {
      if (!doc.value.is_object() || doc.value.value("kind", json()) != "ApplicationSet") continue;
      AppSetRef ref{file, &doc, ""};
      const json name = doc.value.contains("metadata") && doc.value["metadata"].is_object()
                            ? doc.value["metadata"].value("name", json())
                            : json();
      ref.name = name.is_string() ? name.get<std::string>() : "(unnamed)";
      out.push_back({ref, &doc.value});
    }
  }
}

}  // namespace

Analysis analyse_workspace(const std::filesystem::path& root, const std::string& env, const LoadLimits& limits) {
  Analysis a;
  auto& findings = a.findings;
  a.ws = open_workspace(root, env, limits, findings);
  Workspace& ws = a.ws;
  auto in_root = [&](const std::string& p) {
    std::string full = ws.root_rel.empty() ? p : ws.root_rel + "/" + p;
    return normalize_relative(full).value_or(full);
  };

  std::vector<std::pair<AppSetRef, const json*>> sets;
  application_sets(ws, sets);
  bool any_malformed = std::any_of(ws.application_set_files.begin(), ws.application_set_files.end(),
                                   [&](const std::string& f) { return !ws.files.at(f).usable(); });
  if (sets.empty() && !any_malformed)
    throw WorkspaceError("no ApplicationSet in " + [&] {
      std::string s;
      for (const auto& f : ws.application_set_files) s += (s.empty() ? "" : ", ") + f;
      return s;
    }());

  for (const auto& [appset, value] : sets) {
    auto globs = git_file_globs(*value);
    if (globs.empty()) {
      auto pos = appset.doc->pos_of("/spec/generators");
      findings.push_back({"invalid-workspace", appset.file, pos.line, pos.column, "",
                          "ApplicationSet " + appset.name + " has no git files generator (generators[].git.files[].path)",
                          "generate the apps tier from one component.yaml per component (see values/README.md)"});
      continue;
    }
    std::vector<Component> parsed;
    for (const auto& glob : globs) {
      auto pattern = normalize_relative(glob);
      if (!pattern) continue;
      for (const auto& file : expand_glob(ws.repo_root, *pattern)) {
        const LoadedFile& f = ensure_loaded(ws.files, ws.repo_root, file, limits);
        if (auto c = parse_component(f, findings)) parsed.push_back(std::move(*c));
        else a.unplanned.push_back(file);
      }
    }
    auto components = check_components(std::move(parsed), findings);
    // A broken template line breaks every app the same way: findings located in the
    // ApplicationSet are reported once per line and rule, with the number of apps affected.
    std::map<std::pair<int, std::string>, std::pair<Finding, size_t>> template_findings;
    PatchCache patches;
    for (const auto& c : components) {
      ArgoApp argo = render_application(*value, generator_params(c.content, c.file), &patches);
      std::vector<Finding> own;
      report_template_problems(c, argo, appset, own);
      check_auto_sync(c, argo, appset, own);
      if (!argo.problems.empty()) {
        for (auto& f : own) template_findings.try_emplace({f.line, f.rule}, f, 0).first->second.second++;
        a.unplanned.push_back(c.file);
        continue;
      }
      auto tilt_files = tilt_value_files(c, ws.config, ws.root_rel, env);
      std::string overlay = in_root(expand_convention(ws.config.env_values, env, c.name));
      std::vector<std::string> argo_only;
      for (const auto& e : ws.config.argo_only_envs) argo_only.push_back(in_root(expand_convention(ws.config.env_values, e, c.name)));
      std::set<std::string> used(tilt_files.begin(), tilt_files.end());
      used.insert(argo.value_files.begin(), argo.value_files.end());
      for (const auto& f : used) ensure_loaded(ws.files, ws.repo_root, f, limits);
      for (const auto& f : argo_only) ensure_loaded(ws.files, ws.repo_root, f, limits);

      check_value_file_parity(c, argo, tilt_files, appset, own);
      for (auto& f : own) {
        if (f.file != appset.file) {
          findings.push_back(std::move(f));
          continue;
        }
        template_findings.try_emplace({f.line, f.rule}, f, 0).first->second.second++;
      }
      check_value_files_exist(c, argo, tilt_files, overlay, ws.files, findings);
      check_argo_only_files_exist(c, argo_only, ws.files, findings);
      check_tilt_overrides(c, findings);
      check_image_names(c, findings);
      for (const auto& f : used) check_values_file(c, ws.files.at(f), findings);
      for (size_t i = 0; i < argo_only.size(); ++i) {
        const LoadedFile& f = ws.files.at(argo_only[i]);
        if (used.count(argo_only[i])) continue;
        check_values_file(c, f, findings);
        check_argo_only_values(c, f, ws.config.argo_only_envs[i], findings);
      }
      a.plans.push_back(make_plan(c, argo, appset.name, tilt_files));
    }
    for (auto& [_, entry] : template_findings) {
      auto& [f, apps] = entry;
      if (apps > 1) f.message += " (" + std::to_string(apps - 1) + " more app" + (apps > 2 ? "s hit" : " hits") + " this line)";
      findings.push_back(std::move(f));
    }
  }
  // Every unreadable file once, whoever loaded it.
  for (const auto& [_, f] : ws.files)
    if (f.error) findings.push_back(*f.error);
  std::sort(a.plans.begin(), a.plans.end(), [](const AppPlan& x, const AppPlan& y) { return x.name < y.name; });
  std::sort(a.unplanned.begin(), a.unplanned.end());
  a.unplanned.erase(std::unique(a.unplanned.begin(), a.unplanned.end()), a.unplanned.end());
  sort_findings(findings);
  return a;
}

}  // namespace tvp
