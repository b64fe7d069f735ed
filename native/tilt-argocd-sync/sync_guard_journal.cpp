#include "sync_guard_journal.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "core/env.hpp"
#include "core/json_limits.hpp"

namespace ath::argocd_sync {
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
void read_record(const json& j, const char* what, json& saved, std::string& at, std::string& by, std::string& uid) {
  try {
    saved = j.at("saved");
    if (!saved.is_object()) throw std::runtime_error("saved is not an object");
    at = j.value("pausedAt", "");
    by = j.value("pausedBy", "");
    uid = j.value("uid", "");
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
  json j = {{"saved", saved}, {"pausedAt", paused_at}, {"pausedBy", paused_by}, {"applicationSets", application_sets}};
  if (!uid.empty()) j["uid"] = uid;
  return j;
}

AppRecord AppRecord::from_json(const json& j) {
  AppRecord r;
  read_record(j, "application", r.saved, r.paused_at, r.paused_by, r.uid);
  r.application_sets = string_list(j, "applicationSets");
  return r;
}

json AppSetRecord::to_json() const {
  json j = {{"saved", saved}, {"pausedAt", paused_at}, {"pausedBy", paused_by}, {"fields", fields}};
  if (!uid.empty()) j["uid"] = uid;
  return j;
}

AppSetRecord AppSetRecord::from_json(const json& j) {
  AppSetRecord r;
  read_record(j, "application set", r.saved, r.paused_at, r.paused_by, r.uid);
  r.fields = j.contains("fields") ? string_list(j, "fields")
                                  : std::vector<std::string>{"ignoreApplicationDifferences", "strategy"};
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
  if (auto d = ath::env_with_alias("AMEIDE_ARGOCD_STATE_DIR", "TILT_ARGOCD_STATE_DIR")) return *d;
  if (const char* x = std::getenv("XDG_STATE_HOME"); x && *x) return (fs::path(x) / "tilt-argocd-sync").string();
  const char* home = std::getenv("HOME");
  return (fs::path(home && *home ? home : "/tmp") / ".local" / "state" / "tilt-argocd-sync").string();
}

std::string new_record_uid() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(rng()));
  return buf;
}

Journal load_journal(const std::string& path) {
  const std::string advice =
      "; it may hold the only copy of a sync policy, so it is left as it is. Restore the policies it names by hand, "
      "then move the file away (nothing was changed)";
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (!fs::exists(path)) return {};
    throw JournalCorrupt("cannot read the journal " + path + "; fix its permissions (nothing was changed)");
  }
  std::error_code ec;
  auto size = fs::file_size(path, ec);
  if (!ec && size > ath::kMaxJournalBytes)
    throw JournalCorrupt("the journal " + path + " is " + std::to_string(size) + " bytes, over the limit of " +
                         std::to_string(ath::kMaxJournalBytes) + advice);
  std::stringstream ss;
  ss << in.rdbuf();
  try {
    json j = ath::parse_json_bounded(ss.str(), "its text", ath::kMaxJournalBytes);
    return Journal::from_json(j);
  } catch (const std::exception& e) {
    throw JournalCorrupt("the journal " + path + " is corrupt or hostile (" + e.what() + ")" + advice);
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

JournalLock::JournalLock(std::string path) : path_(std::move(path)) {
  const fs::path dir = fs::path(path_).parent_path();
  const std::string fix = " (nothing was changed; make " + dir.string() +
                          " writable, free disk space, or choose another --state-dir)";
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw std::runtime_error("cannot create the state folder " + dir.string() + ": " + ec.message() + fix);
  std::string lock_path = path_ + ".lock";
  fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0) throw std::runtime_error("cannot open " + lock_path + ": " + std::strerror(errno) + fix);
  while (::flock(fd_, LOCK_EX) != 0) {
    if (errno != EINTR) {
      int err = errno;
      ::close(fd_);
      throw std::runtime_error("cannot lock " + lock_path + ": " + std::strerror(err) + fix);
    }
  }
  // The lock file may exist on a folder that has become read-only (or a full disk): a real
  // write of a probe tells.
  std::string probe = path_ + ".probe." + std::to_string(::getpid());
  int p = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  bool ok = p >= 0 && ::write(p, "x", 1) == 1 && ::fsync(p) == 0;
  int err = errno;
  if (p >= 0) ::close(p);
  ::unlink(probe.c_str());
  if (!ok) {
    ::close(fd_);
    throw std::runtime_error("the journal folder " + dir.string() + " is not writable: " + std::strerror(err) + fix);
  }
}

JournalLock::~JournalLock() {
  if (fd_ >= 0) ::close(fd_);  // releases the lock
}

Journal JournalLock::update(const std::function<bool(Journal&)>& change) {
  Journal j = load_journal(path_);
  if (change(j)) save_journal(path_, j);
  return j;
}

Journal update_journal(const std::string& path, const std::function<bool(Journal&)>& change) {
  return JournalLock(path).update(change);
}

}  // namespace ath::argocd_sync
