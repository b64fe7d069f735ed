#include "sync_guard.hpp"

#include <pwd.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

namespace ath::argocd_sync {

bool pid_alive(int pid) { return pid > 0 && (::kill(pid, 0) == 0 || errno == EPERM); }

std::string Identity::holder_id() const {
  return user + "@" + host + "/" + (pid > 0 ? std::to_string(pid) : std::string("pause"));
}

Identity Identity::current(int pid, int ttl_seconds) {
  Identity me;
  if (const char* u = std::getenv("USER"); u && *u) {
    me.user = u;
  } else if (const passwd* pw = ::getpwuid(::getuid())) {
    me.user = pw->pw_name;
  } else {
    me.user = "uid" + std::to_string(::getuid());
  }
  char host[256] = {0};
  ::gethostname(host, sizeof host - 1);
  me.host = host[0] ? host : "localhost";
  me.pid = pid;
  me.ttl_seconds = ttl_seconds;
  return me;
}

Liveness SyncGuard::liveness() const { return {Clock::now(), cfg_.me.host, pid_alive}; }

}  // namespace ath::argocd_sync
