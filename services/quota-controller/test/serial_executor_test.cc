#include "serial_executor.h"

#include <catch2/catch.hpp>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"

namespace korder::quota {
namespace {

TEST_CASE("a task submitted while another runs is queued and run by the running thread", "[unit]") {
  SerialExecutor executor;
  absl::Notification first_started;
  absl::Notification second_submitted;
  std::vector<int> order;
  std::thread::id second_ran_on;
  std::thread runner([&] {
    executor.submit([&] {
      first_started.Notify();
      second_submitted.WaitForNotification();
      order.push_back(1);
    });
  });
  first_started.WaitForNotification();
  // Returns at once: the runner thread is busy and will run this task after its own.
  executor.submit([&] {
    order.push_back(2);
    second_ran_on = std::this_thread::get_id();
  });
  CHECK(order.empty());
  second_submitted.Notify();
  const std::thread::id runner_id = runner.get_id();
  runner.join();
  CHECK(order == std::vector<int>{1, 2});
  CHECK(second_ran_on == runner_id);
}

TEST_CASE("an idle executor runs a task on the submitting thread at once", "[unit]") {
  SerialExecutor executor;
  std::thread::id ran_on;
  executor.submit([&] { ran_on = std::this_thread::get_id(); });
  CHECK(ran_on == std::this_thread::get_id());
}

}  // namespace
}  // namespace korder::quota
