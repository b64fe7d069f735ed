#pragma once
// The parity rules: pure functions over parsed components, rendered Applications and loaded
// values files. Each finding names file:line and says how to fix it.
#include <string>
#include <vector>

#include "argo_template.hpp"
#include "component.hpp"
#include "files.hpp"

namespace ath::values_parity {

// An ApplicationSet as the rules see it.
struct AppSetRef {
  std::string file;  // repository-relative
  const ath::YamlDocument* doc = nullptr;
  std::string name;
};

// Argo's and Tilt's value file lists must be equal, in order; Argo must not add inline values.
void check_value_file_parity(const Component& c, const ArgoApp& argo, const std::vector<std::string>& tilt_files,
                             const AppSetRef& appset, std::vector<Finding>& out);

// Every value file either side passes exists. The overlay of the Tilt environment gets its own
// rule (missing-dev-overlay); other missing files are missing-values-file.
void check_value_files_exist(const Component& c, const ArgoApp& argo, const std::vector<std::string>& tilt_files,
                             const std::string& tilt_overlay, const FileSet& files, std::vector<Finding>& out);

// Staging/prod env files of the component exist.
void check_argo_only_files_exist(const Component& c, const std::vector<std::string>& env_files, const FileSet& files,
                                 std::vector<Finding>& out);

// `tilt.set` may only hold the image keys; image keys must name a repository and a tag.
void check_tilt_overrides(const Component& c, std::vector<Finding>& out);

// Image names in component.yaml are hyphenated.
void check_image_names(const Component& c, std::vector<Finding>& out);

// A values file is a mapping, and the image repositories it sets are hyphenated.
void check_values_file(const Component& c, const LoadedFile& values, std::vector<Finding>& out);

// A staging/prod values file sets every image repository and tag itself, away from dev
// registries, and sets non-empty imagePullSecrets.
void check_argo_only_values(const Component& c, const LoadedFile& values, const std::string& env, std::vector<Finding>& out);

// The rendered Application (template + templatePatch) leaves auto-sync off.
void check_auto_sync(const Component& c, const ArgoApp& argo, const AppSetRef& appset, std::vector<Finding>& out);

// Problems resolving the template become template-error findings.
void report_template_problems(const Component& c, const ArgoApp& argo, const AppSetRef& appset, std::vector<Finding>& out);

// Removes components whose name an earlier file already declared (reporting each), and
// reports dependsOn entries that name no component.
std::vector<Component> check_components(std::vector<Component> components, std::vector<Finding>& out);

// True for registries only a dev machine or cluster reaches: localhost, 127.0.0.1 and
// *.localhost hosts (k3d-*.localhost, registry.localhost), with any port.
bool is_dev_registry(const std::string& repository);

}  // namespace ath::values_parity
