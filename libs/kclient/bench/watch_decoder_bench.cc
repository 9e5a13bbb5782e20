// WatchDecoder throughput over a recorded stream of 10,000 Ticket events (about 1.4 KB each, as
// the API server writes them: compact JSON, one event per line), fed in 16 KiB reads.

#include <benchmark/benchmark.h>

#include <string>

#include "korder/kclient/watch_event.h"

namespace korder::kclient {
namespace {

constexpr int kEvents = 10000;
constexpr std::size_t kReadSize = 16 * 1024;

std::string ticket_event(int i) {
  const std::string n = std::to_string(i);
  return R"({"type":"MODIFIED","object":{"apiVersion":"core.korder.dev/v1alpha1","kind":"Ticket",)"
         R"("metadata":{"name":"my-order-)" +
         n + R"(","namespace":"team-a","uid":"0b6c2a1e-6f0b-4c43-9a55-)" + n +
         R"(","resourceVersion":")" + std::to_string(100000 + i) +
         R"(","generation":3,"creationTimestamp":"2026-11-25T01:59:00Z","labels":{)"
         R"("korder.dev/order":"my-order","korder.dev/slot":"r)" +
         n +
         R"(","korder.dev/incarnation":"2"},"annotations":{"korder.dev/node":"node-7"},)"
         R"("ownerReferences":[{"apiVersion":"core.korder.dev/v1alpha1","kind":"Order",)"
         R"("name":"my-order","uid":"5f1c9b7e-1d2a-4e8b-9c3d-2a1b0c9d8e7f","controller":true,)"
         R"("blockOwnerDeletion":true}],"finalizers":["korder.dev/ticket-protection"]},)"
         R"("spec":{"duration":"24h","window":{"startTime":"2026-11-25T02:00:00Z"},)"
         R"("resources":{"requests":{"cpu":"500m","memory":"1Gi"},"limits":{"cpu":"1",)"
         R"("memory":"2Gi"}},"nodeSelector":{"node-type":"compute"},"tolerations":[{"key":)"
         R"("dedicated","operator":"Equal","value":"korder","effect":"NoSchedule"}],)"
         R"("priorityClassName":"korder-guardian"},"status":{"phase":"Ready","nodeName":)"
         R"("node-7","guardianPod":"my-order-)" +
         n +
         R"(-guardian","activationTime":"2026-11-25T02:00:03Z","expirationTime":)"
         R"("2026-11-26T02:00:00Z","conditions":[{"type":"Ready","status":"True",)"
         R"("observedGeneration":3,"lastTransitionTime":"2026-11-25T02:00:03Z","reason":)"
         R"("GuardianRunning","message":"the guardian pod holds the capacity"}],)"
         R"("observedGeneration":3}}})"
         "\n";
}

const std::string& recorded_stream() {
  static const std::string stream = [] {
    std::string out;
    for (int i = 0; i < kEvents; ++i) {
      out += ticket_event(i);
    }
    return out;
  }();
  return stream;
}

void BM_WatchDecoder10kTicketEvents(benchmark::State& state) {
  const std::string& stream = recorded_stream();
  for (auto _ : state) {
    WatchDecoder decoder;
    int events = 0;
    for (std::size_t at = 0; at < stream.size(); at += kReadSize) {
      decoder.feed(std::string_view(stream).substr(at, kReadSize));
      for (;;) {
        auto next = decoder.next();
        if (!next || !next->has_value()) {
          break;
        }
        benchmark::DoNotOptimize((*next)->object.data());
        ++events;
      }
    }
    if (events != kEvents) {
      state.SkipWithError("the decoder lost events");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * kEvents);
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(stream.size()));
}
BENCHMARK(BM_WatchDecoder10kTicketEvents)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace korder::kclient
