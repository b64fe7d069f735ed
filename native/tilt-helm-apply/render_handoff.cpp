#include "render_handoff.hpp"

#include <utility>  // boost/asio/awaitable.hpp (1.74) uses std::exchange without it

#include <boost/asio.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <iterator>

namespace ath::helm_apply {
namespace asio = boost::asio;
using stream = asio::local::stream_protocol;

// Protocol: the post-renderer sends the manifest and shuts its sending side; the apply answers
// "ok\n" or "refused\n<message>" and closes.
struct HandoffRequest::Impl {
  stream::socket socket;
  std::string manifest;
};

HandoffRequest::HandoffRequest(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HandoffRequest::~HandoffRequest() = default;
HandoffRequest::HandoffRequest(HandoffRequest&&) noexcept = default;
const std::string& HandoffRequest::manifest() const { return impl_->manifest; }

void HandoffRequest::answer(bool ok, const std::string& message) {
  const std::string reply = ok ? "ok\n" : "refused\n" + message;
  boost::system::error_code ec;
  asio::write(impl_->socket, asio::buffer(reply), ec);  // a post-renderer gone already: helm failed anyway
  impl_->socket.shutdown(stream::socket::shutdown_both, ec);
  impl_->socket.close(ec);
}

struct HandoffServer::Impl {
  asio::io_context io;
  stream::acceptor acceptor;
  explicit Impl(const std::string& path) : acceptor(io, stream::endpoint(path)) {}
};

HandoffServer::HandoffServer(const std::string& socket_path) : impl_(std::make_unique<Impl>(socket_path)) {}
HandoffServer::~HandoffServer() = default;

std::optional<HandoffRequest> HandoffServer::next(const std::atomic<bool>& stop) {
  auto req = std::make_unique<HandoffRequest::Impl>(HandoffRequest::Impl{stream::socket(impl_->io), {}});
  bool accepted = false;
  impl_->acceptor.async_accept(req->socket, [&](const boost::system::error_code& ec) { accepted = !ec; });
  impl_->io.restart();
  // Polls in short slices: helm may end (refusing a pending release, failing to render) without
  // ever running the post-renderer.
  while (!impl_->io.stopped() && !stop.load()) impl_->io.run_for(std::chrono::milliseconds(5));
  if (!impl_->io.stopped()) {
    impl_->acceptor.cancel();
    impl_->io.restart();
    impl_->io.run();
  }
  if (!accepted) return std::nullopt;
  boost::system::error_code ec;
  asio::read(req->socket, asio::dynamic_buffer(req->manifest), ec);  // to EOF
  if (ec && ec != asio::error::eof) return std::nullopt;
  return HandoffRequest(std::move(req));
}

int run_post_render() {
  std::string manifest(std::istreambuf_iterator<char>(std::cin), {});
  const char* path = std::getenv(kHandoffSocketEnv);
  if (!path || !*path) {
    std::cerr << "tilt-helm-apply post-render: " << kHandoffSocketEnv
              << " is not set; this command only runs as the post-renderer of tilt-helm-apply apply\n";
    return 2;
  }
  asio::io_context io;
  stream::socket socket(io);
  boost::system::error_code ec;
  socket.connect(stream::endpoint(path), ec);
  if (!ec) asio::write(socket, asio::buffer(manifest), ec);
  if (!ec) socket.shutdown(stream::socket::shutdown_send, ec);
  std::string reply;
  if (!ec) asio::read(socket, asio::dynamic_buffer(reply), ec);
  if (ec && ec != asio::error::eof) {
    std::cerr << "tilt-helm-apply post-render: lost the apply that started helm (" << ec.message()
              << "); nothing was applied\n";
    return 1;
  }
  if (reply != "ok\n") {
    const auto nl = reply.find('\n');
    std::cerr << (nl == std::string::npos ? std::string("no verdict from tilt-helm-apply") : reply.substr(nl + 1))
              << "\n";
    return 1;
  }
  std::fwrite(manifest.data(), 1, manifest.size(), stdout);
  return std::fflush(stdout) == 0 ? 0 : 1;
}

}  // namespace ath::helm_apply
