// GET throughput over one keep-alive connection to the scripted API server on loopback: the
// blocking facade (a worker thread's view) and the awaitable form (an io thread's view). The
// server, the client's io thread and the benchmark thread share the machine, so the numbers are
// an upper bound on client overhead per request, not a network measurement.

#include <benchmark/benchmark.h>

#include <memory>
#include <string>

#include "korder/kclient/rest_client.h"
#include "korder/kclient/testing/io_thread.h"
#include "korder/kclient/testing/scripted_api_server.h"

namespace korder::kclient {
namespace {

const std::string kPod =
    R"({"kind":"Pod","apiVersion":"v1","metadata":{"name":"p1","namespace":"default",)"
    R"("uid":"7d4f0c1e-2b3a-4c5d-8e9f-0a1b2c3d4e5f","resourceVersion":"1234","labels":{)"
    R"("korder.dev/role":"guardian","korder.dev/ticket":"my-order-0"}},"spec":{"nodeName":)"
    R"("node-7","containers":[{"name":"pause","image":"registry.k8s.io/pause:3.10",)"
    R"("resources":{"requests":{"cpu":"500m","memory":"1Gi"}}}]},"status":{"phase":"Running"}})";

struct Client {
  Client() {
    server.answer_unscripted(testing::ScriptedResponse::json(200, kPod));
    transport = std::move(Transport::create(io.io(), server.config(), clock)).value();
    client = std::make_unique<RestClient>(*transport, clock, nullptr);
  }
  testing::ScriptedApiServer server;
  testing::IoThread io;
  SystemClock clock;
  std::unique_ptr<Transport> transport;
  std::unique_ptr<RestClient> client;
};

void BM_BlockingGetKeepAlive(benchmark::State& state) {
  Client c;
  for (auto _ : state) {
    auto pod = c.client->get(resources::pods(), "default", "p1");
    if (!pod) {
      state.SkipWithError(pod.error().to_string().c_str());
      break;
    }
    benchmark::DoNotOptimize(pod->data());
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["connections"] = static_cast<double>(c.server.connections_accepted());
}
BENCHMARK(BM_BlockingGetKeepAlive)->UseRealTime();

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

void BM_AsyncGetKeepAlive(benchmark::State& state) {
  Client c;
  for (auto _ : state) {
    auto done = c.io.run(get_batch(*c.client));
    if (!done) {
      state.SkipWithError(done.error().to_string().c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
  state.counters["connections"] = static_cast<double>(c.server.connections_accepted());
}
BENCHMARK(BM_AsyncGetKeepAlive)->UseRealTime();

}  // namespace
}  // namespace korder::kclient
