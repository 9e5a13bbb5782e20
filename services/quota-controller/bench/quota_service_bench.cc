// Reserve over gRPC against a trivial echo on the same server, with 1,000 quotas and 100,000
// tickets in memory: calls per second and p50/p99 latency at 1 and 16 calls in flight over one
// channel, runs interleaved (echo, reserve, echo, reserve, ...) so machine noise hits both.
// Also: the engine's own decision time (no gRPC) and heap bytes per cached ticket.
//
// Usage: quota_service_bench [--seconds S] [--rounds N] [--tickets N]
// Not a test: `make test` builds it, nothing runs it automatically.

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "bench/proto/korder/bench/echo.grpc.pb.h"
#include "bench_world.h"
#include "korder/base/clock.h"
#include "proto_convert.h"
#include "quota_engine.h"
#include "quota_server.h"

namespace korder::quota::bench {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::int64_t kHoldNames = 10000;

class EchoService final : public korder::bench::Echo::CallbackService {
  grpc::ServerUnaryReactor* Echo(grpc::CallbackServerContext* context,
                                 const korder::bench::EchoMessage* request,
                                 korder::bench::EchoMessage* response) override {
    *response = *request;
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
};

// Admits everything at once: with --null-backend 1 the Reserve series measures what the API's
// messages and gRPC cost, without the engine (a diagnostic, not the product's number).
class NullBackend final : public QuotaBackend {
 public:
  Expected<Decision, ParseError> reserve(QuotaRequest request) override {
    Decision decision;
    decision.hold = request.object.key();
    return decision;
  }
  Expected<Decision, ParseError> check(QuotaRequest) override { return Decision(); }
  bool release(const ObjectKey&, std::string_view) override { return false; }
  std::optional<QuotaSnapshot> usage(const std::string&) override { return std::nullopt; }
  std::vector<QuotaSnapshot> usage_for_namespace(const std::string&) override { return {}; }
  std::vector<QuotaSnapshot> usage_all() override { return {}; }
  void subscribe(UsageSubscriber&) override {}
  void unsubscribe(UsageSubscriber&) override {}
};

struct Result {
  double calls_per_second = 0;
  double p50_us = 0;
  double p99_us = 0;
  std::int64_t calls = 0;
  std::int64_t failures = 0;
};

// Starts one async call; calls `done(ok)` when it completes.
using StartCall = std::function<void(std::int64_t seq, std::function<void(bool)> done)>;

// Keeps `in_flight` calls running for `duration`, recording each call's latency.
Result drive(int in_flight, std::chrono::milliseconds duration, const StartCall& start_call) {
  absl::Mutex mu;
  std::vector<std::int64_t> samples;
  samples.reserve(1 << 20);
  std::int64_t failures = 0;
  int active = in_flight;
  Clock::time_point last_end;
  std::atomic<std::int64_t> seq{0};
  const Clock::time_point begin = Clock::now();
  const Clock::time_point end = begin + duration;
  std::function<void()> issue = [&] {
    const Clock::time_point started = Clock::now();
    start_call(seq++, [&, started](bool ok) {
      const Clock::time_point finished = Clock::now();
      {
        absl::MutexLock lock(&mu);
        samples.push_back(
            std::chrono::duration_cast<std::chrono::nanoseconds>(finished - started).count());
        failures += ok ? 0 : 1;
        last_end = std::max(last_end, finished);
        if (finished >= end) {
          --active;
          return;
        }
      }
      issue();
    });
  };
  for (int i = 0; i < in_flight; ++i) {
    issue();
  }
  absl::MutexLock lock(&mu);
  mu.Await(absl::Condition(
      +[](int* a) { return *a == 0; }, &active));
  std::sort(samples.begin(), samples.end());
  Result r;
  r.calls = static_cast<std::int64_t>(samples.size());
  r.failures = failures;
  const double seconds = std::chrono::duration<double>(last_end - begin).count();
  r.calls_per_second = static_cast<double>(r.calls) / seconds;
  r.p50_us = static_cast<double>(samples[samples.size() / 2]) / 1e3;
  r.p99_us = static_cast<double>(samples[samples.size() * 99 / 100]) / 1e3;
  return r;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

struct Series {
  std::vector<double> qps, p50, p99;
  std::int64_t failures = 0;
  void add(const Result& r) {
    qps.push_back(r.calls_per_second);
    p50.push_back(r.p50_us);
    p99.push_back(r.p99_us);
    failures += r.failures;
  }
};

int flag(int argc, char** argv, const std::string& name, int fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (argv[i] == name) {
      return std::atoi(argv[i + 1]);
    }
  }
  return fallback;
}

// The engine's own cost per decision, without gRPC.
double engine_decision_us(QuotaEngine& engine, int calls) {
  const Clock::time_point begin = Clock::now();
  for (int i = 0; i < calls; ++i) {
    auto request = from_proto(
        reserve_request(static_cast<std::size_t>(i), "direct-" + std::to_string(i % kHoldNames)));
    auto decision = engine.reserve(std::move(*request));
    if (!decision || !decision->allowed) {
      std::fprintf(stderr, "unexpected denial in the direct run\n");
      std::exit(1);
    }
  }
  return std::chrono::duration<double, std::micro>(Clock::now() - begin).count() / calls;
}

int run(int argc, char** argv) {
  // Debian's abseil is built with deadlock detection on, which takes a global lock on every
  // Mutex acquisition; production mains turn it off the same way.
  if (flag(argc, argv, "--deadlock-detection", 0) == 0) {
    absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  }
  const int seconds = flag(argc, argv, "--seconds", 2);
  const int rounds = flag(argc, argv, "--rounds", 5);
  const int tickets = flag(argc, argv, "--tickets", 100000);
  // --method 1: echo only, 2: reserve only (for profiling one path); 0 (default): both.
  const int method = flag(argc, argv, "--method", 0);

  SystemClock clock;
  QuotaEngine engine(clock);
  const SeedStats stats = seed(engine, static_cast<std::size_t>(tickets));
  std::printf(
      "seeded %zu quotas, %zu namespaces, %zu tickets in %.1f s; heap per cached ticket "
      "%.0f bytes\n",
      stats.quotas, stats.namespaces, stats.tickets, stats.seconds, stats.heap_bytes_per_ticket);
  std::printf("engine.reserve() without gRPC: %.2f us per decision\n",
              engine_decision_us(engine, flag(argc, argv, "--direct-calls", 20000)));
  if (rounds == 0) {
    return 0;
  }

  EchoService echo;
  QuotaServerOptions options;
  options.address = "127.0.0.1:0";
  options.insecure = true;
  options.extra_services = {&echo};
  NullBackend null_backend;
  QuotaBackend& backend = flag(argc, argv, "--null-backend", 0) != 0
                              ? static_cast<QuotaBackend&>(null_backend)
                              : engine;
  auto server = QuotaServer::start(backend, options);
  if (!server) {
    std::fprintf(stderr, "%s\n", server.error().c_str());
    return 2;
  }
  (*server)->set_serving(true);
  auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string((*server)->port()),
                                     grpc::InsecureChannelCredentials());
  auto quota_stub = v1::QuotaService::NewStub(channel);
  auto echo_stub = korder::bench::Echo::NewStub(channel);

  // The echo payload is as large as a serialized Reserve request.
  korder::bench::EchoMessage echo_message;
  echo_message.set_payload(std::string(reserve_request(0, "bench-0-000000").ByteSizeLong(), 'x'));

  // Requests are built before each run (as the echo message is), 10,000 names per run, reused:
  // a reused name replaces its hold (as a retried create does), so pending holds stay as few
  // as an informer that observes objects keeps them.
  int run_id = 0;
  std::vector<v1::ReserveRequest> requests;
  const auto build_requests = [&] {
    ++run_id;
    requests.clear();
    for (std::int64_t i = 0; i < kHoldNames; ++i) {
      requests.push_back(
          reserve_request(static_cast<std::size_t>(i),
                          "bench-" + std::to_string(run_id) + "-" + std::to_string(i)));
    }
  };
  build_requests();
  const StartCall echo_call = [&](std::int64_t, std::function<void(bool)> done) {
    struct Call {
      grpc::ClientContext context;
      korder::bench::EchoMessage response;
    };
    auto* call = new Call;
    call->context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    echo_stub->async()->Echo(&call->context, &echo_message, &call->response,
                             [call, done = std::move(done)](grpc::Status status) {
                               delete call;
                               done(status.ok());
                             });
  };
  const StartCall reserve_call = [&](std::int64_t seq, std::function<void(bool)> done) {
    struct Call {
      grpc::ClientContext context;
      v1::ReserveResponse response;
    };
    auto* call = new Call;
    call->context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    quota_stub->async()->Reserve(&call->context, &requests[seq % kHoldNames], &call->response,
                                 [call, done = std::move(done)](grpc::Status status) {
                                   const bool ok = status.ok() && call->response.allowed();
                                   delete call;
                                   done(ok);
                                 });
  };

  // Warm up both paths (connections, allocators, caches).
  drive(16, std::chrono::milliseconds(500), echo_call);
  drive(16, std::chrono::milliseconds(500), reserve_call);

  std::printf("\n%-8s %-10s %12s %10s %10s\n", "inflight", "method", "calls/s", "p50 us", "p99 us");
  for (const int in_flight : {1, 16}) {
    Series echo_series;
    Series reserve_series;
    for (int round = 0; round < rounds; ++round) {
      if (method != 2) {
        echo_series.add(drive(in_flight, std::chrono::seconds(seconds), echo_call));
      }
      build_requests();
      if (method != 1) {
        reserve_series.add(drive(in_flight, std::chrono::seconds(seconds), reserve_call));
      }
    }

    if (method != 0) {
      Series& only = method == 1 ? echo_series : reserve_series;
      std::printf("%-8d %-10s %12.0f %10.1f %10.1f\n", in_flight, method == 1 ? "echo" : "reserve",
                  median(only.qps), median(only.p50), median(only.p99));
      continue;
    }
    for (const auto& [name, series] :
         {std::pair<const char*, Series*>{"echo", &echo_series}, {"reserve", &reserve_series}}) {
      std::printf("%-8d %-10s %12.0f %10.1f %10.1f%s\n", in_flight, name, median(series->qps),
                  median(series->p50), median(series->p99),
                  series->failures > 0 ? "  (failures!)" : "");
    }
    std::printf("%-8d reserve/echo throughput %.2f, p50 ratio %.2f\n", in_flight,
                median(reserve_series.qps) / median(echo_series.qps),
                median(reserve_series.p50) / median(echo_series.p50));
  }
  std::printf("\nholds pending at the end: %zu (TTL 30 s)\n", engine.hold_count());
  (*server)->shutdown();
  return 0;
}

}  // namespace
}  // namespace korder::quota::bench

int main(int argc, char** argv) { return korder::quota::bench::run(argc, argv); }
