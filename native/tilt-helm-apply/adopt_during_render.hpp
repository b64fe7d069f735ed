#pragma once
// The cluster side of an apply, on its own thread while helm runs: reach kubectl proxy (the
// session's, else one of its own: apply_connection.hpp), load
// discovery (from the disk cache when the server's version matches), read ahead what the last
// apply named (and the label scan when scan_plan.hpp asks for it), then adopt exactly what the
// manifest helm hands over (render_handoff.hpp) and the Argo CD Application name, and answer
// helm's post-renderer. Its client and index serve the reads after helm, too.
#include <atomic>
#include <exception>
#include <future>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "adopt_step.hpp"
#include "core/kube_client.hpp"
#include "core/session_proxy.hpp"
#include "render_handoff.hpp"
#include "scan_plan.hpp"

namespace ath::helm_apply {

struct RenderAdoptionSettings {
  AdoptStep step;                    // release, namespace, Application, helm version (manifest unused)
  bool skip_adopt = false;           // AMEIDE_TILT_SKIP_HELM_ADOPT=true: only take the manifest
  bool full_scan = false;
  std::string session;
  std::optional<ApplyRecord> last;   // the last apply's record, when there is one
  std::optional<std::string> server; // discovery cache key (kubeconfig's server URL)
  std::optional<std::string> discovery_dir;
  std::optional<SessionProxySettings> session_proxy;  // the Tilt session's kubectl proxy (apply_connection.hpp)
};

struct RenderAdoptionResult {
  std::vector<json> manifest;               // the documents helm applies (post-renderer input)
  bool handed_over = false;                 // helm ran the post-renderer
  std::optional<AdoptResult> adoption;      // set when adoption ran
  std::set<std::string> manifest_keys;      // for the next apply's record
  std::set<std::string> adopted_keys;
};

class AdoptDuringRender {
 public:
  AdoptDuringRender(const KubeAccess& access, RenderAdoptionSettings settings, HandoffServer& server);
  ~AdoptDuringRender();
  // Helm has exited: stop waiting for its post-renderer, and rethrow what the thread threw.
  RenderAdoptionResult finish();
  KubeClient& client() { return *client_; }
  const ResourceIndex& index() const { return index_; }

 private:
  void run(const KubeAccess& access);
  void connect_and_read_ahead(const KubeAccess& access);
  void serve(HandoffRequest& request);
  void refresh_index();

  RenderAdoptionSettings s_;
  HandoffServer& server_;
  std::optional<KubeClient> client_;
  ResourceIndex index_;
  bool index_from_cache_ = false;
  std::string server_version_;
  std::optional<helm_adopt::Prefetch> ahead_;
  RenderAdoptionResult result_;
  std::exception_ptr error_;
  // kubectl proxy gets SIGTERM when the thread that started it ends (kube_proxy.cpp,
  // PR_SET_PDEATHSIG), so the thread outlives finish() and ends in the destructor.
  std::promise<void> served_;
  std::promise<void> release_;
  std::jthread thread_;
};

}  // namespace ath::helm_apply
