#include "tcp_proxy.h"

#include <array>
#include <atomic>
#include <future>
#include <thread>
#include <vector>

#include "korder/kclient/detail/asio.h"
// After detail/asio.h, which carries the Boost 1.74 + g++ 12 workaround.
#include <boost/asio/write.hpp>

namespace korder::kclient::integration {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using boost::system::error_code;

// One proxied connection: two pumps, client → upstream and upstream → client. Everything runs on
// the proxy's single io thread, so no strand is needed.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(net::io_context& io, tcp::socket client) : client_(std::move(client)), upstream_(io) {}

  void start(std::uint16_t upstream_port) {
    const tcp::endpoint target(net::ip::address_v4::loopback(), upstream_port);
    upstream_.async_connect(target, [self = shared_from_this()](error_code ec) {
      if (ec) {
        self->close();
        return;
      }
      self->pump(self->client_, self->upstream_, self->to_upstream_);
      self->pump(self->upstream_, self->client_, self->to_client_);
    });
  }

  void close() {
    error_code ignored;
    client_.close(ignored);
    upstream_.close(ignored);
  }

 private:
  using Buffer = std::array<char, 16 * 1024>;

  void pump(tcp::socket& from, tcp::socket& to, Buffer& buffer) {
    from.async_read_some(net::buffer(buffer), [self = shared_from_this(), &from, &to, &buffer](
                                                  error_code ec, std::size_t n) {
      if (ec) {
        self->close();  // either side ending ends the whole connection
        return;
      }
      net::async_write(to, net::buffer(buffer.data(), n),
                       [self, &from, &to, &buffer](error_code write_ec, std::size_t) {
                         if (write_ec) {
                           self->close();
                           return;
                         }
                         self->pump(from, to, buffer);
                       });
    });
  }

  tcp::socket client_;
  tcp::socket upstream_;
  Buffer to_upstream_;
  Buffer to_client_;
};

}  // namespace

class TcpProxy::Impl {
 public:
  explicit Impl(std::uint16_t upstream)
      : upstream_(upstream),
        acceptor_(io_, tcp::endpoint(net::ip::address_v4::loopback(), 0)),
        port_(acceptor_.local_endpoint().port()),
        work_(net::make_work_guard(io_)) {}

  void start() {
    accept();
    thread_ = std::thread([this] { io_.run(); });
  }

  void shutdown() {
    std::promise<void> closed;
    net::post(io_, [this, &closed] {
      error_code ignored;
      acceptor_.close(ignored);
      close_all();
      closed.set_value();
    });
    closed.get_future().wait();
    work_.reset();
    io_.stop();
    if (thread_.joinable()) {
      thread_.join();
    }
  }

  std::uint16_t port() const { return port_; }

  enum class Mode { Forward, Cut, Stall };

  void set_mode(Mode mode) {
    std::promise<void> done;
    net::post(io_, [this, mode, &done] {
      mode_ = mode;
      close_all();
      done.set_value();
    });
    done.get_future().wait();
  }

  std::size_t accepted() const { return accepted_; }

 private:
  void accept() {
    acceptor_.async_accept([this](error_code ec, tcp::socket socket) {
      if (ec) {
        return;  // closed
      }
      ++accepted_;
      if (mode_ == Mode::Cut) {
        error_code ignored;
        socket.close(ignored);
      } else if (mode_ == Mode::Stall) {
        held_.push_back(std::move(socket));
      } else {
        auto session = std::make_shared<Session>(io_, std::move(socket));
        sessions_.push_back(session);
        session->start(upstream_);
      }
      accept();
    });
  }

  void close_all() {
    for (const auto& weak : sessions_) {
      if (auto session = weak.lock()) {
        session->close();
      }
    }
    sessions_.clear();
    for (tcp::socket& socket : held_) {
      error_code ignored;
      socket.close(ignored);
    }
    held_.clear();
  }

  const std::uint16_t upstream_;
  net::io_context io_;
  tcp::acceptor acceptor_;
  const std::uint16_t port_;
  net::executor_work_guard<net::io_context::executor_type> work_;
  std::thread thread_;
  // The io thread's only:
  Mode mode_ = Mode::Forward;
  std::vector<std::weak_ptr<Session>> sessions_;
  std::vector<tcp::socket> held_;
  std::atomic<std::size_t> accepted_{0};
};

TcpProxy::TcpProxy(std::uint16_t upstream) : impl_(std::make_shared<Impl>(upstream)) {
  impl_->start();
}

TcpProxy::~TcpProxy() { impl_->shutdown(); }

std::uint16_t TcpProxy::port() const { return impl_->port(); }

void TcpProxy::cut() { impl_->set_mode(Impl::Mode::Cut); }

void TcpProxy::stall() { impl_->set_mode(Impl::Mode::Stall); }

void TcpProxy::restore() { impl_->set_mode(Impl::Mode::Forward); }

std::size_t TcpProxy::connections_accepted() const { return impl_->accepted(); }

}  // namespace korder::kclient::integration
