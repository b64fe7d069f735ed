#include "core/session_proxy.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <boost/process.hpp>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <regex>
#include <thread>

#include "core/child_fds.hpp"
#include "core/process.hpp"

namespace ath {
namespace fs = std::filesystem;

namespace {

constexpr size_t kMaxRecordBytes = 64 * 1024;

json file_identity(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return {{"path", path}, {"missing", true}};
  return {{"path", path},
          {"size", static_cast<long long>(st.st_size)},
          {"mtime_ns", static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec},
          {"inode", static_cast<unsigned long long>(st.st_ino)}};
}

std::string fnv1a64_hex(const std::string& text) {
  std::uint64_t h = 14695981039346656037ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// Everything `fd` gives until EOF; false when `wait` ends first.
bool read_until_eof(int fd, std::chrono::milliseconds wait, std::string& out) {
  const auto until = std::chrono::steady_clock::now() + wait;
  char buf[512];
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return false;
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n == 0) return true;
    if (n < 0 && errno != EINTR) return true;
    if (n > 0 && out.size() < 4096) out.append(buf, static_cast<size_t>(n));
  }
}

// Starts the keeper and waits until it has written its record or given up: the keeper's first
// process exits only then (session_keeper.hpp), with the reason on its output. Not run_process:
// its io_context installs, then resets, a process-wide SIGCHLD handler, and Boost.Process's
// wait_for on helm (the main thread, at the same time) then never hears helm exit.
void start_keeper(const KubeAccess& access, const std::string& kubectl, const SessionProxySettings& s,
                  const std::string& key, std::chrono::milliseconds wait) {
  namespace bp = boost::process;
  std::vector<std::string> args(s.keeper.begin() + 1, s.keeper.end());
  for (const std::string& a : {std::string("--dir"), s.dir, std::string("--key"), key, std::string("--session"),
                               s.session, std::string("--idle-seconds"), std::to_string(s.idle.count())})
    args.push_back(a);
  for (auto& f : access.kubectl_flags()) args.push_back(f);
  bp::environment env = boost::this_process::environment();
  env["AMEIDE_KUBECTL"] = kubectl;  // the very kubectl the key names
  bp::pipe out;
  std::error_code ec;
  bp::child first(bp::exe = s.keeper.front(), bp::args = args, env, (bp::std_out & bp::std_err) > out,
                  bp::std_in < bp::null, InheritStdioOnly{}, ec);
  if (ec) throw std::runtime_error("its keeper could not be started: " + ec.message());
  std::string said;
  if (!read_until_eof(out.native_source(), wait + std::chrono::seconds(2), said)) {
    first.terminate(ec);
    throw std::runtime_error("its keeper did not report within " +
                             std::to_string(std::chrono::duration_cast<std::chrono::seconds>(wait).count() + 2) + " s");
  }
  first.wait(ec);
  if (ec || first.exit_code() != 0)
    throw std::runtime_error("its keeper did not start" + (said.empty() ? std::string() : ": " + trimmed(said)));
}

}  // namespace

std::string session_proxy_key(const KubeAccess& access, const std::string& kubectl_path, const std::string& session,
                              const EnvLookup& env) {
  json files = json::array();
  for (const auto& f : kubeconfig_files(access, env)) files.push_back(file_identity(f));
  return json{{"session", session},
              {"kubectl", kubectl_path},
              {"kubeconfig_flag", access.kubeconfig},
              {"context", access.context},
              {"files", files}}
      .dump();
}

std::string session_proxy_record_text(const SessionProxyRecord& r) {
  return json{{"port", r.endpoint.port},
              {"prefix", r.endpoint.prefix},
              {"keeper_pid", r.keeper.pid},
              {"keeper_start", r.keeper.start},
              {"key", r.key}}
      .dump();
}

std::optional<SessionProxyRecord> parse_session_proxy_record(const std::string& text) {
  if (text.size() > kMaxRecordBytes) return std::nullopt;
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  auto integer = [&](const char* k) { return j.contains(k) && j[k].is_number_integer(); };
  auto string = [&](const char* k) { return j.contains(k) && j[k].is_string(); };
  if (!integer("port") || !string("prefix") || !integer("keeper_pid") || !string("keeper_start") || !string("key"))
    return std::nullopt;
  static const std::regex prefix("/[0-9a-f]{32}");
  SessionProxyRecord r;
  const auto port = j["port"].get<long long>();
  r.endpoint.prefix = j["prefix"].get<std::string>();
  r.key = j["key"].get<std::string>();
  auto keeper = parse_process_identity(std::to_string(j["keeper_pid"].get<long long>()) + ":" +
                                       j["keeper_start"].get<std::string>());
  if (port < 1 || port > 65535 || !std::regex_match(r.endpoint.prefix, prefix) || !keeper || r.key.empty())
    return std::nullopt;
  r.endpoint.port = static_cast<int>(port);
  r.keeper = *keeper;
  return r;
}

std::string session_proxy_file(const std::string& dir, const std::string& key, const std::string& suffix) {
  return (fs::path(dir) / (fnv1a64_hex(key) + suffix)).string();
}

bool may_reuse(const std::optional<SessionProxyRecord>& record, const std::string& key,
               const std::optional<ProcessIdentity>& keeper_now) {
  return record && record->key == key && keeper_now && *keeper_now == record->keeper;
}

KeeperStop keeper_stop(const KeeperState& s, std::chrono::seconds idle) {
  if (s.signalled) return KeeperStop::Signal;
  if (!s.session_running) return KeeperStop::SessionEnded;
  if (!s.proxy_running) return KeeperStop::ProxyExited;
  if (!s.record_is_ours) return KeeperStop::RecordGone;
  if (s.since_last_use >= idle) return KeeperStop::Idle;
  return KeeperStop::None;
}

const char* describe(KeeperStop stop) {
  switch (stop) {
    case KeeperStop::None: return "serving";
    case KeeperStop::Signal: return "stopped by a signal";
    case KeeperStop::SessionEnded: return "the session's process has ended";
    case KeeperStop::ProxyExited: return "kubectl proxy exited";
    case KeeperStop::RecordGone: return "the record no longer names this keeper";
    case KeeperStop::Idle: return "no client used the proxy for the idle time";
  }
  return "?";
}

std::optional<std::string> private_dir_problem(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(fs::path(dir).parent_path(), ec);
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    return "cannot create " + dir + ": " + std::strerror(errno);
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0) return "cannot read " + dir + ": " + std::strerror(errno);
  if (S_ISLNK(st.st_mode)) return dir + " is a symbolic link";
  if (!S_ISDIR(st.st_mode)) return dir + " is not a folder";
  if (st.st_uid != ::geteuid()) return dir + " belongs to uid " + std::to_string(st.st_uid);
  if (st.st_mode & 077) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return dir + " is open to group or others (mode " + mode + ", must be 0700)";
  }
  return std::nullopt;
}

std::optional<SessionProxyRecord> read_session_proxy_record(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::string text(kMaxRecordBytes + 1, '\0');
  size_t got = 0;
  for (ssize_t n; got < text.size() && (n = ::read(fd, text.data() + got, text.size() - got)) > 0;)
    got += static_cast<size_t>(n);
  ::close(fd);
  text.resize(got);
  return parse_session_proxy_record(text);
}

void write_session_proxy_record(const std::string& path, const SessionProxyRecord& record) {
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  const std::string text = session_proxy_record_text(record);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("cannot write " + tmp + ": " + std::strerror(errno));
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  if (::close(fd) != 0 || !written || ::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    ::unlink(tmp.c_str());
    throw std::runtime_error("cannot write " + path + ": " + why);
  }
}

FileLock::FileLock(const std::string& path, std::chrono::milliseconds wait) {
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd_ < 0) return;
  const auto until = std::chrono::steady_clock::now() + wait;
  while (!(locked_ = ::flock(fd_, LOCK_EX | LOCK_NB) == 0) && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

FileLock::~FileLock() {
  if (fd_ >= 0) ::close(fd_);  // releases the lock
}

KubeClient connect_session_proxy(const KubeAccess& access, const SessionProxySettings& s) {
  if (s.session.empty()) throw std::runtime_error("the session (the parent process) cannot be told");
  const auto kubectl = find_program(access.kubectl);
  if (!kubectl) throw std::runtime_error("kubectl not found (" + access.kubectl + ")");
  if (auto problem = private_dir_problem(s.dir)) throw std::runtime_error(*problem);
  const std::string key = session_proxy_key(access, *kubectl, s.session);
  const std::string record_path = session_proxy_file(s.dir, key, ".json");
  const auto wait = access.deadline.cap(std::chrono::seconds(30));

  FileLock lock(session_proxy_file(s.dir, key, ".lock"), wait);
  if (!lock.locked()) throw std::runtime_error("its lock file is held by another run");
  auto record = read_session_proxy_record(record_path);
  if (may_reuse(record, key, record ? process_identity(record->keeper.pid) : std::nullopt)) {
    try {
      KubeClient client = KubeClient::connect(access, record->endpoint, std::chrono::seconds(1));
      ::utimensat(AT_FDCWD, record_path.c_str(), nullptr, 0);  // in use: the keeper's idle clock restarts
      spdlog::debug("session proxy: reusing keeper {}", record->keeper.pid);
      return client;
    } catch (const std::exception& e) {
      spdlog::debug("session proxy: keeper {} did not answer ({}); replacing it", record->keeper.pid, e.what());
      if (still_running(record->keeper)) ::kill(record->keeper.pid, SIGTERM);
    }
  }
  ::unlink(record_path.c_str());
  start_keeper(access, *kubectl, s, key, wait);
  record = read_session_proxy_record(record_path);
  if (!record || !may_reuse(record, key, process_identity(record->keeper.pid)))
    throw std::runtime_error("its keeper started but left no valid record in " + record_path);
  spdlog::debug("session proxy: started keeper {}", record->keeper.pid);
  return KubeClient::connect(access, record->endpoint, access.request_timeout);
}

}  // namespace ath
