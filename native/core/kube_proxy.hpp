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

// Where a kubectl proxy serves the API: 127.0.0.1:port, under a random path prefix ("/" and 32
// hex digits, 128 bits). kubectl proxy answers 404 to every path outside its --api-prefix, so
// another local program that finds the port cannot use it without the prefix. Limit: the prefix
// is on kubectl's command line, which other local users can read in /proc/<pid>/cmdline unless
// /proc is mounted with hidepid=2; it stops port scanners and web pages, not them.
struct ProxyEndpoint {
  int port = 0;
  std::string prefix;  // "/<32 hex digits>", no trailing slash; never logged
};

// A fresh prefix from the kernel's CSPRNG (getrandom); throws std::runtime_error when it fails.
std::string random_api_prefix();

class KubeProxy {
 public:
  // Checks the kubeconfig, starts the proxy and waits until it serves (at most 30 s, and never past
  // the deadline); throws std::runtime_error naming the kubeconfig or with kubectl's reason.
  // The proxy ends with this object, or with the thread that created it if the process dies.
  explicit KubeProxy(const KubeAccess& access);
  ~KubeProxy();
  KubeProxy(const KubeProxy&) = delete;
  KubeProxy& operator=(const KubeProxy&) = delete;

  const ProxyEndpoint& endpoint() const { return endpoint_; }
  // Whether kubectl is still serving (a keeper of a session's proxy watches it).
  bool running();

 private:
  struct Child;
  std::unique_ptr<Child> child_;
  ProxyEndpoint endpoint_;
};

}  // namespace ath
