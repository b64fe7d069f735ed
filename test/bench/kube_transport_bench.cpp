// Measures the ways a helper can send many API requests with kubectl's credentials:
//   kubectl-seq    one `kubectl get --raw` process per request, one after another (the seed's way)
//   kubectl-pool   the same processes, N at a time
//   proxy-seq      one `kubectl proxy`, HTTP keep-alive requests one after another
//   proxy-pool     one `kubectl proxy`, N requests in flight (what native/core does)
// usage: kube_transport_bench KUBECONFIG REQUESTS CONCURRENCY
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "core/kube_client.hpp"
#include "core/parallel.hpp"
#include "core/process.hpp"

using namespace ath;
using Clock = std::chrono::steady_clock;

static double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s KUBECONFIG REQUESTS CONCURRENCY\n", argv[0]);
    return 2;
  }
  const std::string kubeconfig = argv[1];
  const size_t n = std::stoul(argv[2]);
  const size_t conc = std::stoul(argv[3]);
  const std::string target = "/api/v1/namespaces/default/configmaps?limit=500";
  size_t failures = 0;

  auto kubectl_get = [&](size_t) {
    auto r = run_process({.argv = {"kubectl", "--kubeconfig=" + kubeconfig, "get", "--raw", target}});
    if (!r.ok()) ++failures;
  };
  auto t = Clock::now();
  for (size_t i = 0; i < n; ++i) kubectl_get(i);
  const double kubectl_seq = seconds_since(t);

  t = Clock::now();
  parallel_for(n, conc, kubectl_get);
  const double kubectl_pool = seconds_since(t);

  t = Clock::now();
  auto kube = KubeClient::connect({.kubeconfig = kubeconfig});
  const double proxy_start = seconds_since(t);
  auto proxy_get = [&](size_t) {
    if (!kube.get_path(target).ok()) ++failures;
  };
  t = Clock::now();
  for (size_t i = 0; i < n; ++i) proxy_get(i);
  const double proxy_seq = seconds_since(t);
  t = Clock::now();
  parallel_for(n, conc, proxy_get);
  const double proxy_pool = seconds_since(t);

  std::printf("requests=%zu concurrency=%zu failures=%zu\n", n, conc, failures);
  std::printf("kubectl-seq   %7.3f s\n", kubectl_seq);
  std::printf("kubectl-pool  %7.3f s\n", kubectl_pool);
  std::printf("proxy-start   %7.3f s (once per helper run)\n", proxy_start);
  std::printf("proxy-seq     %7.3f s\n", proxy_seq);
  std::printf("proxy-pool    %7.3f s\n", proxy_pool);
  std::printf("ratio kubectl-seq / (proxy-start + proxy-pool) = %.1fx\n", kubectl_seq / (proxy_start + proxy_pool));
  std::printf("ratio kubectl-pool / (proxy-start + proxy-pool) = %.1fx\n", kubectl_pool / (proxy_start + proxy_pool));
  return failures ? 1 : 0;
}
