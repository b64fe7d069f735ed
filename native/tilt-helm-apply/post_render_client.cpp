// The post-renderer half of the render handoff (render_handoff.hpp): stdin to the apply's socket,
// its verdict back, then the manifest to stdout. Helm starts it once per apply, so it is built as
// its own small program, `tilt-helm-apply-post-render`, from this file alone: libc only (no
// libstdc++, Boost, spdlog or the kube libraries), linked statically where the toolchain can, so
// a start costs well under a millisecond of CPU instead of the ~24 ms of loading tilt-helm-apply.
// tilt-helm-apply links it too, for its hidden `post-render` command (the fallback when the
// small program is not beside it).
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "render_handoff.hpp"

namespace ath::helm_apply {

namespace {

struct Buffer {
  char* data = nullptr;
  size_t size = 0;
  size_t cap = 0;
  Buffer() = default;
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  ~Buffer() { std::free(data); }
};

// Reads `fd` to EOF into `b`; false on a read error or when memory runs out.
bool read_all(int fd, Buffer& b) {
  for (;;) {
    if (b.cap - b.size < 65536) {
      const size_t cap = b.cap ? b.cap * 2 : 262144;
      char* grown = static_cast<char*>(std::realloc(b.data, cap));
      if (!grown) return false;
      b.data = grown;
      b.cap = cap;
    }
    const ssize_t n = ::read(fd, b.data + b.size, b.cap - b.size);
    if (n == 0) return true;
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    b.size += static_cast<size_t>(n);
  }
}

// Writes all of [p, p+n) to `fd`; a socket is written with MSG_NOSIGNAL (an apply gone is an
// error here, not a SIGPIPE).
bool write_all(int fd, const char* p, size_t n, bool socket) {
  while (n > 0) {
    const ssize_t w = socket ? ::send(fd, p, n, MSG_NOSIGNAL) : ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

void say(const char* a, const char* b = "", const char* c = "") {
  for (const char* s : {a, b, c}) write_all(STDERR_FILENO, s, std::strlen(s), false);
}

}  // namespace

int run_post_render() {
  Buffer manifest;
  if (!read_all(STDIN_FILENO, manifest)) {
    say("tilt-helm-apply post-render: cannot read the manifest from helm: ", std::strerror(errno), "\n");
    return 1;
  }
  const char* path = std::getenv(kHandoffSocketEnv);
  if (!path || !*path) {
    say("tilt-helm-apply post-render: ", kHandoffSocketEnv,
        " is not set; this command only runs as the post-renderer of tilt-helm-apply apply\n");
    return 2;
  }
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (std::strlen(path) >= sizeof addr.sun_path) {
    say("tilt-helm-apply post-render: the socket path is too long: ", path, "\n");
    return 2;
  }
  std::strcpy(addr.sun_path, path);
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  Buffer reply;
  const bool ok = fd >= 0 && ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0 &&
                  write_all(fd, manifest.data, manifest.size, true) && ::shutdown(fd, SHUT_WR) == 0 &&
                  read_all(fd, reply);
  const int err = errno;
  if (fd >= 0) ::close(fd);
  if (!ok) {
    say("tilt-helm-apply post-render: lost the apply that started helm (", std::strerror(err),
        "); nothing was applied\n");
    return 1;
  }
  // Protocol (render_handoff.cpp): "ok\n", or "refused\n<message>".
  static constexpr char kOk[] = "ok\n";
  if (!(reply.size == sizeof kOk - 1 && std::memcmp(reply.data, kOk, reply.size) == 0)) {
    const char* nl = reply.size ? static_cast<const char*>(std::memchr(reply.data, '\n', reply.size)) : nullptr;
    if (!nl) {
      say("no verdict from tilt-helm-apply\n");
    } else {
      write_all(STDERR_FILENO, nl + 1, reply.size - static_cast<size_t>(nl + 1 - reply.data), false);
      say("\n");
    }
    return 1;
  }
  return write_all(STDOUT_FILENO, manifest.data, manifest.size, false) ? 0 : 1;
}

}  // namespace ath::helm_apply
