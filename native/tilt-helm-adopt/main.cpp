// tilt-helm-adopt: make Argo-applied objects adoptable by a Helm release.
#include <spdlog/spdlog.h>

#include <cstdio>
#include <iostream>
#include <iterator>

#include "core/cli.hpp"
#include "core/kube_client.hpp"
#include "core/names.hpp"
#include "core/yaml_json.hpp"
#include "tilt-helm-adopt/adopt.hpp"
#include "tilt-helm-adopt/scrub_rule.hpp"

using namespace ath;

namespace {

std::vector<json> read_manifest(const std::string& file) {
  std::string text;
  std::string name = file;
  if (file == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    name = "<stdin>";
  } else {
    try {
      text = read_text_file(file);
    } catch (const std::exception& e) {
      throw UsageError(std::string("--manifest: ") + e.what());
    }
  }
  std::vector<json> docs;
  try {
    YamlLimits limits;
    limits.keep_positions = false;
    for (auto& d : parse_yaml_stream(text, name, limits))
      if (!d.value.is_null()) docs.push_back(std::move(d.value));
  } catch (const YamlError& e) {
    throw UsageError(std::string("--manifest: ") + e.what());
  }
  return docs;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Make objects that Argo CD applied adoptable by the Helm release RELEASE: writes Helm's\n"
               "ownership label and annotations on exactly the release's objects."};
  CommonOptions common;
  setup_app(app, "tilt-helm-adopt");
  std::string release, ns, manifest, argocd_app, argocd_ns = "argocd", selector, scrub = "auto";
  bool no_label_scan = false, prune = false, force = false;
  int concurrency = 16;
  app.add_option("RELEASE", release, "Helm release name")->required();
  app.add_option("-n,--namespace", ns, "the release namespace")->required();
  app.add_option("--manifest", manifest, "rendered chart (helm template output), '-' for stdin");
  app.add_option("--argocd-app", argocd_app, "Argo CD Application whose status.resources to adopt");
  app.add_option("--argocd-namespace", argocd_ns, "namespace of the Argo CD Application")->capture_default_str();
  app.add_option("--selector", selector, "label selector of the scan (default app.kubernetes.io/instance=RELEASE)");
  app.add_flag("--no-label-scan", no_label_scan, "do not scan every namespaced type by label");
  app.add_option("--scrub-managed-fields", scrub,
                 "reset metadata.managedFields on adopted objects: auto (by the helm on PATH), always or never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
  app.add_flag("--prune-duplicates", prune, "delete leftover workloads of the release that the manifest replaced");
  app.add_flag("--force", force, "also take objects that belong to another release");
  app.add_option("--concurrency", concurrency, "requests in flight at once")->check(CLI::Range(1, 256))->capture_default_str();
  add_dry_run_option(app, common);
  add_output_option(app, common);
  add_kube_options(app, common);
  add_log_options(app, common);
  return run_main(app, common, argc, argv, [&]() -> int {
    if (auto err = check_helm_release_name(release)) throw UsageError("invalid release name: " + *err);
    if (auto err = check_dns1123_label(ns)) throw UsageError("invalid namespace: " + *err);
    if (auto err = check_dns1123_label(argocd_ns)) throw UsageError("invalid --argocd-namespace: " + *err);
    if (!argocd_app.empty())
      if (auto err = check_dns1123_subdomain(argocd_app)) throw UsageError("invalid --argocd-app: " + *err);
    if (prune && manifest.empty())
      throw UsageError("--prune-duplicates needs --manifest: leftovers are told apart from the rendered chart");
    if (no_label_scan && manifest.empty() && argocd_app.empty())
      throw UsageError("nothing to adopt: give --manifest or --argocd-app, or drop --no-label-scan");

    helm_adopt::AdoptOptions o;
    o.release = release;
    o.release_namespace = ns;
    if (!manifest.empty()) {
      o.use_manifest = true;
      o.manifest = read_manifest(manifest);
    }
    o.argocd_app = argocd_app;
    o.argocd_namespace = argocd_ns;
    o.label_scan = !no_label_scan;
    o.selector = selector;
    auto scrub_decision = helm_adopt::resolve_scrub(scrub);
    spdlog::info("managedFields: {}", scrub_decision.why);
    o.scrub_managed_fields = scrub_decision.scrub;
    o.prune_duplicates = prune;
    o.force = force;
    o.dry_run = common.dry_run;
    o.concurrency = static_cast<size_t>(concurrency);

    std::optional<KubeClient> client;
    try {
      client.emplace(KubeClient::connect(common.kube));
    } catch (const std::exception& e) {
      throw UsageError(e.what());
    }
    auto discovered = client->discover(o.concurrency);
    if (!discovered.ok()) throw UsageError("API discovery failed: " + discovered.error->describe());
    ResourceIndex index(std::move(discovered.value));

    helm_adopt::AdoptReport report;
    try {
      report = helm_adopt::adopt(*client, index, o);
    } catch (const helm_adopt::AdoptSetupError& e) {
      throw UsageError(e.what());
    }
    if (common.output == "json")
      std::cout << helm_adopt::render_json(report).dump(2) << "\n";
    else
      std::cout << helm_adopt::render_text(report);
    std::cout.flush();
    return report.exit_code();
  });
}
