#pragma once
// How helm is told to run `tilt-helm-apply post-render` (render_handoff.hpp). Helm 3 takes an
// executable: `--post-renderer PATH --post-renderer-args post-render` (pkg/postrender/exec.go at
// v3.17.2). Helm 4 takes only the name of a `postrenderer/v1` plugin found in $HELM_PLUGINS
// (pkg/postrenderer/postrenderer.go, internal/plugin/runtime_subprocess.go at v4.1.4), so the
// apply writes one into its private folder and puts that folder first in HELM_PLUGINS.
#include <optional>
#include <string>
#include <vector>

#include "core/helm_version.hpp"

namespace ath::helm_apply {

inline constexpr const char* kPluginName = "tilt-helm-apply-handoff";

// The flags added to `helm upgrade --install`. `self` is this executable.
std::vector<std::string> post_renderer_flags(const HelmVersion& helm, const std::string& self);

// The plugin.yaml of the Helm 4 plugin; it runs $HELM_PLUGIN_DIR/post-render (a symlink to
// `self`: helm splits the command at spaces before expanding variables).
std::string plugin_yaml();

// Writes the plugin folder `<dir>/<kPluginName>` (plugin.yaml and the symlink); throws
// std::runtime_error when it cannot.
void write_plugin(const std::string& dir, const std::string& self);

// HELM_PLUGINS for helm 4: `dir` first, then the user's plugins (HELM_PLUGINS, else helm's default
// data folder), so their getter plugins keep working.
std::string helm_plugins_path(const std::string& dir, const std::optional<std::string>& helm_plugins,
                              const std::optional<std::string>& helm_data_home,
                              const std::optional<std::string>& xdg_data_home, const std::optional<std::string>& home);

// /proc/self/exe.
std::string self_executable();

}  // namespace ath::helm_apply
