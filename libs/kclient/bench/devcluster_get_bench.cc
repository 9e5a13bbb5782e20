// GET throughput over one keep-alive connection to the development cluster (a real
// korder-devcluster process started by the shared test fixture): the blocking facade (a
// reconcile worker's view) and the awaitable form (an io thread's view), over plain HTTP and
// over HTTPS verified against the cluster's CA. The cluster, the client's io thread and the
// benchmark thread share the machine's cores, so the numbers include the server's own cost per
// request; compare with BM_*GetKeepAlive (the scripted server, which costs next to nothing).
//
//   ./build/libs/kclient/kclient_bench --benchmark_filter=Devcluster

#if KORDER_BENCH_WITH_DEVCLUSTER

#include <benchmark/benchmark.h>

#include <memory>
#include <stdexcept>
#include <string>

#include "korder/api/pod.h"
#include "korder/kclient/config.h"
#include "korder/kclient/rest_client.h"
#include "korder/kclient/testing/io_thread.h"
#include "korder/kclient/transport.h"
#include "korder/kclient/typed_resources.h"
#include "test_cluster.h"

namespace korder::kclient {
namespace {

// One cluster for every benchmark of the run (stopped at exit), with the pod they read.
korder::testing::TestCluster& cluster() {
  static korder::testing::TestCluster instance;
  static const bool seeded = [] {
    const std::string pod =
        R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p1","namespace":"default",)"
        R"("labels":{"korder.dev/role":"guardian"}},"spec":{"containers":[{"name":"pause",)"
        R"("image":"registry.k8s.io/pause:3.10","resources":{"requests":{"cpu":"500m",)"
        R"("memory":"1Gi"}}}]}})";
    const auto created = instance.api("POST", "/api/v1/namespaces/default/pods", pod);
    if (created.status != 201) {
      throw std::runtime_error("creating the benchmark pod: " + created.body);
    }
    return true;
  }();
  (void)seeded;
  return instance;
}

struct Client {
  explicit Client(bool tls) {
    auto& c = cluster();
    auto loaded = load_kubeconfig(tls ? c.kubeconfig() : c.plain_kubeconfig());
    if (!loaded) {
      throw std::runtime_error(loaded.error().message);
    }
    config = std::move(loaded).value();
    auto made = Transport::create(io.io(), config, clock);
    if (!made) {
      throw std::runtime_error(made.error().message);
    }
    transport = std::move(made).value();
    client = std::make_unique<RestClient>(*transport, clock, nullptr);
  }
  Config config;
  SystemClock clock;
  testing::IoThread io;
  std::unique_ptr<Transport> transport;
  std::unique_ptr<RestClient> client;
};

void blocking_get(benchmark::State& state, bool tls) {
  Client c(tls);
  for (auto _ : state) {
    auto pod = c.client->get(resources::pods(), "default", "p1");
    if (!pod) {
      state.SkipWithError(pod.error().to_string().c_str());
      break;
    }
    benchmark::DoNotOptimize(pod->data());
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["connections"] = static_cast<double>(c.transport->connections_opened());
}

void BM_DevclusterBlockingGet(benchmark::State& state) { blocking_get(state, false); }
BENCHMARK(BM_DevclusterBlockingGet)->UseRealTime();

void BM_DevclusterBlockingGetTls(benchmark::State& state) { blocking_get(state, true); }
BENCHMARK(BM_DevclusterBlockingGetTls)->UseRealTime();

// The typed form: the same GET decoded into api::Pod.
void BM_DevclusterBlockingTypedGet(benchmark::State& state) {
  Client c(false);
  for (auto _ : state) {
    auto pod = c.client->get<api::Pod>("default", "p1");
    if (!pod) {
      state.SkipWithError(pod.error().to_string().c_str());
      break;
    }
    benchmark::DoNotOptimize(pod->metadata.name.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["connections"] = static_cast<double>(c.transport->connections_opened());
}
BENCHMARK(BM_DevclusterBlockingTypedGet)->UseRealTime();

constexpr int kBatch = 100;

boost::asio::awaitable<Expected<int, ApiError>> get_batch(RestClient& client) {
  for (int i = 0; i < kBatch; ++i) {
    auto pod = co_await client.async_get(resources::pods(), "default", "p1");
    if (!pod) {
      co_return Unexpected(std::move(pod).error());
    }
  }
  co_return kBatch;
}

void async_get(benchmark::State& state, bool tls) {
  Client c(tls);
  for (auto _ : state) {
    auto done = c.io.run(get_batch(*c.client));
    if (!done) {
      state.SkipWithError(done.error().to_string().c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
  state.counters["connections"] = static_cast<double>(c.transport->connections_opened());
}

void BM_DevclusterAsyncGet(benchmark::State& state) { async_get(state, false); }
BENCHMARK(BM_DevclusterAsyncGet)->UseRealTime();

void BM_DevclusterAsyncGetTls(benchmark::State& state) { async_get(state, true); }
BENCHMARK(BM_DevclusterAsyncGetTls)->UseRealTime();

}  // namespace
}  // namespace korder::kclient

#endif  // KORDER_BENCH_WITH_DEVCLUSTER
