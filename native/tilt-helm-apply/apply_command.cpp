#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "adopt_during_render.hpp"
#include "adopt_step.hpp"
#include "applied_objects.hpp"
#include "apply_connection.hpp"
#include "apply_state.hpp"
#include "core/parallel.hpp"
#include "core/process.hpp"
#include "core/yaml_json.hpp"
#include "post_renderer.hpp"
#include "release_commands.hpp"
#include "release_io.hpp"

namespace ath::helm_apply {

namespace {

void print_objects(const std::vector<json>& objects) {
  const std::string yaml = to_yaml_stream(tilt_output(objects));
  std::fwrite(yaml.data(), 1, yaml.size(), stdout);
  std::fflush(stdout);
}

void log_adoption(const std::string& release, const AdoptResult& adopted) {
  for (const auto& line : split_lines(adopted.report)) spdlog::info("adopt: {}", line);
  if (adopted.exit_code == 2) throw UsageError("adoption of " + release + " could not start: " + adopted.report);
}

int adoption_refused(const std::string& release) {
  spdlog::error("{}: not deployed: some objects could not be adopted (see the adoption report above); helm "
                "would refuse them. Resolve the conflicts (tilt-helm-adopt --force takes objects of another "
                "release) and trigger the resource again",
                release);
  return kExitFindings;
}

// A private folder (mkdtemp, 0700) for the handoff socket and helm 4's plugin, removed at exit.
struct PrivateDir {
  std::string path;
  PrivateDir() {
    const char* tmp = std::getenv("TMPDIR");
    std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/ath-helm-apply-XXXXXX";
    if (!::mkdtemp(tmpl.data())) throw UsageError("cannot create a private temporary folder under " + tmpl);
    path = tmpl;
  }
  ~PrivateDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

// --dry-run: render with `helm template` (same arguments), adopt in dry-run mode, print.
int dry_run_apply(const ApplyOptions& o, const CommonOptions& common, const HelmTarget& target, const ChartInput& input,
                  const HelmSetup& helm, bool skip_adopt) {
  auto rendered = run_helm(helm_template_argv(target, input), std::chrono::seconds(120));
  if (!rendered.ok())
    throw UsageError("helm template " + o.release + " " + o.chart + " failed (" + rendered.describe() +
                     "); nothing was changed: " + rendered.err);
  auto docs = parse_yaml_stream(rendered.out, "helm template " + o.release);
  if (!skip_adopt) {
    std::vector<json> manifest;
    for (auto& d : docs)
      if (!d.value.is_null()) manifest.push_back(d.value);
    KubeClient client = KubeClient::connect(common.kube);
    ResourceIndex index = discover_index(client);
    AdoptResult adopted = run_adoption(
        client, index, {o.release, o.namespace_, manifest, o.argocd_app, o.argocd_namespace, helm.version.text(), true});
    log_adoption(o.release, adopted);
    if (adopted.exit_code != 0) return adoption_refused(o.release);
  }
  spdlog::info("{}: dry run: helm upgrade --install not run; printing the rendered objects", o.release);
  print_objects(release_objects(docs));
  return kExitOk;
}

}  // namespace

int run_apply(const ApplyOptions& o, const CommonOptions& common, const Getenv& getenv) {
  // 1. Everything local, before any request to the cluster.
  const auto state_dir = apply_state_dir(getenv);
  const ApplyInputs checked =
      check_apply_inputs(o.chart, o.value_files, o.image_keys, common.kube.kubectl, getenv, state_dir);
  const ChartInput& input = checked.input;
  const HelmSetup& helm = checked.helm;
  const bool skip_adopt = getenv("AMEIDE_TILT_SKIP_HELM_ADOPT").value_or("") == "true";
  if (skip_adopt)
    spdlog::warn("{}: adoption skipped (AMEIDE_TILT_SKIP_HELM_ADOPT=true); helm refuses objects it does not own",
                 o.release);

  HelmTarget target{helm.helm, o.release, o.namespace_, common.kube.kubeconfig, common.kube.context};
  for (const auto& i : input.images)
    spdlog::info("{}: {}={} {}={} (from {})", o.release, i.keys.repository_key, i.ref.repository, i.keys.tag_key,
                 i.ref.tag, i.variable);
  if (common.dry_run) return dry_run_apply(o, common, target, input, helm, skip_adopt);

  // 2. helm renders once and hands the manifest to its post-renderer, which waits while this
  //    process adopts what it names; meanwhile the cluster side started (render_handoff.hpp).
  const auto server = kubeconfig_server(common.kube, getenv);
  RenderAdoptionSettings settings;
  settings.step = {o.release, o.namespace_, {}, o.argocd_app, o.argocd_namespace, helm.version.text(), false};
  settings.skip_adopt = skip_adopt;
  settings.full_scan = o.full_scan;
  settings.session = session_id();
  settings.server = server;
  settings.discovery_dir = discovery_cache_dir(getenv);
  settings.session_proxy = session_proxy_settings(state_dir, getenv);
  if (server && state_dir) settings.last = load_record(*state_dir, *server, o.namespace_, o.release);

  PrivateDir tmp;
  const std::string post_renderer =
      post_render_program(self_executable(), [](const std::string& p) { return find_program(p).has_value(); });
  spdlog::debug("{}: post-renderer {}", o.release, post_renderer);
  std::map<std::string, std::string> env{{kHandoffSocketEnv, tmp.path + "/handoff.sock"}};
  if (helm.version.major >= 4) {
    write_plugin(tmp.path, post_renderer);
    env["HELM_PLUGINS"] = helm_plugins_path(tmp.path, getenv("HELM_PLUGINS"), getenv("HELM_DATA_HOME"),
                                            getenv("XDG_DATA_HOME"), getenv("HOME"));
  }
  HandoffServer handoff(env[kHandoffSocketEnv]);  // listening: helm's post-renderer may connect from now on

  // 3. Deploy: the same chart and value files as Argo CD, only the image keys set. Helm starts
  //    first, then the cluster thread (a loaded CPU serves helm's start before the thread's).
  auto flags = helm.decision.upgrade_flags;
  for (auto& f : post_renderer_flags(helm.version, post_renderer)) flags.push_back(f);
  if (helm.version >= HelmVersion{3, 16, 0}) flags.push_back("--hide-notes");  // helm_output.hpp filters older ones
  std::optional<AdoptDuringRender> started;
  auto upgraded = run_helm_to_files(helm_upgrade_argv(target, input, flags), std::chrono::seconds(900), env, tmp.path,
                                    [&] { started.emplace(common.kube, settings, handoff); });
  if (!started) started.emplace(common.kube, settings, handoff);  // helm did not start: the thread still reads
  AdoptDuringRender& cluster = *started;
  RenderAdoptionResult rendered;
  try {
    rendered = cluster.finish();
  } catch (const UsageError&) {
    throw;
  } catch (const std::exception& e) {
    throw UsageError(e.what());
  }
  if (rendered.adoption) log_adoption(o.release, *rendered.adoption);
  log_helm_output(upgraded, o.release);
  auto forget = [&] {
    if (server && state_dir) drop_record(*state_dir, *server, o.namespace_, o.release);
  };
  if (rendered.adoption && rendered.adoption->exit_code != 0) {
    forget();
    return adoption_refused(o.release);
  }
  if (!upgraded.ok()) {
    forget();
    if (report_stuck_after_failure(upgraded, cluster.client(), cluster.index(), o.release, o.namespace_,
                                   getenv("HELM_DRIVER")))
      return kExitFindings;
    spdlog::error("{}: helm upgrade --install failed ({}); the objects are as helm left them; fix the cause and "
                  "trigger the resource again",
                  o.release, upgraded.describe());
    return kExitFindings;
  }
  if (!rendered.handed_over) throw std::runtime_error("helm upgrade --install " + o.release + " never ran its post-renderer");

  // 4. Tell Tilt what it deployed, and make sure helm recorded it (helm 3 exits 0 when it could
  //    not: release_status.hpp).
  const auto objects = release_objects([&] {
    std::vector<YamlDocument> docs;
    for (const auto& d : rendered.manifest) docs.push_back(YamlDocument{d, {}, {}});
    return docs;
  }());
  std::vector<json> live;
  std::optional<std::vector<ReleaseRevision>> revisions;
  parallel_for(2, 2, [&](size_t i) {
    if (i == 0) live = fetch_live(cluster.client(), cluster.index(), objects, o.namespace_);
    else revisions = read_release_revisions(cluster.client(), cluster.index(), o.release, o.namespace_, getenv("HELM_DRIVER"));
  });
  if (report_stuck(o.release, o.namespace_, revisions)) {
    forget();
    return kExitFindings;
  }
  if (server && state_dir)
    store_record(*state_dir, *server, o.namespace_, o.release,
                 ApplyRecord{settings.session, rendered.manifest_keys, rendered.adopted_keys});
  print_objects(live);
  return kExitOk;
}

}  // namespace ath::helm_apply
