#pragma once
// The handoff between `helm upgrade --install --post-renderer ...` and the tilt-helm-apply that
// started it. Helm hands its post-renderer the manifest it is about to apply, before its
// ownership check and before any write (pkg/action/action.go renderResources at v3.17.2 and
// v4.1.4). The post-renderer (`tilt-helm-apply-post-render`, a child of helm) passes the manifest
// over a Unix socket in a private folder to the waiting apply, which adopts what it names and
// answers; the post-renderer then gives helm the manifest back unchanged, or fails, and helm
// stops before writing anything. So the chart is rendered once, and the apply's cluster work
// (kubectl proxy, discovery, reads) overlaps helm's own start.
#include <memory>
#include <optional>
#include <string>

namespace ath::helm_apply {

// The environment variable that tells the post-renderer where the socket is.
inline constexpr const char* kHandoffSocketEnv = "AMEIDE_HELM_APPLY_HANDOFF";

// One post-renderer waiting for a verdict.
class HandoffRequest {
 public:
  struct Impl;
  explicit HandoffRequest(std::unique_ptr<Impl> impl);
  ~HandoffRequest();
  HandoffRequest(HandoffRequest&&) noexcept;
  const std::string& manifest() const;
  // ok: helm gets the manifest back and goes on; otherwise the post-renderer fails with `message`.
  void answer(bool ok, const std::string& message);

 private:
  std::unique_ptr<Impl> impl_;
};

class HandoffServer {
 public:
  // Listens on `socket_path` (its folder must be private to the user).
  explicit HandoffServer(const std::string& socket_path);
  ~HandoffServer();
  // The next post-renderer's manifest; blocks until one connects, or returns nullopt once
  // stop() was called (helm has exited) and none was accepted.
  std::optional<HandoffRequest> next();
  // From any thread: no post-renderer will come (helm has exited); wakes next(). Waiting in
  // next() costs no CPU (no polling: each wakeup is a context switch on a loaded machine).
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The post-renderer (`tilt-helm-apply-post-render`, or `tilt-helm-apply post-render`): stdin to
// the socket named by AMEIDE_HELM_APPLY_HANDOFF, then the manifest to stdout (exit 0) or the refusal
// to stderr (exit 1). libc only (post_render_client.cpp).
int run_post_render();

}  // namespace ath::helm_apply
