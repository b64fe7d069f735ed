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
};

// Checks everything local first (chart, value files, TILT_IMAGE_<i>, helm and its version,
// kubectl), renders with `helm template`, adopts (unless AMEIDE_TILT_SKIP_HELM_ADOPT=true), runs
// `helm upgrade --install` and prints the release's live objects as YAML on stdout.
int run_apply(const ApplyOptions& o, const CommonOptions& common, const Getenv& getenv);

struct DeleteOptions {
  std::string release;
  std::string namespace_;
  std::string on_down = "handback";  // or "uninstall"
};

// handback: deletes nothing, the objects stay for Argo CD. uninstall: `helm uninstall`, refused
// (exit 1) when Argo CD tracks any of the release's objects.
int run_delete(const DeleteOptions& o, const CommonOptions& common, const Getenv& getenv);

}  // namespace ath::helm_apply
