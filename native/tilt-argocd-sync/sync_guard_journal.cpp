#include "sync_guard_journal.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace tas {
namespace fs = std::filesystem;

namespace {

constexpr int kJournalVersion = 1;

std::vector<std::string> string_list(const json& j, const char* key) {
  std::vector<std::string> out;
  if (!j.contains(key)) return out;
  for (const auto& v : j.at(key)) out.push_back(v.get<std::string>());
  return out;
}

// The fields every record has; throws std::runtime_error naming the record kind.
void read_record(const json& j, const char* what, json& saved, std::string& at, std::string& by) {
  try {
    saved = j.at("saved");
    if (!saved.is_object()) throw std::runtime_error("saved is not an object");
    at = j.value("pausedAt", "");
    by = j.value("pausedBy", "");
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string("malformed ") + what + " record: " + e.what());
  }
}

void write_all(int fd, const std::string& data, const std::string& path) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error("cannot write " + path + ": " + std::strerror(errno));
    }
    done += static_cast<size_t>(n);
  }
}

}  // namespace

json AppRecord::to_json() const {
  return {{"saved", saved}, {"pausedAt", paused_at}, {"pausedBy", paused_by}, {"applicationSets", application_sets}};
}

AppRecord AppRecord::from_json(const json& j) {
  AppRecord r;
  read_record(j, "application", r.saved, r.paused_at, r.paused_by);
  r.application_sets = string_list(j, "applicationSets");
  return r;
}

json AppSetRecord::to_json() const { return {{"saved", saved}, {"pausedAt", paused_at}, {"pausedBy", paused_by}}; }

AppSetRecord AppSetRecord::from_json(const json& j) {
  AppSetRecord r;
  read_record(j, "application set", r.saved, r.paused_at, r.paused_by);
  return r;
}

json Journal::to_json() const {
  json j = {{"version", kJournalVersion}, {"applications", json::object()}, {"applicationSets", json::object()}};
  for (const auto& [name, r] : apps) j["applications"][name] = r.to_json();
  for (const auto& [name, r] : application_sets) j["applicationSets"][name] = r.to_json();
  return j;
}

Journal Journal::from_json(const json& j) {
  if (!j.is_object() || j.value("version", 0) != kJournalVersion)
    throw std::runtime_error("not a version " + std::to_string(kJournalVersion) + " journal");
  Journal out;
  for (const auto& [name, r] : j.at("applications").items()) out.apps[name] = AppRecord::from_json(r);
  for (const auto& [name, r] : j.at("applicationSets").items()) out.application_sets[name] = AppSetRecord::from_json(r);
  return out;
}

std::string journal_path(const std::string& state_dir) { return (fs::path(state_dir) / "journal.json").string(); }

std::string default_state_dir() {
  if (const char* d = std::getenv("TILT_ARGOCD_STATE_DIR"); d && *d) return d;
  if (const char* x = std::getenv("XDG_STATE_HOME"); x && *x) return (fs::path(x) / "tilt-argocd-sync").string();
  const char* home = std::getenv("HOME");
  return (fs::path(home && *home ? home : "/tmp") / ".local" / "state" / "tilt-argocd-sync").string();
}

Journal load_journal(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (!fs::exists(path)) return {};
    throw JournalCorrupt("cannot read the journal " + path + "; fix its permissions (nothing was changed)");
  }
  std::stringstream ss;
  ss << in.rdbuf();
  json j = json::parse(ss.str(), nullptr, false);
  try {
    if (j.is_discarded()) throw std::runtime_error("not valid JSON");
    return Journal::from_json(j);
  } catch (const std::exception& e) {
    throw JournalCorrupt("the journal " + path + " is corrupt (" + e.what() +
                         "); it may hold the only copy of a sync policy, so it is left as it is. Restore the "
                         "policies it names by hand, then move the file away (nothing was changed)");
  }
}

void save_journal(const std::string& path, const Journal& journal) {
  // Reading first both refuses a corrupt file and keeps this the only writer's rule.
  (void)load_journal(path);
  fs::path target(path);
  fs::create_directories(target.parent_path());
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("cannot create " + tmp + ": " + std::strerror(errno));
  try {
    write_all(fd, journal.to_json().dump(2) + "\n", tmp);
    if (::fsync(fd) != 0) throw std::runtime_error("cannot fsync " + tmp + ": " + std::strerror(errno));
  } catch (...) {
    ::close(fd);
    ::unlink(tmp.c_str());
    throw;
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    throw std::runtime_error("cannot rename " + tmp + " to " + path + ": " + std::strerror(err));
  }
  int dir = ::open(target.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
}

Journal update_journal(const std::string& path, const std::function<bool(Journal&)>& change) {
  fs::create_directories(fs::path(path).parent_path());
  std::string lock_path = path + ".lock";
  int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("cannot open " + lock_path + ": " + std::strerror(errno));
  while (::flock(fd, LOCK_EX) != 0) {
    if (errno != EINTR) {
      int err = errno;
      ::close(fd);
      throw std::runtime_error("cannot lock " + lock_path + ": " + std::strerror(err));
    }
  }
  try {
    Journal j = load_journal(path);
    if (change(j)) save_journal(path, j);
    ::close(fd);  // releases the lock
    return j;
  } catch (...) {
    ::close(fd);
    throw;
  }
}

}  // namespace tas
