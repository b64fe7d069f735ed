#include "helm_argv.hpp"

#include <doctest/doctest.h>

using namespace ath::helm_apply;
using V = std::vector<std::string>;

namespace {
ChartInput input() {
  return {"/repo/values/charts/app",
          {"/repo/values/_shared/apps/apps-graph.yaml", "/repo/values/dev/apps/apps-graph.yaml"},
          {{ImageKeys{}, ImageRef{"reg:5000/graph", "tilt-1"}, "TILT_IMAGE_0"}}};
}
}  // namespace

TEST_CASE("template and upgrade get the same chart, value files in order, and only the image keys") {
  HelmTarget t{"/bin/helm", "apps-graph", "ameide", "", ""};
  V common{"--namespace", "ameide", "--values", "/repo/values/_shared/apps/apps-graph.yaml", "--values",
           "/repo/values/dev/apps/apps-graph.yaml", "--set-string", "image.repository=reg:5000/graph",
           "--set-string", "image.tag=tilt-1"};
  V tmpl{"/bin/helm", "template"};
  tmpl.insert(tmpl.end(), common.begin(), common.end());
  tmpl.insert(tmpl.end(), {"--", "apps-graph", "/repo/values/charts/app"});
  CHECK(helm_template_argv(t, input()) == tmpl);

  V up{"/bin/helm", "upgrade", "--install"};
  up.insert(up.end(), common.begin(), common.end());
  up.insert(up.end(), {"--server-side=false", "--", "apps-graph", "/repo/values/charts/app"});
  CHECK(helm_upgrade_argv(t, input(), {"--server-side=false"}) == up);
}

TEST_CASE("kube settings reach helm as its own flags") {
  HelmTarget t{"helm", "apps-graph", "ameide", "/tmp/kc", "kind-dev"};
  CHECK(helm_get_manifest_argv(t) ==
        V{"helm", "get", "manifest", "--namespace", "ameide", "--kubeconfig", "/tmp/kc", "--kube-context", "kind-dev", "--",
          "apps-graph"});
  CHECK(helm_uninstall_argv(t, true) == V{"helm", "uninstall", "--ignore-not-found", "--dry-run", "--namespace", "ameide",
                                          "--kubeconfig", "/tmp/kc", "--kube-context", "kind-dev", "--", "apps-graph"});
  CHECK(helm_version_argv("helm") == V{"helm", "version", "--template", "{{.Version}}"});
}
