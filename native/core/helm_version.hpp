#pragma once
// The version of a helm binary: both the adoption's managedFields rule and the apply's version
// pin decide on it.
#include <optional>
#include <string>

namespace ath {

// The helm release the team pins (AMEIDE_HELM_VERSION overrides it in tilt-helm-apply).
inline constexpr const char* kDefaultHelmPin = "v3.19.2";

struct HelmVersion {
  int major = 0;
  int minor = 0;
  int patch = 0;
  std::string text() const;  // "v3.19.2"
  auto operator<=>(const HelmVersion&) const = default;
};

// Exactly one version: "v3.17.2", "3.17.2", "v4.1.4+g1234abc", "v3.19.0-rc.1" (pre-release and
// build suffixes are ignored); nullopt when the text is not a version.
std::optional<HelmVersion> parse_helm_version(const std::string& text);

// The first version inside what `helm version` prints, short or long
// (`version.BuildInfo{Version:"v4.1.4", ...}`); nullopt when there is none.
std::optional<HelmVersion> find_helm_version(const std::string& output);

// Runs `helm version --template {{.Version}}` (argv only, 30 s limit); nullopt when helm is
// missing, fails or prints something else.
std::optional<HelmVersion> detect_helm_version(const std::string& helm = "helm");

}  // namespace ath
