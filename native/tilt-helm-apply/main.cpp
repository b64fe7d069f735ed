// tilt-helm-apply: the apply/delete command behind the helm_app Tilt extension.
#include "core/cli.hpp"
#include "core/names.hpp"
#include "isolated_io.hpp"
#include "isolated_release.hpp"
#include "release_commands.hpp"
#include "render_handoff.hpp"
#include "session_keeper.hpp"

using namespace ath;
using namespace ath::helm_apply;

int main(int argc, char** argv) {
  CLI::App app{"Deploy an apps-* release with Argo CD's value files, swapping only the image (apply),\n"
               "or hand it back to Argo CD (delete). Run by Tilt's k8s_custom_deploy.\n"
               "Environment: TILT_IMAGE_<i> (the built images), AMEIDE_HELM_BIN, AMEIDE_HELM_VERSION (pin,\n"
               "default v3.19.2), AMEIDE_HELM_SERVER_SIDE (true|auto; default client-side apply),\n"
               "AMEIDE_TILT_SKIP_HELM_ADOPT=true (skip adoption), AMEIDE_TILT_SESSION_PROXY=false (a kubectl\n"
               "proxy per apply instead of one per Tilt session), AMEIDE_KUBECTL."};
  CommonOptions common;
  setup_app(app, "tilt-helm-apply");
  ApplyOptions ao;
  DeleteOptions dopt;
  add_kube_options(app, common);
  add_log_options(app, common);
  app.require_subcommand(1);
  auto* apply = app.add_subcommand("apply", "adopt, then helm upgrade --install; print the applied objects as YAML");
  auto* del = app.add_subcommand("delete", "hand the release back to Argo CD (default) or uninstall it");
  // Run by helm, not by people: the post-renderer half of `apply` (render_handoff.hpp).
  auto* post_render = app.add_subcommand("post-render", "")->group("");
  // Started by `apply`, not by people: the keeper of the Tilt session's kubectl proxy (session_keeper.hpp).
  KeeperOptions keeper_options;
  auto* keeper = app.add_subcommand(kSessionProxyCommand, "")->group("");
  keeper->add_option("--dir", keeper_options.dir)->required();
  keeper->add_option("--key", keeper_options.key)->required();
  keeper->add_option("--session", keeper_options.session)->required();
  keeper->add_option("--idle-seconds", keeper_options.idle_seconds);
  apply->add_option("--release", ao.release, "Helm release name")->required();
  apply->add_option("-n,--namespace", ao.namespace_, "release namespace")->required();
  del->add_option("--release", dopt.release, "Helm release name")->required();
  del->add_option("-n,--namespace", dopt.namespace_, "release namespace")->required();
  add_dry_run_option(*apply, common);
  add_dry_run_option(*del, common);
  apply->add_option("--chart", ao.chart, "chart folder, .tgz or oci:// reference")->required();
  apply->add_option("-f,--values", ao.value_files, "value files, in Argo CD's order");
  apply->add_option("--image-key", ao.image_keys,
                    "REPO_KEY,TAG_KEY for TILT_IMAGE_<i>, once per image in image_deps order "
                    "(default: image.repository,image.tag)");
  apply->add_option("--argocd-app", ao.argocd_app, "Argo CD Application whose status.resources are adopted too");
  apply->add_option("--argocd-namespace", ao.argocd_namespace, "namespace of that Application")->capture_default_str();
  apply->add_flag("--full-scan", ao.full_scan,
                  "scan every type for the release's label even on a re-apply (otherwise only on the first apply of "
                  "a session and when the manifest's object set changed)");
  del->add_option("--on-down", dopt.on_down, "handback (leave every object for Argo CD) or uninstall")
      ->check(CLI::IsMember({"handback", "uninstall"}))
      ->capture_default_str();
  // Isolated mode (issue 18): Tilt's own release next to Argo CD's; see isolated_io.hpp.
  apply->add_flag("--isolated", ao.isolated,
                  "deploy Tilt's own release (--release, e.g. <release>-tilt) next to Argo CD's: no adoption, "
                  "object names from the release name, the release labelled as Tilt's");
  apply->add_option("--argocd-release", ao.argocd_release, "with --isolated: Argo CD's release of the app");
  apply->add_option("--app-namespace", ao.app_namespace,
                    "with --isolated: the namespace of Argo CD's release (default: --namespace)");
  apply->add_option("--tilt-user", ao.tilt_user, "with --isolated: the developer (default: $USER)");
  del->add_flag("--isolated", dopt.isolated,
                "uninstall Tilt's isolated release; refused unless helm's record labels it as this user's");
  del->add_option("--tilt-user", dopt.tilt_user, "with --isolated: the developer (default: $USER)");
  return run_main(app, common, argc, argv, [&]() -> int {
    if (post_render->parsed()) return run_post_render();
    if (keeper->parsed()) return run_session_keeper(keeper_options, common.kube);
    const bool applying = apply->parsed();
    const std::string& release = applying ? ao.release : dopt.release;
    const std::string& ns = applying ? ao.namespace_ : dopt.namespace_;
    if (auto err = check_helm_release_name(release)) throw UsageError("invalid --release: " + *err);
    if (auto err = check_dns1123_label(ns)) throw UsageError("invalid --namespace: " + *err);
    std::string& user = applying ? ao.tilt_user : dopt.tilt_user;
    if (user.empty()) user = process_env("USER").value_or("");
    if ((applying ? ao.isolated : dopt.isolated) && user_label_value(user).empty())
      throw UsageError("--isolated needs the developer's name: pass --tilt-user or set USER");
    if (!applying) return dopt.isolated ? run_isolated_delete(dopt, common, process_env)
                                        : run_delete(dopt, common, process_env);
    if (!ao.argocd_app.empty())
      if (auto err = check_dns1123_subdomain(ao.argocd_app)) throw UsageError("invalid --argocd-app: " + *err);
    if (auto err = check_dns1123_label(ao.argocd_namespace)) throw UsageError("invalid --argocd-namespace: " + *err);
    if (ao.isolated) {
      if (!ao.app_namespace.empty())
        if (auto err = check_dns1123_label(ao.app_namespace)) throw UsageError("invalid --app-namespace: " + *err);
      if (auto err = check_helm_release_name(ao.argocd_release)) throw UsageError("invalid --argocd-release: " + *err);
      return run_isolated_apply(ao, common, process_env);
    }
    return run_apply(ao, common, process_env);
  });
}
