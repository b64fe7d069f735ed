#pragma once
// A child gets stdin, stdout and stderr from its parent and no other descriptor.
//
// Why: Boost.Process 1.74 opens a spawn's pipes without O_CLOEXEC, and sets FD_CLOEXEC on its
// exec-error pipe only after pipe() returned (boost/process/detail/posix/executor.hpp). A child
// that another thread forks inside that window keeps the pipe's write end across its exec, and
// the first spawn then waits for EOF on that pipe until the other child exits. tilt-helm-apply
// starts `helm upgrade` on one thread while its adoption thread starts `kubectl proxy`, which
// lives until the apply ends: the apply hung until its caller's timeout (CI run of 2026-12-02).
// The same window leaks sockets and files into long-lived children. So every child, between fork
// and exec, marks every descriptor above stderr close-on-exec.
#include <fcntl.h>
#include <unistd.h>

#include <boost/process/extend.hpp>

namespace ath {

// Async-signal-safe; runs in the child between fork and exec. `first` is the lowest descriptor
// the child may not keep (3, or higher when the caller dup2'd its own descriptors below it).
inline void close_inherited_fds_on_exec(unsigned first = 3) {
  if (::close_range(first, ~0U, CLOSE_RANGE_CLOEXEC) == 0) return;
  for (int fd = static_cast<int>(first); fd < 65536; ++fd) ::fcntl(fd, F_SETFD, FD_CLOEXEC);  // kernel < 5.11
}

// The Boost.Process form: pass `InheritStdioOnly{}` to every bp::child.
struct InheritStdioOnly : boost::process::extend::handler {
  template <class Executor>
  void on_exec_setup(Executor&) const {
    close_inherited_fds_on_exec();
  }
};

}  // namespace ath
