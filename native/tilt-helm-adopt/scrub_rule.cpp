#include "tilt-helm-adopt/scrub_rule.hpp"

namespace ath::helm_adopt {

ScrubDecision scrub_rule(const std::optional<HelmVersion>& helm) {
  if (!helm)
    return {true, "helm's version is unknown: resetting managedFields on adopted objects, which every helm accepts"};
  if (helm->major >= 4)
    return {true, "helm " + helm->text() +
                      " applies server-side by default: resetting managedFields so the first apply does not "
                      "meet other managers' field ownership"};
  return {false, "helm " + helm->text() + " applies client-side and never reads managedFields: leaving them alone"};
}

ScrubDecision resolve_scrub(const std::string& mode, const std::string& helm) {
  if (mode == "always") return {true, "--scrub-managed-fields always"};
  if (mode == "never") return {false, "--scrub-managed-fields never"};
  return scrub_rule(detect_helm_version(helm));
}

}  // namespace ath::helm_adopt
