#include "post_renderer.hpp"

#include <doctest/doctest.h>

using namespace ath::helm_apply;

TEST_CASE("helm 3 runs the executable, helm 4 the plugin") {
  CHECK(post_renderer_flags({3, 17, 2}, "/b/tilt-helm-apply") ==
        std::vector<std::string>{"--post-renderer", "/b/tilt-helm-apply", "--post-renderer-args", "post-render"});
  CHECK(post_renderer_flags({4, 1, 4}, "/b/tilt-helm-apply") ==
        std::vector<std::string>{"--post-renderer", kPluginName});
  const auto y = plugin_yaml();
  CHECK(y.find("type: postrenderer/v1") != std::string::npos);
  CHECK(y.find("runtime: subprocess") != std::string::npos);
  CHECK(y.find("${HELM_PLUGIN_DIR}/post-render") != std::string::npos);
}

TEST_CASE("the small post-renderer beside this program is preferred; else this program itself") {
  std::vector<std::string> asked;
  auto present = [&](const std::string& p) {
    asked.push_back(p);
    return true;
  };
  CHECK(post_render_program("/opt/ath/bin/tilt-helm-apply", present) == "/opt/ath/bin/tilt-helm-apply-post-render");
  CHECK(asked == std::vector<std::string>{"/opt/ath/bin/tilt-helm-apply-post-render"});
  CHECK(post_render_program("/opt/ath/bin/tilt-helm-apply", [](const std::string&) { return false; }) ==
        "/opt/ath/bin/tilt-helm-apply");
}

TEST_CASE("HELM_PLUGINS keeps the user's plugins after the private folder") {
  CHECK(helm_plugins_path("/t", "/p1:/p2", "/d", "/x", "/h") == "/t:/p1:/p2");
  CHECK(helm_plugins_path("/t", std::nullopt, "/d", "/x", "/h") == "/t:/d/plugins");
  CHECK(helm_plugins_path("/t", std::nullopt, std::nullopt, "/x", "/h") == "/t:/x/helm/plugins");
  CHECK(helm_plugins_path("/t", "", std::nullopt, std::nullopt, "/h") == "/t:/h/.local/share/helm/plugins");
  CHECK(helm_plugins_path("/t", std::nullopt, std::nullopt, std::nullopt, std::nullopt) == "/t");
}
