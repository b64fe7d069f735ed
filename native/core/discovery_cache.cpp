#include "core/discovery_cache.hpp"

#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/kubeconfig.hpp"

namespace ath {
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

// The `field` of the entry called `name` in the list `section` (contexts, clusters).
std::optional<std::string> named_entry(const YAML::Node& doc, const char* section, const std::string& name,
                                       const char* inner, const char* field) {
  // A missing key of a const node is an invalid node: test it before asking anything else.
  if (!doc.IsMap()) return std::nullopt;
  const YAML::Node list = doc[section];
  if (!list || !list.IsSequence()) return std::nullopt;
  for (const auto& entry : list) {
    if (!entry.IsMap() || !entry["name"] || entry["name"].as<std::string>("") != name) continue;
    const YAML::Node body = entry[inner];
    if (!body || !body.IsMap()) continue;
    const YAML::Node value = body[field];
    if (value && value.IsScalar()) return value.as<std::string>();
  }
  return std::nullopt;
}

std::string file_name_for(const std::string& server) {
  std::string out;
  for (char c : server) out += std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' ? c : '_';
  return out + ".json";
}

}  // namespace

std::optional<std::string> kubeconfig_server(const KubeAccess& access, const EnvLookup& getenv) {
  std::vector<YAML::Node> docs;
  for (const auto& f : kubeconfig_files(access, getenv)) {
    try {
      docs.push_back(YAML::LoadFile(f));
    } catch (const std::exception&) {
      // kubectl skips missing files of KUBECONFIG; a broken one only costs the cache.
    }
  }
  auto first = [&](auto&& pick) -> std::optional<std::string> {
    for (const auto& d : docs)
      if (auto v = pick(d)) return v;
    return std::nullopt;
  };
  try {
    std::optional<std::string> context = access.context;
    if (context->empty()) context = first([](const YAML::Node& d) -> std::optional<std::string> {
      if (!d.IsMap()) return std::nullopt;
      const YAML::Node c = d["current-context"];
      if (c && c.IsScalar() && !c.as<std::string>().empty()) return c.as<std::string>();
      return std::nullopt;
    });
    if (!context) return std::nullopt;
    auto cluster = first([&](const YAML::Node& d) { return named_entry(d, "contexts", *context, "context", "cluster"); });
    if (!cluster) return std::nullopt;
    return first([&](const YAML::Node& d) { return named_entry(d, "clusters", *cluster, "cluster", "server"); });
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::optional<std::string> discovery_cache_dir(const EnvLookup& getenv) {
  if (auto xdg = getenv("XDG_CACHE_HOME"); xdg && !xdg->empty()) return *xdg + "/ath/discovery";
  if (auto home = getenv("HOME"); home && !home->empty()) return *home + "/.cache/ath/discovery";
  return std::nullopt;
}

std::string discovery_record(const std::string& server_version, const std::vector<ApiResource>& resources) {
  json types = json::array();
  for (const auto& r : resources)
    types.push_back({{"group", r.group},
                     {"version", r.version},
                     {"resource", r.resource},
                     {"kind", r.kind},
                     {"namespaced", r.namespaced},
                     {"verbs", r.verbs}});
  return json{{"serverVersion", server_version}, {"resources", types}}.dump();
}

std::optional<std::vector<ApiResource>> parse_discovery_record(const std::string& text,
                                                               const std::string& server_version) {
  const json record = json::parse(text, nullptr, false);
  if (!record.is_object() || record.value("serverVersion", json()) != server_version) return std::nullopt;
  if (!record.contains("resources") || !record["resources"].is_array()) return std::nullopt;
  std::vector<ApiResource> out;
  try {
    for (const auto& t : record["resources"]) {
      ApiResource r;
      r.group = t.at("group").get<std::string>();
      r.version = t.at("version").get<std::string>();
      r.resource = t.at("resource").get<std::string>();
      r.kind = t.at("kind").get<std::string>();
      r.namespaced = t.at("namespaced").get<bool>();
      r.verbs = t.at("verbs").get<std::vector<std::string>>();
      if (r.version.empty() || r.resource.empty() || r.kind.empty()) return std::nullopt;
      out.push_back(std::move(r));
    }
  } catch (const json::exception&) {
    return std::nullopt;
  }
  if (out.empty()) return std::nullopt;
  return out;
}

std::string discovery_cache_file(const std::string& dir, const std::string& server) {
  return (fs::path(dir) / file_name_for(server)).string();
}

std::optional<std::vector<ApiResource>> load_discovery(const std::string& dir, const std::string& server,
                                                       const std::string& server_version) {
  std::ifstream in(discovery_cache_file(dir, server));
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  return parse_discovery_record(text.str(), server_version);
}

void store_discovery(const std::string& dir, const std::string& server, const std::string& server_version,
                     const std::vector<ApiResource>& resources) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return;
  const std::string target = discovery_cache_file(dir, server);
  const std::string tmp = target + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return;
    out << discovery_record(server_version, resources);
    if (!out.flush()) {
      fs::remove(tmp, ec);
      return;
    }
  }
  fs::rename(tmp, target, ec);
  if (ec) fs::remove(tmp, ec);
}

}  // namespace ath
