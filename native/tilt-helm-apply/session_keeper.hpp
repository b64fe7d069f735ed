#pragma once
// `tilt-helm-apply __session-proxy` (hidden): the keeper of a Tilt session's kubectl proxy
// (core/session_proxy.hpp). Started by an apply; its first process forks the keeper, which
// leaves the apply's session (setsid), starts `kubectl proxy` (killed with the keeper,
// PR_SET_PDEATHSIG), writes the record and only then lets the first process exit 0 (or 2 with
// kubectl's reason), so the apply waits for exactly that. stdin is /dev/null, stdout and stderr
// go to the record's .log file.
#include <string>

#include "core/kube_proxy.hpp"

namespace ath::helm_apply {

inline constexpr const char* kSessionProxyCommand = "__session-proxy";

struct KeeperOptions {
  std::string dir;      // the records' folder
  std::string key;      // session_proxy_key() of the apply that starts it
  std::string session;  // "pid:start" of the session's process
  int idle_seconds = 15 * 60;
};

int run_session_keeper(const KeeperOptions& o, const KubeAccess& access);

}  // namespace ath::helm_apply
