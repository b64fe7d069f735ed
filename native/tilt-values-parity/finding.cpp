#include "finding.hpp"

#include <algorithm>
#include <tuple>

namespace ath::values_parity {

const std::vector<RuleInfo>& rule_catalog() {
  static const std::vector<RuleInfo> rules = {
      {"malformed-yaml", "A file is not readable YAML (syntax error, binary data, too large, too deep or alias bomb)."},
      {"invalid-workspace", "workspace.yaml or an ApplicationSet has a field or value the checker cannot use."},
      {"unknown-field", "A component.yaml field that neither Argo CD's template nor the Tiltfile reads."},
      {"invalid-component", "A component.yaml misses a required field or holds a value of the wrong kind."},
      {"duplicate-component", "Two component.yaml files declare the same component name."},
      {"template-error", "The ApplicationSet template cannot be resolved for a component (or Argo CD would fail on it)."},
      {"yaml-type-change", "A component.yaml value that Argo CD reads as YAML 1.1 (on/off/yes/no, 010, 1.0) changes type or text."},
      {"auto-sync-on", "The ApplicationSet template or templatePatch turns auto-sync on for the apps tier."},
      {"missing-values-file", "A shared or environment values file that Argo CD or Tilt passes to helm does not exist."},
      {"missing-dev-overlay", "A component has no overlay values file for the environment Tilt runs in."},
      {"value-files-mismatch", "Argo CD and Tilt pass different value files, or the same files in another order."},
      {"tilt-override", "Tilt would override a Helm value other than the image repository and tag."},
      {"image-underscore", "An image name or repository contains '_' (registries and containerd expect hyphens)."},
      {"dev-registry", "Staging or prod values point at a dev registry (k3d-*.localhost, registry.localhost, localhost)."},
      {"pull-secrets-disabled", "Staging or prod values do not set image pull secrets (or set an empty list)."},
      {"missing-explicit-image", "Staging or prod values do not set the image repository or tag explicitly."},
      {"isolated-names", "check --isolated: Tilt's isolated release would render object names Argo CD's release renders (or cannot be rendered or named)."},
  };
  return rules;
}

void sort_findings(std::vector<Finding>& findings) {
  std::stable_sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
    return std::tie(a.file, a.line, a.column, a.rule, a.message) < std::tie(b.file, b.line, b.column, b.rule, b.message);
  });
}

}  // namespace ath::values_parity
