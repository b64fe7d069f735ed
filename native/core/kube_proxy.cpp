#include "core/kube_proxy.hpp"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <unistd.h>

#include <boost/process.hpp>
#include <boost/process/extend.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <future>
#include <regex>
#include <sstream>
#include <stdexcept>

#include "core/child_fds.hpp"
#include "core/kubeconfig.hpp"
#include "core/process.hpp"

namespace ath {
namespace bp = boost::process;

std::vector<std::string> KubeAccess::kubectl_flags() const {
  std::vector<std::string> flags;
  if (!context.empty()) flags.push_back("--context=" + context);
  if (!kubeconfig.empty()) flags.push_back("--kubeconfig=" + kubeconfig);
  return flags;
}

std::string random_api_prefix() {
  unsigned char bytes[16];
  if (::getrandom(bytes, sizeof bytes, 0) != static_cast<ssize_t>(sizeof bytes))
    throw std::runtime_error("cannot draw a random path prefix for kubectl proxy (getrandom failed)");
  static const char* hex = "0123456789abcdef";
  std::string prefix = "/";
  for (unsigned char b : bytes) {
    prefix += hex[b >> 4];
    prefix += hex[b & 15];
  }
  return prefix;
}

struct KubeProxy::Child {
  bp::ipstream out;
  bp::child process;
  std::string err_path;
};

namespace {

// The proxy lives in its own process group, so a signal Tilt sends to the helper's group (Ctrl-C,
// `serve_cmd` shutdown) leaves it serving while the helper cleans up; and it gets SIGTERM when the
// thread that started it dies, so a helper killed with SIGKILL does not leave it behind.
struct DetachedButTied : bp::extend::handler {
  pid_t parent = ::getpid();
  template <class Executor>
  void on_exec_setup(Executor&) const {
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(1);  // the parent died before prctl took effect
    close_inherited_fds_on_exec();
  }
};

// kubectl's stderr without its own "error: " prefix (the helper adds one) and trailing blanks.
std::string read_reason(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  for (const char* prefix : {"error: ", "Error: "})
    if (s.rfind(prefix, 0) == 0) s.erase(0, std::string(prefix).size());
  return s;
}

}  // namespace

KubeProxy::KubeProxy(const KubeAccess& access) : child_(std::make_unique<Child>()) {
  auto exe = find_program(access.kubectl);
  if (!exe) throw std::runtime_error("kubectl not found on PATH (install kubectl or set AMEIDE_KUBECTL)");
  if (auto problem = kubeconfig_problem(access)) throw std::runtime_error(*problem);

  char tmpl[] = "/tmp/ath-kubectl-proxy-XXXXXX";
  int fd = ::mkstemp(tmpl);
  if (fd < 0) throw std::runtime_error("cannot create a temporary file for kubectl proxy's stderr");
  ::close(fd);
  child_->err_path = tmpl;

  // The API only under a random prefix (kube_proxy.hpp). The default --reject-paths (exec, attach)
  // and --accept-hosts (localhost only) stay: kubectl strips the prefix before its filter.
  endpoint_.prefix = random_api_prefix();
  std::vector<std::string> args = {"proxy", "--port=0", "--address=127.0.0.1", "--api-prefix=" + endpoint_.prefix + "/"};
  for (auto& f : access.kubectl_flags()) args.push_back(f);
  child_->process = bp::child(bp::exe = *exe, bp::args = args, bp::std_out > child_->out,
                              bp::std_err > child_->err_path, bp::std_in < bp::null, DetachedButTied{});

  // kubectl prints "Starting to serve on 127.0.0.1:PORT" once it listens.
  auto first_line = std::async(std::launch::async, [this] {
    std::string line;
    std::getline(child_->out, line);
    return line;
  });
  // kubectl (and the Cloud SDK's dispatcher in front of it, which asks the server its version
  // first) can take seconds against a slow server; 30 s at most, and never past the deadline.
  const auto wait = access.deadline.cap(std::chrono::seconds(30));
  if (first_line.wait_for(wait) != std::future_status::ready) {
    child_->process.terminate();
    first_line.wait();
    std::string reason = read_reason(child_->err_path);
    const auto secs = std::to_string(std::chrono::duration_cast<std::chrono::seconds>(wait).count());
    throw std::runtime_error("kubectl proxy did not start within " + secs + " s" +
                             (wait < std::chrono::seconds(30) ? " (the run's --timeout)" : "") +
                             (reason.empty() ? "" : ": " + reason) + "; check that the API server " +
                             describe_api_server(access) + " is reachable");
  }
  std::smatch m;
  std::string line = first_line.get();
  static const std::regex serving(R"(Starting to serve on [^:]+:(\d+))");
  if (!std::regex_search(line, m, serving)) {
    std::error_code ec;
    child_->process.wait(ec);
    std::string reason = read_reason(child_->err_path);
    ::unlink(child_->err_path.c_str());
    throw std::runtime_error("kubectl proxy could not start: " + (reason.empty() ? "it exited without serving" : reason));
  }
  endpoint_.port = std::stoi(m[1]);
}

bool KubeProxy::running() { return child_->process.valid() && child_->process.running(); }

KubeProxy::~KubeProxy() {
  if (child_->process.valid() && child_->process.running()) {
    ::kill(child_->process.id(), SIGTERM);
    std::error_code ec;
    if (!child_->process.wait_for(std::chrono::seconds(2), ec)) child_->process.terminate(ec);
  }
  ::unlink(child_->err_path.c_str());
}

}  // namespace ath
