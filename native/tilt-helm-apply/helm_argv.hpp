#pragma once
// The helm command lines of an apply and a delete, built as argv vectors (never a shell line).
// `helm template` gets exactly the chart, value files and --set-string of the upgrade, so the
// objects adopted are the objects the upgrade checks. Pure.
#include <string>
#include <vector>

#include "core/helm_template.hpp"
#include "image_values.hpp"

namespace ath::helm_apply {

struct HelmTarget {
  std::string helm;        // the helm binary
  std::string release;
  std::string namespace_;
  std::string kubeconfig;  // empty: helm's default
  std::string context;     // empty: the kubeconfig's current context
};

struct ChartInput {
  std::string chart;
  std::vector<std::string> value_files;  // in Argo CD's order
  std::vector<ImageValue> images;
};

std::vector<std::string> helm_version_argv(const std::string& helm);
// The `helm template` (core/helm_template.hpp) of the upgrade's chart, value files and images.
HelmTemplate helm_template_of(const HelmTarget& t, const ChartInput& in);
std::vector<std::string> helm_template_argv(const HelmTarget& t, const ChartInput& in);
// `extra` are the version policy's flags (--server-side=false, ...).
std::vector<std::string> helm_upgrade_argv(const HelmTarget& t, const ChartInput& in, const std::vector<std::string>& extra);
std::vector<std::string> helm_get_manifest_argv(const HelmTarget& t);
std::vector<std::string> helm_uninstall_argv(const HelmTarget& t, bool dry_run);

}  // namespace ath::helm_apply
