#include "post_renderer.hpp"

#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace ath::helm_apply {
namespace fs = std::filesystem;

std::string post_render_program(const std::string& self, const std::function<bool(const std::string&)>& is_executable) {
  const std::string sibling = (fs::path(self).parent_path() / kPostRenderProgram).string();
  return is_executable(sibling) ? sibling : self;
}

std::vector<std::string> post_renderer_flags(const HelmVersion& helm, const std::string& program) {
  if (helm.major >= 4) return {"--post-renderer", kPluginName};
  return {"--post-renderer", program, "--post-renderer-args", "post-render"};
}

std::string plugin_yaml() {
  return std::string("apiVersion: v1\n"
                     "name: ") +
         kPluginName +
         "\n"
         "version: 1.0.0\n"
         "type: postrenderer/v1\n"
         "runtime: subprocess\n"
         "runtimeConfig:\n"
         "  platformCommand:\n"
         "    - command: \"${HELM_PLUGIN_DIR}/post-render\"\n"
         "      args: [\"post-render\"]\n";
}

void write_plugin(const std::string& dir, const std::string& program) {
  const fs::path folder = fs::path(dir) / kPluginName;
  std::error_code ec;
  fs::create_directories(folder, ec);
  if (!ec) fs::create_symlink(program, folder / "post-render", ec);
  if (ec) throw std::runtime_error("cannot write helm's post-renderer plugin into " + folder.string() + ": " + ec.message());
  std::ofstream out(folder / "plugin.yaml", std::ios::trunc);
  if (!(out << plugin_yaml()) || !out.flush())
    throw std::runtime_error("cannot write " + (folder / "plugin.yaml").string());
}

std::string helm_plugins_path(const std::string& dir, const std::optional<std::string>& helm_plugins,
                              const std::optional<std::string>& helm_data_home,
                              const std::optional<std::string>& xdg_data_home, const std::optional<std::string>& home) {
  // helm's default: $HELM_DATA_HOME/plugins, else $XDG_DATA_HOME/helm/plugins, else
  // ~/.local/share/helm/plugins (pkg/helmpath/lazypath.go, Linux).
  std::string user;
  if (helm_plugins && !helm_plugins->empty()) user = *helm_plugins;
  else if (helm_data_home && !helm_data_home->empty()) user = *helm_data_home + "/plugins";
  else if (xdg_data_home && !xdg_data_home->empty()) user = *xdg_data_home + "/helm/plugins";
  else if (home && !home->empty()) user = *home + "/.local/share/helm/plugins";
  return user.empty() ? dir : dir + ":" + user;
}

std::string self_executable() {
  std::error_code ec;
  auto p = fs::read_symlink("/proc/self/exe", ec);
  if (ec) throw std::runtime_error("cannot tell this program's own path (/proc/self/exe): " + ec.message());
  return p.string();
}

}  // namespace ath::helm_apply
