#include "korder/kclient/daemon_runtime.h"

#include <catch2/catch.hpp>
#include <string>

#include "korder/kclient/manager.h"
#include "korder/kclient/metrics.h"
#include "korder/kclient/testing/temp_dir.h"

namespace korder::kclient {
namespace {

using testing::TempDir;

constexpr const char* kKubeconfig =
    "current-context: c\n"
    "clusters: [{name: c, cluster: {server: 'http://127.0.0.1:1'}}]\n"
    "contexts: [{name: c, context: {cluster: c, namespace: team-a}}]\n";

DaemonRuntimeOptions runtime_options() {
  DaemonRuntimeOptions options;
  options.name = "korder-test-daemon";
  return options;
}

TEST_CASE("DaemonRuntime reports a kubeconfig it cannot read, naming the file", "[unit][kclient]") {
  TempDir dir;
  CommonOptions common;
  common.kubeconfig = (dir.path() / "missing-kubeconfig").string();
  SystemClock clock;
  MetricsRegistry metrics;
  const auto runtime = DaemonRuntime::create(common, runtime_options(), clock, metrics);
  REQUIRE_FALSE(runtime.has_value());
  CHECK(runtime.error() == "cannot load the client configuration error=kubeconfig " +
                               common.kubeconfig + ": cannot read: No such file or directory");
}

TEST_CASE("DaemonRuntime reports every invalid manager option on one line", "[unit][kclient]") {
  TempDir dir;
  CommonOptions common;
  common.kubeconfig = dir.write("kubeconfig", kKubeconfig);
  SystemClock clock;
  MetricsRegistry metrics;
  DaemonRuntimeOptions options = runtime_options();
  options.name.clear();
  options.io_threads = 0;
  const auto runtime = DaemonRuntime::create(common, std::move(options), clock, metrics);
  REQUIRE_FALSE(runtime.has_value());
  CHECK(runtime.error() ==
        "invalid options error=the manager needs a name (the binary's); --io-threads must be at "
        "least 1, got 0; leader election: the Lease name is empty");
}

TEST_CASE("DaemonRuntime builds the client stack from the common options", "[unit][kclient]") {
  TempDir dir;
  CommonOptions common;
  common.kubeconfig = dir.write("kubeconfig", kKubeconfig);
  SystemClock clock;
  MetricsRegistry metrics;
  DaemonRuntimeOptions options = runtime_options();
  auto runtime = DaemonRuntime::create(common, std::move(options), clock, metrics);
  REQUIRE(runtime.has_value());
  DaemonRuntime& stack = **runtime;
  CHECK(stack.config().server == "http://127.0.0.1:1");
  CHECK(stack.config().namespace_ == "team-a");
  CHECK_FALSE(stack.identity().empty());
  // The recorder is the manager's (the event sink was wired into it).
  CHECK(&stack.events() == &stack.manager().event_recorder());
}

}  // namespace
}  // namespace korder::kclient
