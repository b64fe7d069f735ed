#include "isolated_io.hpp"

#include <spdlog/spdlog.h>

#include <cstdio>

#include "applied_objects.hpp"
#include "apply_connection.hpp"
#include "apply_state.hpp"
#include "core/argocd.hpp"
#include "core/helm_template.hpp"
#include "core/yaml_json.hpp"
#include "isolated_release.hpp"
#include "release_io.hpp"

namespace ath::helm_apply {

namespace {

// The release's render (core/helm_template.hpp), with `extra` after the image keys.
std::vector<json> render(const HelmTarget& t, const ChartInput& in, const std::vector<std::string>& extra) {
  HelmTemplate request = helm_template_of(t, in);
  request.set_args.insert(request.set_args.end(), extra.begin(), extra.end());
  try {
    return render_helm_template(request);
  } catch (const std::runtime_error& e) {
    throw UsageError(std::string(e.what()) + " (nothing was changed)");
  }
}

// Every Application Argo CD keeps (all namespaces); none when the server has no Application type.
std::vector<json> argo_applications(KubeClient& client, const ResourceIndex& index) {
  const auto* type = index.by_resource(argocd::kGroup, argocd::kApplicationsResource);
  if (!type) return {};
  auto apps = client.list(*type, "", {});
  if (!apps.ok()) throw std::runtime_error("cannot list Argo CD Applications: " + apps.error->describe());
  return apps.value;
}

// Creates the developer's namespace when missing, labelled as Tilt's. Returns false on failure.
bool ensure_namespace(KubeClient& client, const ResourceIndex& index, const std::string& ns, const std::string& user,
                      bool dry_run) {
  const auto* type = index.by_resource("", "namespaces");
  if (!type) throw std::runtime_error("the server does not serve namespaces");
  auto got = client.get(*type, "", ns);
  if (got.ok()) return true;
  if (got.error->kind != KubeErrorKind::NotFound)
    throw std::runtime_error("cannot read namespace " + ns + ": " + got.error->describe());
  if (dry_run) {
    spdlog::info("namespace {}: dry run: would be created, labelled {}={}", ns, kManagedByLabel, kManagedByTilt);
    return true;
  }
  json obj{{"apiVersion", "v1"},
           {"kind", "Namespace"},
           {"metadata",
            {{"name", ns}, {"labels", {{kManagedByLabel, kManagedByTilt}, {kTiltUserLabel, user_label_value(user)}}}}}};
  auto made = client.create(*type, "", obj);
  if (!made.ok() && made.error->kind != KubeErrorKind::AlreadyExists) {
    spdlog::error("namespace {}: not created ({}); create it yourself or pick another namespace", ns,
                  made.error->describe());
    return false;
  }
  spdlog::info("namespace {}: created for Tilt's isolated releases ({}={})", ns, kManagedByLabel, kManagedByTilt);
  return true;
}

std::vector<std::string> helm_list_argv(const HelmTarget& t, const std::string& selector) {
  std::string filter = "^";
  for (char c : t.release) filter += (c == '.' ? std::string("\\.") : std::string(1, c));
  filter += "$";
  // Every current status, spelled so helm 3 and 4 both take it (helm 4 dropped `list --all`).
  std::vector<std::string> argv{t.helm,     "list",      "--deployed", "--failed", "--pending",      "--uninstalling",
                                "--namespace", t.namespace_, "--filter",   filter,     "-o",          "json"};
  if (!selector.empty()) argv.insert(argv.end(), {"--selector", selector});
  if (!t.kubeconfig.empty()) argv.insert(argv.end(), {"--kubeconfig", t.kubeconfig});
  if (!t.context.empty()) argv.insert(argv.end(), {"--kube-context", t.context});
  return argv;
}

bool listed(const HelmTarget& t, const std::string& selector) {
  auto res = run_helm(helm_list_argv(t, selector), std::chrono::seconds(120));
  if (!res.ok()) throw std::runtime_error("helm list -n " + t.namespace_ + " failed (" + res.describe() + "): " + res.err);
  auto j = json::parse(res.out.empty() ? "[]" : res.out, nullptr, false);
  return j.is_array() && !j.empty();
}

// The release's Tilt labels as far as `helm list --selector` proves them (helm 3.17's
// `get metadata` does not show labels); null when the release has none of Tilt's labels.
json proven_labels(const HelmTarget& t, const std::string& user) {
  const std::string tilt = std::string(kManagedByLabel) + "=" + kManagedByTilt + "," + kTiltModeLabel + "=isolated";
  if (!listed(t, tilt)) return nullptr;
  json labels{{kManagedByLabel, kManagedByTilt}, {kTiltModeLabel, "isolated"}};
  labels[kTiltUserLabel] = listed(t, tilt + "," + kTiltUserLabel + "=" + user_label_value(user))
                               ? user_label_value(user)
                               : std::string("another developer");
  return labels;
}

}  // namespace

int run_isolated_apply(const ApplyOptions& o, const CommonOptions& common, const Getenv& getenv) {
  if (o.argocd_release.empty() || o.argocd_release == o.release)
    throw UsageError("--isolated needs --argocd-release, Argo CD's release, different from --release " + o.release);
  const ApplyInputs checked = check_apply_inputs(o.chart, o.value_files, o.image_keys, common.kube.kubectl, getenv);
  const ChartInput& input = checked.input;
  const HelmSetup& helm = checked.helm;
  const std::string app_ns = o.app_namespace.empty() ? o.namespace_ : o.app_namespace;
  HelmTarget target{helm.helm, o.release, o.namespace_, common.kube.kubeconfig, common.kube.context};
  HelmTarget argo{helm.helm, o.argocd_release, app_ns, common.kube.kubeconfig, common.kube.context};
  spdlog::info("{}: isolated mode: Tilt's own release next to Argo CD's {} (namespace {}); no adoption, no sync "
               "guard",
               o.release, o.argocd_release, app_ns);

  // 1. Render both releases with the same chart, value files and images: ours may differ only in
  //    the full name, and must not name an object Argo CD manages in the target namespace.
  const auto ours = render(target, input, isolated_name_args(o.release));
  const auto argo_render = render(argo, input, {});
  const auto differ = differences_beyond_name(ours, argo_render, o.release, o.argocd_release, app_ns);
  if (o.namespace_ == app_ns && !differ.empty()) {
    std::string list;
    for (const auto& d : differ) list += (list.empty() ? "" : ", ") + d;
    spdlog::error("{}: not deployed: with Argo CD's value files and the same image, the chart renders more than "
                  "a new name for {}; an isolated release may differ from {} only in the image keys and the name "
                  "(fullnameOverride). Make the chart derive every name from fullnameOverride",
                  o.release, list, o.argocd_release);
    return kExitFindings;
  }
  if (!differ.empty())
    spdlog::warn("{}: the chart renders more than a new name for {} objects; allowed only because namespace {} is "
                 "not Argo CD's",
                 o.release, differ.size(), o.namespace_);
  else
    spdlog::info("{}: parity: renders equal to {}'s but for the release name (same value files and image)", o.release,
                 o.argocd_release);
  // The distinct-names decision `tilt-values-parity check --isolated` makes too (core/isolated_names.hpp).
  std::vector<ArgoObject> theirs;
  for (auto& id : same_object_names(ours, o.namespace_, argo_render, app_ns)) theirs.push_back({std::move(id), ""});
  KubeClient client = connect_for_apply(
      common.kube, common.dry_run ? std::nullopt : session_proxy_settings(apply_state_dir(getenv), getenv));
  ResourceIndex index = discover_index(client);
  for (auto& a : argo_objects_in(argo_applications(client, index), o.namespace_)) theirs.push_back(std::move(a));
  if (auto refusal = namespace_refusal(o.release, o.namespace_, object_identities(ours, o.namespace_), theirs)) {
    spdlog::error("{}", *refusal);
    return kExitFindings;
  }
  if (!ensure_namespace(client, index, o.namespace_, o.tilt_user, common.dry_run)) return kExitFindings;

  if (common.dry_run) {
    spdlog::info("{}: dry run: helm upgrade --install not run; printing the rendered objects", o.release);
    const std::string yaml = to_yaml_stream(tilt_output(ours));
    std::fwrite(yaml.data(), 1, yaml.size(), stdout);
    return kExitOk;
  }

  // 2. Deploy, marking the release record as Tilt's (the proof `tilt down` checks).
  auto extra = helm.decision.upgrade_flags;
  auto name_args = isolated_name_args(o.release);
  extra.insert(extra.end(), name_args.begin(), name_args.end());
  extra.insert(extra.end(), {"--labels", labels_flag_value(isolated_release_labels(o.tilt_user, o.argocd_release))});
  auto upgraded = run_helm(helm_upgrade_argv(target, input, extra), std::chrono::seconds(900));
  log_helm_output(upgraded, o.release);
  const auto driver = getenv("HELM_DRIVER");
  if (!upgraded.ok()) {
    if (report_stuck_after_failure(upgraded, client, index, o.release, o.namespace_, driver)) return kExitFindings;
    spdlog::error("{}: helm upgrade --install failed ({}); fix the cause and trigger the resource again", o.release,
                  upgraded.describe());
    return kExitFindings;
  }
  // Helm 3 exits 0 when it could not record the release (release_status.hpp): check it is not stuck pending.
  if (report_stuck(o.release, o.namespace_, read_release_revisions(client, index, o.release, o.namespace_, driver)))
    return kExitFindings;
  auto objects = installed_manifest(target);
  if (!objects) throw std::runtime_error("release " + o.release + " is missing right after helm installed it");
  const std::string yaml = to_yaml_stream(tilt_output(fetch_live(client, index, *objects, o.namespace_)));
  std::fwrite(yaml.data(), 1, yaml.size(), stdout);
  std::fflush(stdout);
  return kExitOk;
}

int run_isolated_delete(const DeleteOptions& o, const CommonOptions& common, const Getenv& getenv) {
  HelmSetup helm = setup_helm(getenv);
  HelmTarget target{helm.helm, o.release, o.namespace_, common.kube.kubeconfig, common.kube.context};
  if (!listed(target, "")) {
    spdlog::info("{}: no Helm release in namespace {}; nothing to uninstall", o.release, o.namespace_);
    return kExitOk;
  }
  if (auto refusal = uninstall_refusal(o.release, o.namespace_, proven_labels(target, o.tilt_user), o.tilt_user)) {
    spdlog::error("{}", *refusal);
    return kExitFindings;
  }
  if (!uninstall_release(target, common.dry_run)) return kExitFindings;
  spdlog::info("{}: uninstalled Tilt's isolated release from namespace {}", o.release, o.namespace_);
  return kExitOk;
}

}  // namespace ath::helm_apply
