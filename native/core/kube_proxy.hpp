#pragma once
// A `kubectl proxy` child process: one local, plain-HTTP door to the cluster that carries
// kubectl's own credentials (kubeconfig, exec plugins, client certificates), so the helpers fan
// out requests without re-implementing authentication. See docs/kube-transport.md.
#include <memory>
#include <vector>
#include <string>

namespace ath {

struct KubeAccess {
  std::string context{};   // --context; empty: the kubeconfig's current context
  std::string kubeconfig{};  // --kubeconfig; empty: $KUBECONFIG or ~/.kube/config
  std::string kubectl = "kubectl";

  // kubectl's own flags for these settings, to append to any kubectl argv.
  std::vector<std::string> kubectl_flags() const;
};

class KubeProxy {
 public:
  // Starts the proxy and waits until it serves; throws std::runtime_error with kubectl's reason.
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
