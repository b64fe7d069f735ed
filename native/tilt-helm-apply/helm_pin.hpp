#pragma once
// Which helm binaries may deploy over Argo CD's objects, and with which apply flags. Pure: takes
// the version helm reports, the team's pin and AMEIDE_HELM_SERVER_SIDE; returns the decision.
#include <optional>
#include <string>
#include <vector>

#include "core/helm_version.hpp"

namespace ath::helm_apply {

using ath::HelmVersion;
using ath::parse_helm_version;

using ath::kDefaultHelmPin;

// AMEIDE_HELM_SERVER_SIDE: unset/empty/"false" -> client-side apply (the default).
enum class ServerSide { False, True, Auto };
std::optional<ServerSide> parse_server_side(const std::string& text);
const char* to_string(ServerSide s);

struct HelmDecision {
  bool refused = false;
  std::string message;                    // refused: what is wrong and how to fix it
  std::vector<std::string> warnings;      // allowed, but worth saying
  std::vector<std::string> upgrade_flags;  // added to `helm upgrade --install`
};

// The rules (seed: "Helm version pin"):
// - the pin (default v3.19.2) runs as is;
// - another Helm 3 warns; Helm 3 cannot do server-side apply, so asking for it is refused;
// - Helm 4 runs with --server-side=false unless server_side says true|auto (then also
//   --force-conflicts, since Argo CD's controller manages the image fields);
// - v4.0.0 is refused (adoption fails: "metadata.managedFields must be nil", helm/helm#31515);
// - v4.0.1..v4.0.4 are refused for client-side apply (`upgrade --install` ignores
//   --server-side=false on install; fixed in v4.0.5 and v4.1.0);
// - Helm 2 and Helm 5+ are refused.
HelmDecision decide_helm(const HelmVersion& found, const HelmVersion& pin, ServerSide server_side);

}  // namespace ath::helm_apply
