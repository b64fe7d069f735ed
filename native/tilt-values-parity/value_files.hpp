#pragma once
// Value-file resolution as Argo CD's repo-server does it (getResolvedValueFiles,
// reposerver/repository/repository.go:1381-1490, v3.4.7): `$ref/...` from the ref source's
// checkout (assumed to be this repository), a leading `/` from the repository root, anything
// else from the chart folder; the app's environment ($ARGOCD_APP_NAME, ...) substituted with
// os.Expand; globs (3.4+) expanded in lexical order with explicit entries keeping their own
// place; duplicates dropped; missing files dropped only with ignoreMissingValueFiles.
#include <functional>
#include <string>
#include <vector>

#include "argo_template.hpp"

namespace ath::values_parity {

// The repository, as far as resolution needs it (paths are repository-relative).
struct RepoView {
  std::function<bool(const std::string&)> exists;
  // doublestar-style glob: `*`, `?`, `[...]` within a segment (dot files included), `**` for
  // any number of segments; sorted.
  std::function<std::vector<std::string>(const std::string&)> glob;
};

// Fills app.value_files / value_file_pointers from app.raw_value_files, or adds problems for
// what Argo CD rejects or tilt-values-parity cannot know (the revision variables, remote URLs).
void resolve_value_files(ArgoApp& app, const RepoView& repo);

}  // namespace ath::values_parity
