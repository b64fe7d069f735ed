#include "helm_template.hpp"

#include <doctest/doctest.h>

#include "cli.hpp"

using namespace ath;

TEST_CASE("helm is found through AMEIDE_HELM_BIN or PATH, else a sentence with the fix") {
  auto helm_bin = [](std::string path) {
    return [path](const std::string& k) { return k == "AMEIDE_HELM_BIN" ? std::optional(path) : std::nullopt; };
  };
  CHECK_THROWS_WITH_AS(locate_helm(helm_bin("/nonexistent/helm")),
                       doctest::Contains("AMEIDE_HELM_BIN=/nonexistent/helm is not an executable"), UsageError);
  CHECK(locate_helm(helm_bin("/bin/sh")) == "/bin/sh");
}

TEST_CASE("helm template argv: kube flags, value files in order, set args, then -- release chart") {
  HelmTemplate t{"/usr/bin/helm", "-odd", "ameide", "charts/app", {"a.yaml", "b.yaml"},
                 {"--set-string", "image.tag=t"}, "/k/config", "ctx"};
  CHECK(helm_template_argv(t) ==
        std::vector<std::string>{"/usr/bin/helm", "template", "--namespace", "ameide", "--kubeconfig", "/k/config",
                                 "--kube-context", "ctx", "--values", "a.yaml", "--values", "b.yaml", "--set-string",
                                 "image.tag=t", "--", "-odd", "charts/app"});
  CHECK(helm_kube_flags("ns", "", "") == std::vector<std::string>{"--namespace", "ns"});
}

TEST_CASE("a helm that fails is an error carrying its stderr") {
  HelmTemplate t{"/bin/false", "r", "ns", "chart", {}, {}, "", ""};
  CHECK_THROWS_WITH_AS(render_helm_template(t), doctest::Contains("helm template r chart failed"), std::runtime_error);
}
