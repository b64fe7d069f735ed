#include <spdlog/spdlog.h>

#include <cstdio>

#include "adopt_step.hpp"
#include "applied_objects.hpp"
#include "core/yaml_json.hpp"
#include "release_commands.hpp"
#include "release_io.hpp"

namespace ath::helm_apply {

namespace {

std::vector<ImageKeys> parse_all_keys(const std::vector<std::string>& pairs) {
  std::vector<ImageKeys> keys;
  for (const auto& p : pairs) keys.push_back(parse_image_keys(p));
  if (keys.empty()) keys.push_back(ImageKeys{});  // one image: image.repository, image.tag
  return keys;
}

void print_objects(const std::vector<json>& objects) {
  const std::string yaml = to_yaml_stream(tilt_output(objects));
  std::fwrite(yaml.data(), 1, yaml.size(), stdout);
  std::fflush(stdout);
}

}  // namespace

int run_apply(const ApplyOptions& o, const CommonOptions& common, const Getenv& getenv) {
  // 1. Everything local, before any request to the cluster.
  if (auto err = check_chart(o.chart)) throw UsageError(*err);
  if (auto err = check_value_files(o.value_files)) throw UsageError(*err);
  ChartInput input{o.chart, o.value_files, {}};
  try {
    input.images = image_values(parse_all_keys(o.image_keys), getenv);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  HelmSetup helm = setup_helm(getenv);
  for (const auto& w : helm.decision.warnings) spdlog::warn("{}", w);
  locate_kubectl(common.kube.kubectl);
  const bool skip_adopt = getenv("AMEIDE_TILT_SKIP_HELM_ADOPT").value_or("") == "true";

  HelmTarget target{helm.helm, o.release, o.namespace_, common.kube.kubeconfig, common.kube.context};
  for (const auto& i : input.images)
    spdlog::info("{}: {}={} {}={} (from {})", o.release, i.keys.repository_key, i.ref.repository, i.keys.tag_key,
                 i.ref.tag, i.variable);

  // 2. Render with the upgrade's own arguments: the objects adopted are the objects helm checks.
  auto rendered = run_helm(helm_template_argv(target, input), std::chrono::seconds(120));
  if (!rendered.ok())
    throw UsageError("helm template " + o.release + " " + o.chart + " failed (" + rendered.describe() +
                     "); nothing was changed: " + rendered.err);
  std::vector<json> manifest;
  for (auto& d : parse_yaml_stream(rendered.out, "helm template " + o.release))
    if (!d.value.is_null()) manifest.push_back(std::move(d.value));

  // 3. Adopt what Argo CD applied.
  KubeClient client = KubeClient::connect(common.kube);
  ResourceIndex index = discover_index(client);
  if (skip_adopt) {
    spdlog::warn("{}: adoption skipped (AMEIDE_TILT_SKIP_HELM_ADOPT=true); helm refuses objects it does not own",
                 o.release);
  } else {
    AdoptResult adopted = run_adoption(
        client, index,
        {o.release, o.namespace_, manifest, o.argocd_app, o.argocd_namespace, helm.version.text(), common.dry_run});
    for (const auto& line : split_lines(adopted.report)) spdlog::info("adopt: {}", line);
    if (adopted.exit_code == 2) throw UsageError("adoption of " + o.release + " could not start: " + adopted.report);
    if (adopted.exit_code != 0) {
      spdlog::error("{}: not deployed: some objects could not be adopted (see the adoption report above); helm "
                    "would refuse them. Resolve the conflicts (tilt-helm-adopt --force takes objects of another "
                    "release) and trigger the resource again",
                    o.release);
      return kExitFindings;
    }
  }

  if (common.dry_run) {
    spdlog::info("{}: dry run: helm upgrade --install not run; printing the rendered objects", o.release);
    print_objects(release_objects(parse_yaml_stream(rendered.out, "helm template " + o.release)));
    return kExitOk;
  }

  // 4. Deploy: the same chart and value files as Argo CD, only the image keys set.
  auto upgraded = run_helm(helm_upgrade_argv(target, input, helm.decision.upgrade_flags), std::chrono::seconds(900));
  log_helm_output(upgraded);
  if (!upgraded.ok()) {
    spdlog::error("{}: helm upgrade --install failed ({}); the objects are as helm left them; fix the cause and "
                  "trigger the resource again",
                  o.release, upgraded.describe());
    return kExitFindings;
  }

  // 5. Tell Tilt what it deployed.
  auto objects = installed_manifest(target);
  if (!objects) throw std::runtime_error("release " + o.release + " is missing right after helm installed it");
  print_objects(fetch_live(client, index, *objects, o.namespace_));
  return kExitOk;
}

}  // namespace ath::helm_apply
