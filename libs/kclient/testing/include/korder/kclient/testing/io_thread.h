#pragma once

#include <optional>
#include <thread>

#include "korder/kclient/detail/asio.h"

namespace korder::kclient::testing {

/// An io_context run by one background thread for the life of the object, as `main` runs the
/// process's io_context. Tests start coroutines on it and block on their results with `run`.
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

  /// Runs `op` on the io thread and waits for its result (rethrows what escapes it).
  template <typename T>
  T run(boost::asio::awaitable<T> op) {
    return boost::asio::co_spawn(io_, std::move(op), boost::asio::use_future).get();
  }

 private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::thread thread_;
};

}  // namespace korder::kclient::testing
