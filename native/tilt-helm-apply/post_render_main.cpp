// tilt-helm-apply-post-render: the post-renderer helm runs for `tilt-helm-apply apply`
// (render_handoff.hpp). Takes `post-render` as its only argument, as `tilt-helm-apply post-render`.
#include <unistd.h>

#include <cstring>

#include "render_handoff.hpp"

int main(int argc, char** argv) {
  if (argc > 2 || (argc == 2 && std::strcmp(argv[1], "post-render") != 0)) {
    static constexpr char kUsage[] =
        "Usage: tilt-helm-apply-post-render post-render\n"
        "Run by helm as the post-renderer of tilt-helm-apply apply, not by people.\n";
    (void)!::write(STDERR_FILENO, kUsage, sizeof kUsage - 1);
    return 2;
  }
  return ath::helm_apply::run_post_render();
}
