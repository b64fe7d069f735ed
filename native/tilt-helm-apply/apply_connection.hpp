#pragma once
// How an apply reaches the cluster: through its Tilt session's kubectl proxy (one for the whole
// session, core/session_proxy.hpp), else through a proxy of its own, as every other helper.
#include <optional>
#include <string>

#include "core/kube_client.hpp"
#include "core/session_proxy.hpp"
#include "preflight.hpp"

namespace ath::helm_apply {

// Set to "false" to give every apply its own kubectl proxy.
inline constexpr const char* kSessionProxyEnv = "AMEIDE_TILT_SESSION_PROXY";

// The session proxy's settings: records in <state dir>/session-proxies, the session from
// session_id(), this program as the keeper. nullopt when turned off or without a state dir.
std::optional<SessionProxySettings> session_proxy_settings(const std::optional<std::string>& state_dir,
                                                           const Getenv& getenv);

// The session's proxy when `session` is set and it works; any failure there is logged at debug
// level and the apply gets a per-run proxy (KubeClient::connect, whose errors are the user's).
KubeClient connect_for_apply(const KubeAccess& access, const std::optional<SessionProxySettings>& session);

}  // namespace ath::helm_apply
