#pragma once
// A `kubectl proxy` child process: one local, plain-HTTP door to the cluster that carries
// kubectl's own credentials (kubeconfig, exec plugins, client certificates), so the helpers fan
// out requests without re-implementing authentication. See docs/kube-transport.md.
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "core/deadline.hpp"

namespace ath {

struct KubeAccess {
  std::string context{};   // --context; empty: the kubeconfig's current context
  std::string kubeconfig{};  // --kubeconfig; empty: $KUBECONFIG or ~/.kube/config
  std::string kubectl = "kubectl";
  // How long one request may wait for the API server's answer (--request-timeout), and when the
  // whole run must be done (--timeout); both also bound kubectl proxy's start-up.
  std::chrono::milliseconds request_timeout{kDefaultRequestTimeout};
  Deadline deadline{};

  static constexpr std::chrono::milliseconds kDefaultRequestTimeout{5000};

  // kubectl's own flags for these settings, to append to any kubectl argv.
  std::vector<std::string> kubectl_flags() const;
};

class KubeProxy {
 public:
  // Checks the kubeconfig, starts the proxy and waits until it serves (at most 30 s, and never past
  // the deadline); throws std::runtime_error naming the kubeconfig or with kubectl's reason.
  // The proxy ends with this object, or with the thread that created it if the process dies.
  explicit KubeProxy(const KubeAccess& access);
  ~KubeProxy();
  KubeProxy(const KubeProxy&) = delete;
  KubeProxy& operator=(const KubeProxy&) = delete;

  int port() const { return port_; }

 private:
  struct Child;
  std::unique_ptr<Child> child_;
  int port_ = 0;
};

}  // namespace ath
