#pragma once
// How helm is told to run `tilt-helm-apply post-render` (render_handoff.hpp). Helm 3 takes an
// executable: `--post-renderer PATH --post-renderer-args post-render` (pkg/postrender/exec.go at
// v3.17.2). Helm 4 takes only the name of a `postrenderer/v1` plugin found in $HELM_PLUGINS
// (pkg/postrenderer/postrenderer.go, internal/plugin/runtime_subprocess.go at v4.1.4), so the
// apply writes one into its private folder and puts that folder first in HELM_PLUGINS.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/helm_version.hpp"

namespace ath::helm_apply {

inline constexpr const char* kPluginName = "tilt-helm-apply-handoff";
// The small post-renderer program (post_render_client.cpp), built beside tilt-helm-apply.
inline constexpr const char* kPostRenderProgram = "tilt-helm-apply-post-render";

// The program helm runs as post-renderer: kPostRenderProgram in the folder of `self` (this
// executable) when `is_executable` says it is there, else `self` (its `post-render` command does
// the same, with this program's heavier start).
std::string post_render_program(const std::string& self, const std::function<bool(const std::string&)>& is_executable);

// The flags added to `helm upgrade --install`. `program` is post_render_program's choice; either
// program takes `post-render` as its argument.
std::vector<std::string> post_renderer_flags(const HelmVersion& helm, const std::string& program);

// The plugin.yaml of the Helm 4 plugin; it runs $HELM_PLUGIN_DIR/post-render (a symlink to
// the program: helm splits the command at spaces before expanding variables).
std::string plugin_yaml();

// Writes the plugin folder `<dir>/<kPluginName>` (plugin.yaml and the symlink to `program`); throws
// std::runtime_error when it cannot.
void write_plugin(const std::string& dir, const std::string& program);

// HELM_PLUGINS for helm 4: `dir` first, then the user's plugins (HELM_PLUGINS, else helm's default
// data folder), so their getter plugins keep working.
std::string helm_plugins_path(const std::string& dir, const std::optional<std::string>& helm_plugins,
                              const std::optional<std::string>& helm_data_home,
                              const std::optional<std::string>& xdg_data_home, const std::optional<std::string>& home);

// /proc/self/exe.
std::string self_executable();

}  // namespace ath::helm_apply
