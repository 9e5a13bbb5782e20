// Informer costs on Tickets shaped as the ticket controller writes them (about 1.4 KB of JSON
// each; 2.1 KB with the managedFields entry a real API server adds):
//  - BM_StoreMemoryPerTicket: heap bytes per cached Ticket (mallinfo2 before/after), split into
//    the decoded object (shared_ptr control block included) and the Store's own overhead
//    (main set + the namespace index + a tickets_by_node index), for 100,000 tickets, with and
//    without a managedFields entry, and with managedFields kept instead of stripped;
//  - BM_InitialList / BM_Relist: one 10,000-ticket list page through the informer's typed core
//    (decode, relist diff, one-swap replace, handlers), first list and unchanged relist;
//  - BM_WatchEvents: a recorded stream of 10,000 Ticket events (4,000 ADDED, 5,000 MODIFIED,
//    1,000 DELETED) fed in 16 KiB reads through WatchDecoder, decode, state machine, Store and
//    a handler that enqueues into a WorkQueue.

#include <benchmark/benchmark.h>
#include <malloc.h>

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "korder/api/ticket.h"
#include "korder/base/clock.h"
#include "korder/kclient/informer_core.h"
#include "korder/kclient/request.h"
#include "korder/kclient/watch_event.h"
#include "korder/kclient/work_queue.h"

namespace korder::kclient {
namespace {

constexpr std::size_t kReadSize = 16 * 1024;

const std::string kManagedFields =
    R"("managedFields":[{"manager":"korder-order-controller","operation":"Update",)"
    R"("apiVersion":"core.korder.dev/v1alpha1","time":"2026-11-25T01:59:00Z","fieldsType":)"
    R"("FieldsV1","fieldsV1":{"f:metadata":{"f:finalizers":{".":{},)"
    R"("v:\"korder.dev/ticket-protection\"":{}},"f:labels":{".":{},"f:korder.dev/order":{},)"
    R"("f:korder.dev/slot":{},"f:korder.dev/incarnation":{}},"f:ownerReferences":{".":{},)"
    R"("k:{\"uid\":\"5f1c9b7e-1d2a-4e8b-9c3d-2a1b0c9d8e7f\"}":{}}},"f:spec":{".":{},)"
    R"("f:duration":{},"f:resources":{".":{},"f:requests":{".":{},"f:cpu":{},"f:memory":{}}}}}}],)";

// One Ticket's JSON; `rv` is its resourceVersion, `i` makes the name, uid and node unique.
std::string ticket_json(int i, int rv, bool managed_fields = false) {
  const std::string n = std::to_string(i);
  return R"({"apiVersion":"core.korder.dev/v1alpha1","kind":"Ticket",)"
         R"("metadata":{"name":"my-order-)" +
         n + R"(","namespace":"team-)" + std::to_string(i % 20) +
         R"(","uid":"0b6c2a1e-6f0b-4c43-9a55-)" + n + R"(","resourceVersion":")" +
         std::to_string(rv) + R"(","generation":3,"creationTimestamp":"2026-11-25T01:59:00Z",)" +
         (managed_fields ? kManagedFields : std::string()) +
         R"("labels":{"korder.dev/order":"my-order","korder.dev/slot":"r)" + n +
         R"(","korder.dev/incarnation":"2"},"annotations":{"korder.dev/node":"node-7"},)"
         R"("ownerReferences":[{"apiVersion":"core.korder.dev/v1alpha1","kind":"Order",)"
         R"("name":"my-order","uid":"5f1c9b7e-1d2a-4e8b-9c3d-2a1b0c9d8e7f","controller":true,)"
         R"("blockOwnerDeletion":true}],"finalizers":["korder.dev/ticket-protection"]},)"
         R"("spec":{"duration":"24h","window":{"startTime":"2026-11-25T02:00:00Z"},)"
         R"("resources":{"requests":{"cpu":"500m","memory":"1Gi"},"limits":{"cpu":"1",)"
         R"("memory":"2Gi"}},"nodeSelector":{"node-type":"compute"},"tolerations":[{"key":)"
         R"("dedicated","operator":"Equal","value":"korder","effect":"NoSchedule"}],)"
         R"("priorityClassName":"korder-guardian"},"status":{"phase":"Ready","nodeName":"node-)" +
         std::to_string(i % 500) + R"(","guardianPod":"my-order-)" + n +
         R"(-guardian","activationTime":"2026-11-25T02:00:03Z","expirationTime":)"
         R"("2026-11-26T02:00:00Z","conditions":[{"type":"Ready","status":"True",)"
         R"("observedGeneration":3,"lastTransitionTime":"2026-11-25T02:00:03Z","reason":)"
         R"("GuardianRunning","message":"the guardian pod holds the capacity"}],)"
         R"("observedGeneration":3}})";
}

std::string list_json(int count, int rv) {
  std::string out = R"({"apiVersion":"core.korder.dev/v1alpha1","kind":"TicketList",)"
                    R"("metadata":{"resourceVersion":")" +
                    std::to_string(rv) + R"("},"items":[)";
  for (int i = 0; i < count; ++i) {
    out += (i == 0 ? "" : ",") + ticket_json(i, 1000 + i);
  }
  return out + "]}";
}

Indexers<api::Ticket> ticket_indexers() {
  return {{"tickets_by_node", [](const api::Ticket& t) {
             return t.status.node_name.empty() ? std::vector<std::string>{}
                                               : std::vector<std::string>{t.status.node_name};
           }}};
}

std::size_t heap_in_use() {
  const struct mallinfo2 info = mallinfo2();
  return info.uordblks + info.hblkhd;
}

void BM_StoreMemoryPerTicket(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const bool managed_fields = state.range(1) != 0;
  DecodeOptions options;
  options.strip_managed_fields = state.range(2) != 0;
  std::vector<DecodeFailure> failures;
  for (auto _ : state) {
    std::vector<std::shared_ptr<const api::Ticket>> tickets;
    tickets.reserve(static_cast<std::size_t>(n));
    malloc_trim(0);
    const std::size_t before = heap_in_use();
    for (int i = 0; i < n; ++i) {
      // The informer's decode path (watch events and list items decode alike).
      auto item = decode_watch_item<api::Ticket>(
          WatchEvent{WatchEventType::Added, ticket_json(i, 1000 + i, managed_fields)}, failures,
          options);
      if (!item.object) {
        state.SkipWithError("a benchmark ticket does not decode");
        return;
      }
      tickets.push_back(std::move(item.object));
    }
    const std::size_t decoded = heap_in_use();
    Store<api::Ticket> store(ticket_indexers());
    store.replace(tickets, "200000");
    const std::size_t stored = heap_in_use();
    benchmark::DoNotOptimize(store.size());
    state.counters["object_bytes_per_ticket"] = static_cast<double>(decoded - before) / n;
    state.counters["store_overhead_bytes_per_ticket"] = static_cast<double>(stored - decoded) / n;
    state.counters["total_bytes_per_ticket"] = static_cast<double>(stored - before) / n;
    state.counters["sizeof_ticket"] = sizeof(api::Ticket);
  }
}
// Args: tickets, with a managedFields entry, strip managedFields (the informer's default).
BENCHMARK(BM_StoreMemoryPerTicket)
    ->Args({100000, 0, 1})
    ->Args({100000, 1, 1})
    ->Args({100000, 1, 0})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

// A handler as a controller registers it: map to a key and enqueue.
ResourceEventHandler<api::Ticket> enqueueing(WorkQueue<Request>& queue) {
  auto enqueue = [&queue](const api::Ticket& t) {
    queue.add(Request{t.metadata.namespace_, t.metadata.name});
  };
  return for_each_object<api::Ticket>(enqueue);
}

void BM_InitialList(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const std::string body = list_json(n, 500000);
  SystemClock clock;
  for (auto _ : state) {
    state.PauseTiming();
    auto queue = std::make_unique<WorkQueue<Request>>(clock);
    auto core = std::make_unique<InformerCore<api::Ticket>>(ticket_indexers());
    core->add_event_handler(enqueueing(*queue));
    RawListPage page{body};
    state.ResumeTiming();
    const ReflectorReport report = core->apply(std::move(page));
    benchmark::DoNotOptimize(report);
    state.PauseTiming();
    if (core->store().size() != static_cast<std::size_t>(n) || queue->len() == 0) {
      state.SkipWithError("the list did not reach the store and the queue");
    }
    core.reset();
    queue.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * n);
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(body.size()));
}
BENCHMARK(BM_InitialList)->Arg(10000)->Unit(benchmark::kMillisecond);

void BM_Relist(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const std::string body = list_json(n, 500000);
  SystemClock clock;
  WorkQueue<Request> queue(clock);
  InformerCore<api::Ticket> core(ticket_indexers());
  core.add_event_handler(enqueueing(queue));
  core.apply(RawListPage{body});
  for (auto _ : state) {
    state.PauseTiming();
    core.apply(ApiError::from_response(410, ""));  // back to Empty: the next call is a list
    RawListPage page{body};
    state.ResumeTiming();
    benchmark::DoNotOptimize(core.apply(std::move(page)));
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_Relist)->Arg(10000)->Unit(benchmark::kMillisecond);

// 4,000 ADDED, then 5,000 MODIFIED of them, then 1,000 DELETED, as the API server frames them.
std::string recorded_stream() {
  std::string out;
  int rv = 600000;
  const auto add = [&](const char* type, int i) {
    out += std::string(R"({"type":")") + type + R"(","object":)" + ticket_json(i, ++rv) + "}\n";
  };
  for (int i = 0; i < 4000; ++i) {
    add("ADDED", i);
  }
  for (int i = 0; i < 5000; ++i) {
    add("MODIFIED", i % 4000);
  }
  for (int i = 0; i < 1000; ++i) {
    add("DELETED", i);
  }
  return out;
}

void BM_WatchEvents(benchmark::State& state) {
  const std::string stream = recorded_stream();
  constexpr int kEvents = 10000;
  SystemClock clock;
  for (auto _ : state) {
    state.PauseTiming();
    auto queue = std::make_unique<WorkQueue<Request>>(clock);
    auto core = std::make_unique<InformerCore<api::Ticket>>(ticket_indexers());
    core->add_event_handler(enqueueing(*queue));
    core->apply(RawListPage{R"({"metadata":{"resourceVersion":"600000"},"items":[]})"});
    core->apply(watcher::WatchOpened{});
    WatchDecoder decoder;
    state.ResumeTiming();
    int events = 0;
    for (std::size_t offset = 0; offset < stream.size(); offset += kReadSize) {
      decoder.feed(std::string_view(stream).substr(offset, kReadSize));
      while (true) {
        auto next = decoder.next();
        if (!next || !next->has_value()) {
          break;
        }
        core->apply(std::move(**next));
        ++events;
      }
    }
    state.PauseTiming();
    if (events != kEvents || core->store().size() != 3000) {
      state.SkipWithError("the stream did not replay as recorded");
    }
    core.reset();
    queue.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * kEvents);
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(stream.size()));
}
BENCHMARK(BM_WatchEvents)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace korder::kclient
