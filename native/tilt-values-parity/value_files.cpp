#include "value_files.hpp"

#include <algorithm>
#include <map>
#include <cctype>
#include <set>

#include "files.hpp"

namespace ath::values_parity {

namespace {

bool is_glob(const std::string& p) { return p.find_first_of("*?[") != std::string::npos; }

// url.Parse(...).Scheme != "" (util/io/path/resolved.go:116-125): a scheme is a letter then
// letters, digits, '+', '-' or '.', then ':'.
bool has_url_scheme(const std::string& s) {
  if (s.empty() || !std::isalpha(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s) {
    if (c == ':') return true;
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '.' && c != '-') return false;
  }
  return false;
}

struct Resolved {
  std::string path;     // repository-relative
  std::string problem;  // set when Argo CD fails (or this tool cannot know)
};

}  // namespace

void resolve_value_files(ArgoApp& app, const RepoView& repo) {
  // newEnv (repository.go:1773-1786); the revision is the commit the repo-server checks out.
  std::map<std::string, std::string> env = {{"ARGOCD_APP_NAME", app.name},
                                            {"ARGOCD_APP_NAMESPACE", app.namespace_},
                                            {"ARGOCD_APP_PROJECT_NAME", app.project},
                                            {"ARGOCD_APP_SOURCE_REPO_URL", app.repo_url},
                                            {"ARGOCD_APP_SOURCE_PATH", app.source_path},
                                            {"ARGOCD_APP_SOURCE_TARGET_REVISION", app.target_revision}};
  std::string unknowable;
  auto expand = [&](const std::string& s) {
    return go_os_expand(s, [&](const std::string& name) {
      if (name.rfind("ARGOCD_APP_REVISION", 0) == 0 &&
          (name == "ARGOCD_APP_REVISION" || name == "ARGOCD_APP_REVISION_SHORT" || name == "ARGOCD_APP_REVISION_SHORT_8"))
        unknowable = name;
      auto it = env.find(name);
      return it == env.end() ? std::string() : it->second;
    });
  };
  // resolveFileOrDirectory (util/io/path/resolved.go:135-188): lexical here; symlinks are not
  // followed (a symlinked value file is not modelled).
  auto resolve = [&](const std::string& raw) -> Resolved {
    unknowable.clear();
    std::string first = raw.substr(0, raw.find('/'));
    std::string file;
    bool from_root = false;
    if (raw[0] == '$' && std::find(app.refs.begin(), app.refs.end(), first.substr(1)) != app.refs.end()) {
      file = raw.find('/') == std::string::npos ? "" : expand(raw.substr(raw.find('/')));
      from_root = true;
    } else {
      file = expand(raw);
      if (has_url_scheme(file)) return {"", "'" + raw + "' is a remote URL; Tilt cannot pass the same file to helm"};
    }
    if (!unknowable.empty())
      return {"", "'" + raw + "' uses $" + unknowable + ", the commit Argo CD checks out, which tilt-values-parity cannot know"};
    std::string joined = (!file.empty() && file[0] == '/') || from_root ? file : app.chart + "/" + file;
    while (!joined.empty() && joined[0] == '/') joined.erase(0, 1);
    if (joined.empty()) return {"", "'" + raw + "' resolves to the repository root"};
    auto rel = normalize_relative(joined);
    if (!rel) return {"", "'" + raw + "' resolves outside the repository"};
    if (rel->empty()) return {"", "'" + raw + "' resolves to the repository root"};
    return {*rel, ""};
  };
  std::set<std::string> explicit_paths;
  for (const auto& raw : app.raw_value_files) {
    if (raw.empty()) continue;
    auto r = resolve(raw);
    if (r.problem.empty() && !is_glob(r.path)) explicit_paths.insert(r.path);
  }
  std::set<std::string> seen;
  auto add = [&](const std::string& p, const std::string& pointer) {
    if (seen.insert(p).second) {
      app.value_files.push_back(p);
      app.value_file_pointers.push_back(pointer);
    }
  };
  for (size_t i = 0; i < app.raw_value_files.size(); ++i) {
    const std::string& raw = app.raw_value_files[i];
    const std::string& ptr = app.raw_value_file_pointers[i];
    if (raw.empty()) {
      app.problems.push_back({ptr, "an empty value file entry resolves to the chart folder, which helm cannot read"});
      continue;
    }
    auto r = resolve(raw);
    if (!r.problem.empty()) {
      app.problems.push_back({ptr, r.problem});
      continue;
    }
    if (is_glob(r.path)) {
      auto matches = repo.glob ? repo.glob(r.path) : std::vector<std::string>{};
      if (matches.empty()) {
        if (app.ignore_missing_value_files) continue;
        app.problems.push_back({ptr, "values file glob '" + raw + "' matches no file (Argo CD refuses to render)"});
        continue;
      }
      for (const auto& m : matches)
        if (!explicit_paths.count(m)) add(m, ptr);
      continue;
    }
    if (app.ignore_missing_value_files && repo.exists && !repo.exists(r.path)) continue;
    add(r.path, ptr);
  }
}

}  // namespace ath::values_parity
