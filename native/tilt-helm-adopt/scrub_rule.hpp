#pragma once
// `--scrub-managed-fields auto`: whether the helm that will run after the adoption needs the
// managedFields reset. The rule and why are in README.md ("The managedFields rule").
#include <optional>
#include <string>

#include "core/helm_version.hpp"

namespace ath::helm_adopt {

struct ScrubDecision {
  bool scrub = false;
  std::string why;  // one sentence for the log
};

// The rule for `auto`: Helm 4 and later (server-side apply by default) get the reset, Helm 3
// (client-side apply, never reads managedFields) does not; an unknown helm gets it, as the
// seed's script always did.
ScrubDecision scrub_rule(const std::optional<HelmVersion>& helm);

// Resolves the flag's value ("auto", "always", "never").
ScrubDecision resolve_scrub(const std::string& mode, const std::string& helm = "helm");

}  // namespace ath::helm_adopt
