#include "apply_state.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/process_identity.hpp"

namespace ath::helm_apply {
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

std::string safe(const std::string& s) {
  std::string out;
  for (char c : s) out += std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' ? c : '_';
  return out;
}

std::string record_file(const std::string& dir, const std::string& server, const std::string& ns,
                        const std::string& release) {
  return (fs::path(dir) / "releases" / (safe(server) + "__" + ns + "__" + release + ".json")).string();
}

std::optional<json> read_json(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  json j = json::parse(text.str(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  return j;
}

void write_atomically(const std::string& path, const std::string& text) {
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  if (ec) return;
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out || !(out << text) || !out.flush()) {
      fs::remove(tmp, ec);
      return;
    }
  }
  fs::rename(tmp, path, ec);
  if (ec) fs::remove(tmp, ec);
}

std::optional<std::string> binary_identity(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return path + "|" + std::to_string(st.st_size) + "|" + std::to_string(st.st_mtim.tv_sec) + "." +
         std::to_string(st.st_mtim.tv_nsec) + "|" + std::to_string(st.st_ino);
}

}  // namespace

std::optional<std::string> apply_state_dir(const EnvLookup& getenv) {
  if (auto xdg = getenv("XDG_CACHE_HOME"); xdg && !xdg->empty()) return *xdg + "/ath/helm-apply";
  if (auto home = getenv("HOME"); home && !home->empty()) return *home + "/.cache/ath/helm-apply";
  return std::nullopt;
}

std::string session_id() {
  auto parent = process_identity(::getppid());
  return parent ? to_string(*parent) : "";
}

std::optional<ApplyRecord> load_record(const std::string& dir, const std::string& server, const std::string& ns,
                                       const std::string& release) {
  auto j = read_json(record_file(dir, server, ns, release));
  if (!j) return std::nullopt;
  try {
    ApplyRecord r;
    r.session = j->at("session").get<std::string>();
    r.manifest = j->at("manifest").get<std::set<std::string>>();
    r.adopted = j->at("adopted").get<std::set<std::string>>();
    return r;
  } catch (const json::exception&) {
    return std::nullopt;
  }
}

void store_record(const std::string& dir, const std::string& server, const std::string& ns,
                  const std::string& release, const ApplyRecord& r) {
  write_atomically(record_file(dir, server, ns, release),
                   json{{"session", r.session}, {"manifest", r.manifest}, {"adopted", r.adopted}}.dump());
}

void drop_record(const std::string& dir, const std::string& server, const std::string& ns,
                 const std::string& release) {
  std::error_code ec;
  fs::remove(record_file(dir, server, ns, release), ec);
}

std::optional<std::string> cached_helm_version(const std::string& dir, const std::string& path) {
  auto id = binary_identity(path);
  auto j = read_json((fs::path(dir) / "helm-versions.json").string());
  if (!id || !j || !j->contains(*id) || !(*j)[*id].is_string()) return std::nullopt;
  return (*j)[*id].get<std::string>();
}

void store_helm_version(const std::string& dir, const std::string& path, const std::string& version) {
  auto id = binary_identity(path);
  if (!id) return;
  const std::string file = (fs::path(dir) / "helm-versions.json").string();
  json j = read_json(file).value_or(json::object());
  if (j.size() > 32) j = json::object();  // old binaries pile up otherwise
  j[*id] = version;
  write_atomically(file, j.dump());
}

}  // namespace ath::helm_apply
