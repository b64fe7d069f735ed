#pragma once
// `apply` and `delete`: the two commands Tilt's k8s_custom_deploy runs.
#include <string>
#include <vector>

#include "core/cli.hpp"
#include "preflight.hpp"

namespace ath::helm_apply {

struct ApplyOptions {
  std::string release;
  std::string namespace_;
  std::string chart;
  std::vector<std::string> value_files;
  std::vector<std::string> image_keys;  // "REPO_KEY,TAG_KEY" per TILT_IMAGE_<i>
  std::string argocd_app;               // the Application whose status.resources to adopt too
  std::string argocd_namespace = "argocd";
  bool full_scan = false;               // scan every type for the release's label (scan_plan.hpp)
  // Isolated mode (isolated_io.hpp): `release` is Tilt's own `<argocd_release>-tilt`, deployed
  // next to Argo CD's release `argocd_release` (in `app_namespace`), never adopted.
  bool isolated = false;
  std::string argocd_release;
  std::string app_namespace;
  std::string tilt_user;  // the developer, stored on the release record
};

// Checks everything local first (chart, value files, TILT_IMAGE_<i>, helm and its version,
// kubectl), runs `helm upgrade --install` with this program as its post-renderer and adopts what
// the rendered manifest names while helm waits (unless AMEIDE_TILT_SKIP_HELM_ADOPT=true), checks
// that helm recorded the release (not stuck pending) and prints the release's live objects as
// YAML on stdout. --dry-run renders with `helm template` and adopts in dry-run mode instead.
int run_apply(const ApplyOptions& o, const CommonOptions& common, const Getenv& getenv);

struct DeleteOptions {
  std::string release;
  std::string namespace_;
  std::string on_down = "handback";  // or "uninstall"
  bool isolated = false;              // uninstall Tilt's own isolated release of `tilt_user` only
  std::string tilt_user;
};

// handback: deletes nothing, the objects stay for Argo CD. uninstall: `helm uninstall`, refused
// (exit 1) when Argo CD tracks any of the release's objects.
int run_delete(const DeleteOptions& o, const CommonOptions& common, const Getenv& getenv);

}  // namespace ath::helm_apply
