#include "helm_pin.hpp"

namespace ath::helm_apply {

std::optional<ServerSide> parse_server_side(const std::string& text) {
  if (text.empty() || text == "false") return ServerSide::False;
  if (text == "true") return ServerSide::True;
  if (text == "auto") return ServerSide::Auto;
  return std::nullopt;
}

const char* to_string(ServerSide s) {
  switch (s) {
    case ServerSide::False: return "false";
    case ServerSide::True: return "true";
    case ServerSide::Auto: return "auto";
  }
  return "false";
}

namespace {

HelmDecision refuse(std::string message) {
  HelmDecision d;
  d.refused = true;
  d.message = std::move(message);
  return d;
}

}  // namespace

HelmDecision decide_helm(const HelmVersion& found, const HelmVersion& pin, ServerSide server_side) {
  const std::string v = found.text(), p = pin.text();
  const std::string install_pin = "install the pinned helm " + p + " (scripts/install-helm.sh) or point AMEIDE_HELM_BIN at it";
  if (found.major < 3)
    return refuse("helm " + v + " is not supported (Helm 2 has no release adoption): " + install_pin);
  if (found.major > 4)
    return refuse("helm " + v + " is newer than the Helm 3 and Helm 4 this tool knows: " + install_pin);

  HelmDecision d;
  if (found.major == 3) {
    if (server_side != ServerSide::False)
      return refuse(std::string("AMEIDE_HELM_SERVER_SIDE=") + to_string(server_side) + " needs Helm 4, but helm " + v +
                    " has no server-side apply: unset AMEIDE_HELM_SERVER_SIDE, or use helm v4.1.0 or later");
    if (found != pin)
      d.warnings.push_back("helm " + v + " is not the pinned " + p + " (AMEIDE_HELM_VERSION); continuing, but " +
                           install_pin + " to deploy exactly as the team does");
    return d;
  }

  // Helm 4.
  if (found == HelmVersion{4, 0, 0})
    return refuse("helm v4.0.0 cannot adopt Argo CD's objects (server-side apply fails with "
                  "'metadata.managedFields must be nil', helm/helm#31515): install helm v4.1.0 or later, or " +
                  install_pin);
  if (found.minor == 0 && found.patch < 5 && server_side != ServerSide::True)
    return refuse("helm " + v + " ignores --server-side=false on `upgrade --install` of a new release, so the first "
                  "apply would fight argocd-controller with server-side apply (fixed in v4.0.5 and v4.1.0): install "
                  "helm v4.1.0 or later, or " + install_pin + " (or set AMEIDE_HELM_SERVER_SIDE=true on purpose)");
  d.upgrade_flags.push_back(std::string("--server-side=") + to_string(server_side));
  // Argo CD's controller manages the fields Tilt swaps; server-side apply must take them.
  if (server_side != ServerSide::False) d.upgrade_flags.push_back("--force-conflicts");
  if (found != pin)
    d.warnings.push_back("helm " + v + " is not the pinned " + p + " (AMEIDE_HELM_VERSION); running with " +
                         (server_side == ServerSide::False ? std::string("client-side apply (--server-side=false)")
                                                           : std::string("--server-side=") + to_string(server_side)));
  return d;
}

}  // namespace ath::helm_apply
