#include "korder/certs/bootstrap_client.h"

// clang-format off
#include "korder/kclient/detail/asio.h"  // before any Boost header (STYLE §1)
// clang-format on

#include <memory>
#include <optional>
#include <thread>

#include "korder/certs/ca_secret.h"
#include "korder/certs/certificate_manager.h"
#include "korder/kclient/rest_client.h"
#include "korder/kclient/transport.h"

namespace korder::certs {
namespace {

// An io_context run by one thread for the object's life.
class IoThread {
 public:
  IoThread() : work_(boost::asio::make_work_guard(io_)), thread_([this] { io_.run(); }) {}
  ~IoThread() {
    work_.reset();
    io_.stop();
    thread_.join();
  }
  IoThread(const IoThread&) = delete;
  IoThread& operator=(const IoThread&) = delete;
  boost::asio::io_context& io() { return io_; }

 private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::thread thread_;
};

}  // namespace

Expected<void, std::string> with_bootstrap_client(
    const kclient::Config& config, Clock& clock,
    const std::function<Expected<void, std::string>(kclient::RestClient&)>& work) {
  // Declared in dependency order: the client and transport go before the io thread stops.
  IoThread io;
  auto transport = kclient::Transport::create(io.io(), config, clock);
  if (!transport) {
    return Unexpected("cannot create the API transport: " + transport.error().message);
  }
  kclient::RestClient client(**transport, clock, nullptr);
  return work(client);
}

Expected<TimePoint, std::string> first_sync(CertificateManager& certificates,
                                            const kclient::Config& config, Clock& clock) {
  std::optional<TimePoint> next_pass;
  auto done = with_bootstrap_client(
      config, clock, [&](kclient::RestClient& client) -> Expected<void, std::string> {
        RestSecretClient secrets(client);
        auto next = certificates.sync(secrets);
        if (!next) {
          return Unexpected(next.error());
        }
        next_pass = *next;
        return {};
      });
  if (!done) {
    return Unexpected(done.error());
  }
  return *next_pass;
}

}  // namespace korder::certs
