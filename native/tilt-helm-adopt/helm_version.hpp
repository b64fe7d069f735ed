#pragma once
// `--scrub-managed-fields auto`: whether the helm that will run after the adoption needs the
// managedFields reset. The rule and why are in README.md ("The managedFields rule").
#include <optional>
#include <string>

namespace ath::adopt {

struct HelmVersion {
  int major = 0;
  int minor = 0;
  int patch = 0;
  std::string text;  // "v3.17.2"
};

// Parses `helm version --short` ("v3.17.2+gcc0bbbd") or the long BuildInfo form.
std::optional<HelmVersion> parse_helm_version(const std::string& output);

struct ScrubDecision {
  bool scrub = false;
  std::string why;  // one sentence for the log
};

// The rule for `auto`: Helm 4 and later (server-side apply by default) get the reset, Helm 3
// (client-side apply, never reads managedFields) does not; an unknown helm gets it, as the
// seed's script always did.
ScrubDecision scrub_rule(const std::optional<HelmVersion>& helm);

// Runs `helm version --short` (argv only, 10 s limit); nullopt when helm is missing or silent.
std::optional<HelmVersion> detect_helm_version(const std::string& helm = "helm");

// Resolves the flag's value ("auto", "always", "never").
ScrubDecision resolve_scrub(const std::string& mode, const std::string& helm = "helm");

}  // namespace ath::adopt
