#include "render_handoff.hpp"

#include <utility>  // boost/asio/awaitable.hpp (1.74) uses std::exchange without it

#include <atomic>
#include <boost/asio.hpp>

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
  std::atomic<bool> stopped{false};
  explicit Impl(const std::string& path) : acceptor(io, stream::endpoint(path)) {}
};

HandoffServer::HandoffServer(const std::string& socket_path) : impl_(std::make_unique<Impl>(socket_path)) {}
HandoffServer::~HandoffServer() = default;

void HandoffServer::stop() {
  impl_->stopped = true;
  // The cancel runs on next()'s thread, inside io.run(); posted before next() runs, it waits in
  // the queue and `stopped` is seen first.
  asio::post(impl_->io, [impl = impl_.get()] { impl->acceptor.cancel(); });
}

std::optional<HandoffRequest> HandoffServer::next() {
  auto req = std::make_unique<HandoffRequest::Impl>(HandoffRequest::Impl{stream::socket(impl_->io), {}});
  bool accepted = false;
  impl_->acceptor.async_accept(req->socket, [&](const boost::system::error_code& ec) { accepted = !ec; });
  impl_->io.restart();
  // Helm may end (refusing a pending release, failing to render) without ever running the
  // post-renderer: stop() then cancels the accept.
  if (impl_->stopped) impl_->acceptor.cancel();
  impl_->io.run();
  if (!accepted) return std::nullopt;
  boost::system::error_code ec;
  asio::read(req->socket, asio::dynamic_buffer(req->manifest), ec);  // to EOF
  if (ec && ec != asio::error::eof) return std::nullopt;
  return HandoffRequest(std::move(req));
}

}  // namespace ath::helm_apply
