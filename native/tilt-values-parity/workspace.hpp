#pragma once
// The workspace on disk: its path conventions (workspace.yaml), where it is, the
// ApplicationSet file(s) of one environment and the component files their git generators
// match. This is the I/O side; everything it reads lands in a FileSet for the pure checks.
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "files.hpp"

namespace ath::values_parity {

// Bad --root, no ApplicationSet file, ...: the check cannot run at all (exit 2).
class WorkspaceError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct WorkspaceConfig {
  std::string repo_root = "..";                             // relative to the workspace root
  std::string application_sets = "argocd/apps-{env}.yaml";  // relative to the workspace root
  std::string shared_values = "_shared/apps/apps-{component}.yaml";
  std::string env_values = "{env}/apps/apps-{component}.yaml";
  std::vector<std::string> argo_only_envs = {"staging", "prod"};
};

inline const char* kWorkspaceFile = "workspace.yaml";

// Reads workspace.yaml's document (null: all defaults); problems become findings.
WorkspaceConfig parse_workspace_config(const LoadedFile& file, std::vector<Finding>& findings);

// Replaces {env} and {component} in a path convention.
std::string expand_convention(const std::string& pattern, const std::string& env, const std::string& component);

struct Workspace {
  std::filesystem::path root;       // the workspace folder (absolute)
  std::filesystem::path repo_root;  // where Argo CD's repository-relative paths start (absolute)
  std::string root_rel;             // root, relative to repo_root ("values")
  std::string env;
  WorkspaceConfig config;
  LoadLimits limits;
  FileSet files;
  std::vector<std::string> application_set_files;  // repository-relative
};

// The default --root: the nearest `values/` holding workspace.yaml above the working
// directory, else the one above the executable (build/bin/ -> ../../values).
std::optional<std::filesystem::path> find_default_root(const std::filesystem::path& cwd, const std::filesystem::path& exe);

// Reads workspace.yaml and the ApplicationSet file(s) for `env`.
Workspace open_workspace(const std::filesystem::path& root, const std::string& env, const LoadLimits& limits,
                         std::vector<Finding>& findings);

// Repository-relative files matching a glob (`*`, `?`, `[...]` within one path segment, `**`
// for any number of segments), sorted. Dot files match `*` only with `dotfiles` (doublestar,
// which Argo CD 3.4 uses for value-file globs, matches them).
std::vector<std::string> expand_glob(const std::filesystem::path& repo_root, const std::string& pattern,
                                     bool dotfiles = false);

// Repository-relative files a git files generator path selects, as the repo-server's default
// `git ls-files -- PATTERN` does (util/git/client.go LsFiles, v3.4.7): git pathspec rules, so
// `*` also matches '/' and dot files, and a plain path selects a file or everything below a
// folder; sorted. Unlike git, files not yet committed are seen too.
std::vector<std::string> git_pathspec_files(const std::filesystem::path& repo_root, const std::string& pattern);

}  // namespace ath::values_parity
