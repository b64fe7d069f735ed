// tilt-argocd-sync: pause / resume / serve guard for Argo CD auto-sync. Each command is in a
// file of its own (commands.hpp).
#include <vector>

#include "commands.hpp"

using namespace ath::argocd_sync;

int main(int argc, char** argv) {
  CLI::App app{"Pause Argo CD auto-sync on the apps Tilt works on, and always hand control back."};
  GlobalOptions g;
  ath::setup_app(app, "tilt-argocd-sync");
  add_global_options(app, g);
  app.require_subcommand(1);
  const std::vector<Command> commands = {add_pause_command(app, g), add_resume_command(app, g),
                                         add_sync_command(app, g),  add_serve_command(app, g),
                                         add_status_command(app, g), add_watch_command(app, g)};
  return ath::run_main(app, g.common, argc, argv, [&]() -> int {
    Context ctx = checked_context(g);
    for (const auto& c : commands)
      if (c.cli->parsed()) return c.run(ctx);
    throw ath::UsageError("no command given");  // not reached: CLI11 requires one
  });
}
