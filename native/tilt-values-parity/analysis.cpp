#include "analysis.hpp"

#include <algorithm>
#include <map>
#include <memory>
#include <set>

#include "core/argocd.hpp"
#include "parity_rules.hpp"
#include "value_files.hpp"
#include "yaml11.hpp"

namespace ath::values_parity {

namespace {

// Every ApplicationSet document of the environment's files, with its parsed value.
void application_sets(const Workspace& ws, std::vector<std::pair<AppSetRef, const json*>>& out) {
  for (const auto& file : ws.application_set_files) {
    const LoadedFile& f = ws.files.at(file);
    if (!f.usable()) continue;
    for (const auto& doc : f.docs) {
      if (!doc.value.is_object() || doc.value.value("kind", json()) != argocd::kApplicationSetKind) continue;
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

  // Component and values files are many and their positions are needed only for a finding
  // (LoadLimits).
  LoadLimits lazy_positions = limits;
  lazy_positions.positions = false;
  RepoView repo{[&](const std::string& p) { return ensure_loaded(ws.files, ws.repo_root, p, lazy_positions).exists; },
                [&](const std::string& p) { return expand_glob(ws.repo_root, p, true); }};
  for (const auto& [appset, value] : sets) {
    auto patterns = git_file_patterns(*value);
    auto appset_finding = [&](const std::string& pointer, const std::string& message, const std::string& fix) {
      auto pos = appset.doc->pos_of(pointer);
      findings.push_back({"invalid-workspace", appset.file, pos.line, pos.column, "", message, fix});
      a.plan_errors.push_back(appset.file + ":" + std::to_string(pos.line) + ": " + message);
    };
    if (patterns.include.empty()) {
      appset_finding("/spec/generators", "ApplicationSet " + appset.name + " has no git files generator (generators[].git.files[].path)",
                     "generate the apps tier from one component.yaml per component (see values/README.md)");
      continue;
    }
    for (const auto& u : patterns.unsupported)
      appset_finding("/spec/generators", "ApplicationSet " + appset.name + " uses the " + u + ", which tilt-values-parity does not model",
                     "remove it, or check the generated Applications by hand");
    RenderMode mode;
    try {
      mode = render_mode(*value);
    } catch (const TemplateError& e) {
      appset_finding("/spec/goTemplateOptions", e.what(), "use missingkey=error, missingkey=zero or missingkey=default");
      continue;
    }
    if (!patterns.unsupported.empty()) continue;
    // git.go:144-215: the union of the include patterns minus the exclude patterns, sorted.
    std::set<std::string> files;
    for (const auto& glob : patterns.include)
      for (auto& f : git_pathspec_files(ws.repo_root, glob)) files.insert(std::move(f));
    for (const auto& glob : patterns.exclude)
      for (const auto& f : git_pathspec_files(ws.repo_root, glob)) files.erase(f);
    if (files.empty()) {
      std::string list;
      for (const auto& g : patterns.include) list += (list.empty() ? "" : ", ") + g;
      appset_finding("/spec/generators", "the git files generator of " + appset.name + " matches no file (" + list +
                                             "), so Argo CD generates no Application",
                     "point files[].path at the component files (repository-relative, e.g. values/components/*/component.yaml)");
      continue;
    }
    std::vector<Component> parsed;
    std::vector<std::unique_ptr<json>> argo_values;  // component files YAML 1.1 reads differently
    for (const auto& file : files) {
      const LoadedFile& f = ensure_loaded(ws.files, ws.repo_root, file, lazy_positions);
      ws.files.at(file).keep = true;  // components point into it
      size_t failed = 0;
      auto comps = parse_components(f, findings, &failed);
      if (failed) a.unplanned.push_back(file);
      if (comps.empty()) continue;
      // The same file as Argo CD reads it: YAML 1.1 through JSON (yaml11.hpp); for most files
      // the YAML 1.2 value already parsed.
      Yaml11Document argo_doc;
      const json* argo_value = &f.first()->value;
      try {
        if (yaml11_may_differ(f.text)) {
          argo_doc = decode_yaml11(f.text);
          argo_values.push_back(std::make_unique<json>(std::move(argo_doc.value)));
          argo_value = argo_values.back().get();
        }
      } catch (const std::exception& e) {
        findings.push_back({"template-error", file, 1, 1, comps.front().app(),
                            std::string("cannot read this file as Argo CD does (sigs.k8s.io/yaml, YAML 1.1): ") + e.what(),
                            "simplify the YAML (plain mappings, quoted text)"});
        a.unplanned.push_back(file);
        continue;
      }
      for (const auto& ch : argo_doc.changes) {
        std::string shown = ch.kind == "boolean" ? "boolean " + ch.seen : ch.kind == "null" ? "null" : "number " + ch.seen;
        findings.push_back({"yaml-type-change", file, ch.line, ch.column, comps.front().app(),
                            "'" + ch.text + "' is read by Argo CD (sigs.k8s.io/yaml, YAML 1.1) as " + shown +
                                ", so its template sees `" + ch.seen + "`, not `" + ch.text + "`",
                            "quote it ('" + ch.text + "') if you mean the text"});
      }
      for (auto& c : comps) {
        const json& v = *argo_value;
        c.argo_content = v.is_array() && c.element < v.size() ? &v[c.element] : &v;
        parsed.push_back(std::move(c));
      }
    }
    auto components = check_components(std::move(parsed), findings);
    // A broken template line breaks every app the same way: findings located in the
    // ApplicationSet are reported once per line and rule, naming every app affected.
    std::map<std::pair<int, std::string>, Finding> template_findings;
    auto group = [&](const Finding& f) {
      auto [it, first] = template_findings.try_emplace({f.line, f.rule}, f);
      auto& more = it->second.more_apps;
      if (!first && f.app != it->second.app && std::find(more.begin(), more.end(), f.app) == more.end()) more.push_back(f.app);
    };
    PatchCache patches;
    for (const auto& c : components) {
      ArgoApp argo;
      try {
        argo = render_application(*value, generator_params(*c.argo_content, c.file, mode.go_template), mode, &patches);
      } catch (const TemplateError& e) {
        argo.problems.push_back({"/spec/template", e.what()});
      }
      if (argo.problems.empty()) resolve_value_files(argo, repo);
      std::vector<Finding> own;
      report_template_problems(c, argo, appset, own);
      check_auto_sync(c, argo, appset, own);
      if (!argo.problems.empty()) {
        for (auto& f : own) group(f);
        a.unplanned.push_back(c.file);
        continue;
      }
      auto tilt_files = tilt_value_files(c, ws.config, ws.root_rel, env);
      std::string overlay = in_root(expand_convention(ws.config.env_values, env, c.name));
      std::vector<std::string> argo_only;
      for (const auto& e : ws.config.argo_only_envs) argo_only.push_back(in_root(expand_convention(ws.config.env_values, e, c.name)));
      std::set<std::string> used(tilt_files.begin(), tilt_files.end());
      used.insert(argo.value_files.begin(), argo.value_files.end());
      for (const auto& f : used) ensure_loaded(ws.files, ws.repo_root, f, lazy_positions);
      for (const auto& f : argo_only) ensure_loaded(ws.files, ws.repo_root, f, lazy_positions);

      check_value_file_parity(c, argo, tilt_files, appset, own);
      for (auto& f : own) {
        if (f.file != appset.file) {
          findings.push_back(std::move(f));
          continue;
        }
        group(f);
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
      for (const auto& f : used) release(ws.files, f);
      for (const auto& f : argo_only) release(ws.files, f);
    }
    for (auto& [_, f] : template_findings) {
      size_t more = f.more_apps.size();
      if (more) f.message += " (" + std::to_string(more) + " more app" + (more > 1 ? "s hit" : " hits") + " this line)";
      findings.push_back(std::move(f));
    }
  }
  // Every unreadable file once, whoever loaded it.
  for (const auto& [_, f] : ws.files)
    if (f.error) findings.push_back(*f.error);
  // A plan built on a broken workspace.yaml or ApplicationSet would use defaults Argo CD does not.
  for (const auto& f : findings) {
    std::string ws_file = ws.root_rel.empty() ? kWorkspaceFile : ws.root_rel + "/" + kWorkspaceFile;
    bool setup_file = f.file == ws_file || std::count(ws.application_set_files.begin(), ws.application_set_files.end(), f.file);
    if ((f.rule == "invalid-workspace" || f.rule == "malformed-yaml") && setup_file &&
        std::find_if(a.plan_errors.begin(), a.plan_errors.end(), [&](const std::string& e) { return e.find(f.message) != std::string::npos; }) == a.plan_errors.end())
      a.plan_errors.push_back(f.file + ":" + std::to_string(f.line) + ": " + f.message);
  }
  std::sort(a.plans.begin(), a.plans.end(), [](const AppPlan& x, const AppPlan& y) { return x.name < y.name; });
  std::sort(a.unplanned.begin(), a.unplanned.end());
  a.unplanned.erase(std::unique(a.unplanned.begin(), a.unplanned.end()), a.unplanned.end());
  sort_findings(findings);
  return a;
}

}  // namespace ath::values_parity
