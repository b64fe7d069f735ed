#include "workspace.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <functional>
#include <set>
#include <system_error>

namespace ath::values_parity {

namespace fs = std::filesystem;

WorkspaceConfig parse_workspace_config(const LoadedFile& file, std::vector<Finding>& findings) {
  WorkspaceConfig cfg;
  const ath::YamlDocument* doc = file.first();
  if (!file.usable() || !doc || doc->value.is_null()) return cfg;
  auto report = [&](const std::string& pointer, const std::string& message, const std::string& fix) {
    auto pos = doc->pos_of(pointer);
    findings.push_back({"invalid-workspace", file.path, pos.line, pos.column, "", message, fix});
  };
  if (!doc->value.is_object()) {
    report("", "workspace.yaml must be a mapping", "see values/README.md");
    return cfg;
  }
  for (const auto& [key, v] : doc->value.items()) {
    std::string* target = key == "repoRoot"          ? &cfg.repo_root
                          : key == "applicationSets" ? &cfg.application_sets
                          : key == "sharedValues"    ? &cfg.shared_values
                          : key == "envValues"       ? &cfg.env_values
                                                     : nullptr;
    if (target) {
      if (v.is_string() && !v.get<std::string>().empty()) *target = v.get<std::string>();
      else report("/" + key, "'" + key + "' must be a non-empty string", "see values/README.md");
    } else if (key == "argoOnlyEnvs") {
      bool ok = v.is_array() && std::all_of(v.begin(), v.end(), [](const ath::json& e) { return e.is_string(); });
      if (ok) cfg.argo_only_envs = v.get<std::vector<std::string>>();
      else report("/" + key, "'argoOnlyEnvs' must be a list of environment names", "e.g. [staging, prod]");
    } else {
      report("/" + key, "unknown field '" + key + "' in workspace.yaml",
             "use repoRoot, applicationSets, sharedValues, envValues or argoOnlyEnvs");
    }
  }
  return cfg;
}

std::string expand_convention(const std::string& pattern, const std::string& env, const std::string& component) {
  std::string out = pattern;
  for (auto [key, value] : {std::pair<std::string, std::string>{"{env}", env}, {"{component}", component}}) {
    for (size_t p = out.find(key); p != std::string::npos; p = out.find(key, p + value.size()))
      out.replace(p, key.size(), value);
  }
  return out;
}

std::optional<fs::path> find_default_root(const fs::path& cwd, const fs::path& exe) {
  std::error_code ec;
  for (fs::path start : {cwd, exe.parent_path()}) {
    if (start.empty()) continue;
    for (fs::path d = fs::weakly_canonical(start, ec); !d.empty(); d = d.parent_path()) {
      if (fs::is_regular_file(d / "values" / kWorkspaceFile, ec)) return d / "values";
      if (d == d.parent_path()) break;
    }
  }
  return std::nullopt;
}

Workspace open_workspace(const fs::path& root, const std::string& env, const LoadLimits& limits,
                         std::vector<Finding>& findings) {
  std::error_code ec;
  Workspace ws;
  ws.env = env;
  ws.limits = limits;
  if (!fs::is_directory(root, ec)) throw WorkspaceError("workspace root '" + root.string() + "' is not a directory (see --root)");
  ws.root = fs::weakly_canonical(fs::absolute(root), ec);
  // workspace.yaml decides where the repository root is, so it is read relative to the root.
  LoadedFile cfg_file = load_file(ws.root, kWorkspaceFile, limits);
  size_t first_config_finding = findings.size();
  WorkspaceConfig cfg = parse_workspace_config(cfg_file, findings);
  ws.repo_root = fs::weakly_canonical(ws.root / cfg.repo_root, ec);
  auto rel = ws.root.lexically_relative(ws.repo_root).generic_string();
  if (rel.empty() || rel.rfind("..", 0) == 0)
    throw WorkspaceError("repoRoot '" + cfg.repo_root + "' in " + (ws.root / kWorkspaceFile).string() +
                         " does not contain the workspace root");
  ws.root_rel = rel == "." ? "" : rel;
  ws.config = cfg;
  auto in_repo = [&](const std::string& p) { return ws.root_rel.empty() ? p : ws.root_rel + "/" + p; };
  // Findings name files relative to the repository root, known only now.
  cfg_file.path = in_repo(kWorkspaceFile);
  if (cfg_file.error) findings.push_back(*cfg_file.error);
  for (size_t i = first_config_finding; i < findings.size(); ++i) findings[i].file = cfg_file.path;
  cfg_file.keep = true;
  ws.files.emplace(cfg_file.path, cfg_file);
  auto pattern = normalize_relative(in_repo(expand_convention(cfg.application_sets, env, "")));
  if (!pattern) throw WorkspaceError("applicationSets '" + cfg.application_sets + "' leaves the repository");
  for (const auto& file : expand_glob(ws.repo_root, *pattern)) ws.application_set_files.push_back(file);
  if (ws.application_set_files.empty())
    throw WorkspaceError("no ApplicationSet file for env '" + env + "': nothing matches " + (ws.repo_root / *pattern).string() +
                         " (workspace.yaml applicationSets: " + cfg.application_sets + ")");
  for (const auto& file : ws.application_set_files) {
    ensure_loaded(ws.files, ws.repo_root, file, limits);
    ws.files.at(file).keep = true;  // the analysis points into it
  }
  return ws;
}

std::vector<std::string> expand_glob(const fs::path& repo_root, const std::string& pattern, bool dotfiles) {
  std::vector<std::string> segments;
  for (size_t start = 0; start <= pattern.size();) {
    size_t end = pattern.find('/', start);
    if (end == std::string::npos) end = pattern.size();
    if (end > start) segments.push_back(pattern.substr(start, end - start));
    start = end + 1;
  }
  std::set<std::string> found;
  std::error_code ec;
  std::function<void(const fs::path&, const std::string&, size_t)> walk = [&](const fs::path& dir, const std::string& rel,
                                                                              size_t i) {
    auto join = [&](const std::string& name) { return rel.empty() ? name : rel + "/" + name; };
    if (i == segments.size()) {
      if (fs::is_regular_file(dir, ec)) found.insert(rel);
      return;
    }
    const std::string& seg = segments[i];
    if (seg == "**") {
      walk(dir, rel, i + 1);  // zero segments
      if (!fs::is_directory(dir, ec)) return;
      for (const auto& e : fs::directory_iterator(dir, ec))
        if (e.is_directory(ec) && !e.is_symlink(ec)) walk(e.path(), join(e.path().filename().string()), i);
      return;
    }
    if (seg.find_first_of("*?[") == std::string::npos) {
      walk(dir / seg, join(seg), i + 1);
      return;
    }
    if (!fs::is_directory(dir, ec)) return;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
      std::string name = e.path().filename().string();
      if (fnmatch(seg.c_str(), name.c_str(), dotfiles ? 0 : FNM_PERIOD) == 0) walk(e.path(), join(name), i + 1);
    }
  };
  walk(repo_root, "", 0);
  return {found.begin(), found.end()};
}

std::vector<std::string> git_pathspec_files(const fs::path& repo_root, const std::string& pattern) {
  std::vector<std::string> found;
  size_t wild = pattern.find_first_of("*?[");
  std::string literal = pattern.substr(0, wild);
  std::string base = wild == std::string::npos ? pattern : literal.substr(0, literal.rfind('/') == std::string::npos ? 0 : literal.rfind('/'));
  std::error_code ec;
  fs::path start = base.empty() ? repo_root : repo_root / base;
  auto consider = [&](const std::string& rel) {
    bool match = wild == std::string::npos ? (rel == pattern || rel.rfind(pattern + "/", 0) == 0)
                                           : fnmatch(pattern.c_str(), rel.c_str(), 0) == 0;
    if (match) found.push_back(rel);
  };
  if (fs::is_regular_file(start, ec)) {
    consider(base);
  } else if (fs::is_directory(start, ec)) {
    for (auto it = fs::recursive_directory_iterator(start, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_directory(ec) && it->path().filename() == ".git") {
        it.disable_recursion_pending();
        continue;
      }
      if (it->is_regular_file(ec)) consider(it->path().lexically_relative(repo_root).generic_string());
    }
  }
  std::sort(found.begin(), found.end());
  return found;
}

}  // namespace ath::values_parity
