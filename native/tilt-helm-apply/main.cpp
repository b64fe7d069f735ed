// tilt-helm-apply: the apply/delete command behind the helm_app Tilt extension.
#include "core/cli.hpp"
#include "core/names.hpp"

using namespace ath;

int main(int argc, char** argv) {
  CLI::App app{"Deploy an apps-* release with Argo CD's value files, swapping only the image (apply),\n"
               "or hand it back to Argo CD (delete). Run by Tilt's k8s_custom_deploy."};
  CommonOptions common;
  setup_app(app, "tilt-helm-apply");
  std::string release, ns, chart, on_down = "handback";
  std::vector<std::string> values, image_keys;
  add_kube_options(app, common);
  add_log_options(app, common);
  app.require_subcommand(1);
  auto* apply = app.add_subcommand("apply", "adopt, then helm upgrade --install; print the applied objects as YAML");
  auto* del = app.add_subcommand("delete", "hand the release back to Argo CD (default) or uninstall it");
  for (auto* sub : {apply, del}) {
    sub->add_option("--release", release, "Helm release name")->required();
    sub->add_option("-n,--namespace", ns, "release namespace")->required();
    add_dry_run_option(*sub, common);
  }
  apply->add_option("--chart", chart, "chart path or reference")->required();
  apply->add_option("-f,--values", values, "value files, in Argo CD's order");
  apply->add_option("--image-key", image_keys, "values key pair per image: REPO_KEY,TAG_KEY");
  del->add_option("--on-down", on_down, "handback or uninstall")
      ->check(CLI::IsMember({"handback", "uninstall"}))
      ->capture_default_str();
  return run_main(app, common, argc, argv, [&]() -> int {
    if (auto err = check_helm_release_name(release)) throw UsageError("invalid --release: " + *err);
    if (auto err = check_dns1123_label(ns)) throw UsageError("invalid --namespace: " + *err);
    throw UsageError("this command is not implemented in this build yet; nothing was changed");
  });
}
