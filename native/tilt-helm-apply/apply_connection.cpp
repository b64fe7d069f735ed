#include "apply_connection.hpp"

#include <spdlog/spdlog.h>

#include "apply_state.hpp"
#include "post_renderer.hpp"
#include "session_keeper.hpp"

namespace ath::helm_apply {

std::optional<SessionProxySettings> session_proxy_settings(const std::optional<std::string>& state_dir,
                                                           const Getenv& getenv) {
  if (getenv(kSessionProxyEnv).value_or("") == "false") {
    spdlog::debug("session proxy: off ({}=false)", kSessionProxyEnv);
    return std::nullopt;
  }
  if (!state_dir) return std::nullopt;
  SessionProxySettings s;
  s.dir = *state_dir + "/session-proxies";
  s.session = session_id();
  s.keeper = {self_executable(), kSessionProxyCommand};
  return s;
}

KubeClient connect_for_apply(const KubeAccess& access, const std::optional<SessionProxySettings>& session) {
  if (session) {
    try {
      return connect_session_proxy(access, *session);
    } catch (const std::exception& e) {
      spdlog::debug("session proxy: not used ({}); starting a kubectl proxy for this run", e.what());
    }
  }
  return KubeClient::connect(access);
}

}  // namespace ath::helm_apply
