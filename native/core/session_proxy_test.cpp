#include "core/session_proxy.hpp"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>

#include "core/test_util.hpp"

using namespace ath;
using namespace ath::testing;
namespace fs = std::filesystem;

namespace {

const std::string kPrefix = "/0123456789abcdef0123456789abcdef";

SessionProxyRecord sample() { return {{41234, kPrefix}, {4321, "98765"}, R"({"session":"1:2"})"}; }

unsigned mode_of(const std::string& path) {
  struct stat st {};
  REQUIRE(::lstat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

}  // namespace

TEST_CASE("the key changes with everything that selects kubectl's credentials, and holds no file content") {
  TempDir t;
  const std::string a = t.write("a", "apiVersion: v1\nusers:\n- name: u\n  user: {token: SECRET-TOKEN}\n");
  const std::string b = t.write("b", "apiVersion: v1\n");
  const auto e = env_of({{"KUBECONFIG", a + ":" + b}, {"HOME", t.path.string()}});
  const KubeAccess base{};
  const std::string key = session_proxy_key(base, "/usr/bin/kubectl", "10:20", e);
  CHECK(key == session_proxy_key(base, "/usr/bin/kubectl", "10:20", e));
  CHECK(key.find("SECRET-TOKEN") == std::string::npos);
  CHECK(key.find(a) != std::string::npos);

  CHECK(key != session_proxy_key(base, "/usr/bin/kubectl", "11:20", e));          // another session
  CHECK(key != session_proxy_key(base, "/usr/bin/kubectl", "10:21", e));          // a reused pid
  CHECK(key != session_proxy_key(base, "/opt/kubectl", "10:20", e));              // another kubectl
  CHECK(key != session_proxy_key({.context = "dev"}, "/usr/bin/kubectl", "10:20", e));
  CHECK(key != session_proxy_key({.kubeconfig = a}, "/usr/bin/kubectl", "10:20", e));
  CHECK(key != session_proxy_key(base, "/usr/bin/kubectl", "10:20", env_of({{"KUBECONFIG", a}})));
  CHECK(key != session_proxy_key(base, "/usr/bin/kubectl", "10:20", env_of({{"HOME", t.path.string()}})));
  t.write("b", "apiVersion: v1\ncurrent-context: other\n");                       // rewritten contents
  CHECK(key != session_proxy_key(base, "/usr/bin/kubectl", "10:20", e));

  // Without KUBECONFIG: ~/.kube/config, present or not.
  const auto home = env_of({{"HOME", t.path.string()}});
  const std::string missing = session_proxy_key(base, "kubectl", "1:2", home);
  fs::create_directories(t.path / ".kube");
  t.write(".kube/config", "apiVersion: v1\n");
  CHECK(missing != session_proxy_key(base, "kubectl", "1:2", home));
}

TEST_CASE("a record reads back, and only a well-formed one") {
  const SessionProxyRecord r = sample();
  auto back = parse_session_proxy_record(session_proxy_record_text(r));
  REQUIRE(back);
  CHECK(back->endpoint.port == 41234);
  CHECK(back->endpoint.prefix == kPrefix);
  CHECK(back->keeper == ProcessIdentity{4321, "98765"});
  CHECK(back->key == r.key);

  auto with = [&](const char* field, nlohmann::json value) {
    auto j = nlohmann::json::parse(session_proxy_record_text(r));
    if (value.is_null()) j.erase(field);
    else j[field] = value;
    return parse_session_proxy_record(j.dump());
  };
  CHECK_FALSE(with("port", 0));
  CHECK_FALSE(with("port", 65536));
  CHECK_FALSE(with("port", "41234"));
  CHECK_FALSE(with("port", nullptr));
  CHECK_FALSE(with("prefix", kPrefix + "/"));
  CHECK_FALSE(with("prefix", kPrefix.substr(1)));
  CHECK_FALSE(with("prefix", kPrefix.substr(0, 32)));
  CHECK_FALSE(with("prefix", "/0123456789ABCDEF0123456789abcdef"));
  CHECK_FALSE(with("prefix", "/../api/v1/0123456789abcdef012345"));
  CHECK_FALSE(with("keeper_pid", 0));
  CHECK_FALSE(with("keeper_pid", -5));
  CHECK_FALSE(with("keeper_start", "12a"));
  CHECK_FALSE(with("keeper_start", 98765));
  CHECK_FALSE(with("key", ""));
  CHECK_FALSE(with("key", nullptr));
  CHECK_FALSE(parse_session_proxy_record("not json"));
  CHECK_FALSE(parse_session_proxy_record("[1,2]"));
  CHECK_FALSE(parse_session_proxy_record(std::string(70000, ' ') + session_proxy_record_text(r)));
}

TEST_CASE("a record is reused only for the same key while its keeper runs with the recorded start time") {
  const SessionProxyRecord r = sample();
  CHECK(may_reuse(r, r.key, ProcessIdentity{4321, "98765"}));
  CHECK_FALSE(may_reuse(std::nullopt, r.key, ProcessIdentity{4321, "98765"}));
  CHECK_FALSE(may_reuse(r, r.key + " ", ProcessIdentity{4321, "98765"}));   // other credentials or session
  CHECK_FALSE(may_reuse(r, r.key, std::nullopt));                            // keeper gone
  CHECK_FALSE(may_reuse(r, r.key, ProcessIdentity{4321, "98766"}));          // pid reused by another process
}

TEST_CASE("a keeper stops on a signal, when the session ends, when kubectl exits, when its record is gone, when idle") {
  using std::chrono::seconds;
  const seconds idle(900);
  CHECK(keeper_stop({}, idle) == KeeperStop::None);
  CHECK(keeper_stop({.since_last_use = seconds(899)}, idle) == KeeperStop::None);
  CHECK(keeper_stop({.since_last_use = seconds(900)}, idle) == KeeperStop::Idle);
  CHECK(keeper_stop({.signalled = true}, idle) == KeeperStop::Signal);
  CHECK(keeper_stop({.session_running = false}, idle) == KeeperStop::SessionEnded);
  CHECK(keeper_stop({.proxy_running = false}, idle) == KeeperStop::ProxyExited);
  CHECK(keeper_stop({.record_is_ours = false}, idle) == KeeperStop::RecordGone);
  CHECK(keeper_stop({.record_is_ours = false, .since_last_use = seconds::max()}, idle) == KeeperStop::RecordGone);
  CHECK(std::string(describe(KeeperStop::SessionEnded)).find("session") != std::string::npos);
}

TEST_CASE("records, locks and the log live under a name derived from the key") {
  const std::string f = session_proxy_file("/d", "k1", ".json");
  CHECK(std::regex_match(f, std::regex("/d/[0-9a-f]{16}\\.json")));
  CHECK(f == session_proxy_file("/d", "k1", ".json"));
  CHECK(f != session_proxy_file("/d", "k2", ".json"));
  CHECK(session_proxy_file("/d", "k1", ".lock") == f.substr(0, f.size() - 5) + ".lock");
}

TEST_CASE("the records' folder must be private: created 0700, refused when open, linked or not ours") {
  TempDir t;
  const std::string dir = (t.path / "state" / "session-proxies").string();
  CHECK_FALSE(private_dir_problem(dir));
  CHECK(mode_of(dir) == 0700);
  CHECK_FALSE(private_dir_problem(dir));  // again: it exists
  ::chmod(dir.c_str(), 0755);
  auto open = private_dir_problem(dir);
  REQUIRE(open);
  CHECK(open->find("0755") != std::string::npos);
  const std::string link = (t.path / "link").string();
  fs::create_directory_symlink(t.path / "elsewhere", link);
  fs::create_directory(t.path / "elsewhere");
  ::chmod((t.path / "elsewhere").c_str(), 0700);
  CHECK(private_dir_problem(link));
  CHECK(private_dir_problem(t.write("file", "x")));
}

TEST_CASE("a record file is written 0600 and atomically, and read without following links") {
  TempDir t;
  const std::string path = (t.path / "r.json").string();
  CHECK_FALSE(read_session_proxy_record(path));
  write_session_proxy_record(path, sample());
  CHECK(mode_of(path) == 0600);
  auto back = read_session_proxy_record(path);
  REQUIRE(back);
  CHECK(back->keeper.pid == 4321);
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(t.path)) names.push_back(e.path().filename().string());
  CHECK(names == std::vector<std::string>{"r.json"});  // no temporary left behind
  const std::string link = (t.path / "l.json").string();
  fs::create_symlink(path, link);
  CHECK_FALSE(read_session_proxy_record(link));
  t.write("r.json", "{\"port\": 1");
  CHECK_FALSE(read_session_proxy_record(path));
}

TEST_CASE("one holder of the lock at a time; the next one waits, then gets it") {
  TempDir t;
  const std::string path = (t.path / "x.lock").string();
  auto first = std::make_unique<FileLock>(path, std::chrono::milliseconds(0));
  CHECK(first->locked());
  CHECK(mode_of(path) == 0600);
  const auto start = std::chrono::steady_clock::now();
  CHECK_FALSE(FileLock(path, std::chrono::milliseconds(100)).locked());
  CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(100));
  first.reset();
  CHECK(FileLock(path, std::chrono::milliseconds(0)).locked());
}
