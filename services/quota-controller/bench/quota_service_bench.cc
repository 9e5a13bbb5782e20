// Reserve over gRPC against a trivial echo on the same server, with 1,000 quotas and 100,000
// tickets in memory: calls per second and p50/p99 latency at 1 and 16 calls in flight over one
// channel, runs interleaved (echo, reserve, echo, reserve, ...) so machine noise hits both.
// Every Reserve records a hold; after each Reserve run (untimed) the informer's events are
// replayed for what was admitted (observed as created: the hold becomes usage; then deleted),
// so holds end as they do in the controller and the cache stays at the seeded tickets.
// Also: the process CPU time per call (client and server), the mean time inside the backend
// per Reserve, the engine's own decision time (no gRPC), and heap and RSS per cached ticket.
//
// Usage: quota_service_bench [--seconds S] [--rounds N] [--tickets N] [--direct-calls N]
//   [--method 0|1|2] [--null-backend 1] [--hold-ttl-ms MS]
// Not a test: `make test` builds it, nothing runs it automatically.

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
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

// Forwards to the engine and times each reserve() (wall time inside the backend, on the
// server's thread): how much of a Reserve call the decision itself is.
class TimedBackend final : public QuotaBackend {
 public:
  explicit TimedBackend(QuotaBackend& inner) : inner_(inner) {}

  Expected<Decision, ParseError> reserve(QuotaRequest request) override {
    const Clock::time_point start = Clock::now();
    auto decision = inner_.reserve(std::move(request));
    nanos_.fetch_add(
        std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count(),
        std::memory_order_relaxed);
    calls_.fetch_add(1, std::memory_order_relaxed);
    return decision;
  }
  Expected<Decision, ParseError> check(QuotaRequest request) override {
    return inner_.check(std::move(request));
  }
  bool release(const ObjectKey& key, std::string_view uid) override {
    return inner_.release(key, uid);
  }
  std::optional<QuotaSnapshot> usage(const std::string& quota) override {
    return inner_.usage(quota);
  }
  std::vector<QuotaSnapshot> usage_for_namespace(const std::string& ns) override {
    return inner_.usage_for_namespace(ns);
  }
  std::vector<QuotaSnapshot> usage_all() override { return inner_.usage_all(); }
  void subscribe(UsageSubscriber& subscriber) override { inner_.subscribe(subscriber); }
  void unsubscribe(UsageSubscriber& subscriber) override { inner_.unsubscribe(subscriber); }

  /// Mean microseconds per reserve() since the last call, and resets.
  double take_mean_us() {
    const std::int64_t calls = calls_.exchange(0);
    const std::int64_t nanos = nanos_.exchange(0);
    return calls == 0 ? 0 : static_cast<double>(nanos) / 1e3 / static_cast<double>(calls);
  }

 private:
  QuotaBackend& inner_;
  std::atomic<std::int64_t> nanos_{0};
  std::atomic<std::int64_t> calls_{0};
};

struct Result {
  double calls_per_second = 0;
  double p50_us = 0;
  double p99_us = 0;
  /// Process CPU time (client and server, all threads) per call.
  double cpu_us = 0;
  std::int64_t calls = 0;
  std::int64_t failures = 0;
};

double process_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

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
  const double cpu_begin = process_cpu_seconds();
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
  const double cpu_seconds = process_cpu_seconds() - cpu_begin;
  std::sort(samples.begin(), samples.end());
  Result r;
  r.calls = static_cast<std::int64_t>(samples.size());
  r.failures = failures;
  const double seconds = std::chrono::duration<double>(last_end - begin).count();
  r.calls_per_second = static_cast<double>(r.calls) / seconds;
  r.p50_us = static_cast<double>(samples[samples.size() / 2]) / 1e3;
  r.p99_us = static_cast<double>(samples[samples.size() * 99 / 100]) / 1e3;
  r.cpu_us = cpu_seconds * 1e6 / static_cast<double>(r.calls);
  return r;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

struct Series {
  std::vector<double> qps, p50, p99, cpu, backend_us;
  std::int64_t failures = 0;
  void add(const Result& r) {
    qps.push_back(r.calls_per_second);
    p50.push_back(r.p50_us);
    p99.push_back(r.p99_us);
    cpu.push_back(r.cpu_us);
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

// What the informer does with admitted tickets: each is observed as created (its hold becomes
// usage, QuotaEngine::upsert_object) and then deleted, so the cache is back at the seeded
// tickets and no hold is left over. Returns the microseconds per ticket (both events).
double observe_and_delete(QuotaEngine& engine, const std::vector<v1::ReserveRequest>& requests,
                          std::size_t count) {
  count = std::min(count, requests.size());
  const Clock::time_point begin = Clock::now();
  for (std::size_t i = 0; i < count; ++i) {
    auto parsed = from_proto(requests[i]);
    const ObjectKey key = parsed->object.key();
    const std::string uid = parsed->object.uid;
    engine.upsert_object(std::move(parsed->object));
    engine.delete_object(key, uid);
  }
  return count == 0 ? 0
                    : std::chrono::duration<double, std::micro>(Clock::now() - begin).count() /
                          static_cast<double>(count);
}

// The engine's own cost per decision, without gRPC (requests converted beforehand).
double engine_decision_us(QuotaEngine& engine, int calls) {
  std::vector<QuotaRequest> parsed;
  parsed.reserve(static_cast<std::size_t>(calls));
  for (int i = 0; i < calls; ++i) {
    parsed.push_back(*from_proto(
        reserve_request(static_cast<std::size_t>(i), "direct-" + std::to_string(i % kHoldNames))));
  }
  const Clock::time_point begin = Clock::now();
  for (QuotaRequest& request : parsed) {
    auto decision = engine.reserve(std::move(request));
    if (!decision || !decision->allowed) {
      std::fprintf(stderr, "unexpected denial in the direct run\n");
      std::exit(1);
    }
  }
  const double us = std::chrono::duration<double, std::micro>(Clock::now() - begin).count() / calls;
  std::vector<v1::ReserveRequest> admitted;
  for (int i = 0; i < std::min<int>(calls, kHoldNames); ++i) {
    admitted.push_back(reserve_request(static_cast<std::size_t>(i), "direct-" + std::to_string(i)));
  }
  observe_and_delete(engine, admitted, admitted.size());
  return us;
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
  QuotaEngineOptions engine_options;
  if (const int ttl_ms = flag(argc, argv, "--hold-ttl-ms", 0); ttl_ms > 0) {
    engine_options.hold_ttl = std::chrono::milliseconds(ttl_ms);
  }
  QuotaEngine engine(clock, engine_options);
  const SeedStats stats = seed(engine, static_cast<std::size_t>(tickets));
  std::printf(
      "seeded %zu quotas, %zu namespaces, %zu tickets in %.1f s; per cached ticket: heap %.0f "
      "bytes, RSS %.0f bytes\n",
      stats.quotas, stats.namespaces, stats.tickets, stats.seconds, stats.heap_bytes_per_ticket,
      stats.rss_bytes_per_ticket);
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
  TimedBackend timed(flag(argc, argv, "--null-backend", 0) != 0
                         ? static_cast<QuotaBackend&>(null_backend)
                         : static_cast<QuotaBackend&>(engine));
  auto server = QuotaServer::start(timed, options);
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
  const Result warmup = drive(16, std::chrono::milliseconds(500), reserve_call);
  observe_and_delete(engine, requests, static_cast<std::size_t>(warmup.calls));
  // Holds pending at the end of a Reserve run (before the informer observes them), and what
  // observing and deleting an admitted ticket costs the engine.
  std::size_t max_holds = 0;
  std::vector<double> informer_us;

  std::printf("\n%-8s %-10s %12s %10s %10s %12s\n", "inflight", "method", "calls/s", "p50 us",
              "p99 us", "cpu us/call");
  for (const int in_flight : {1, 16}) {
    Series echo_series;
    Series reserve_series;
    for (int round = 0; round < rounds; ++round) {
      if (method != 2) {
        echo_series.add(drive(in_flight, std::chrono::seconds(seconds), echo_call));
      }
      build_requests();
      if (method != 1) {
        timed.take_mean_us();
        const Result result = drive(in_flight, std::chrono::seconds(seconds), reserve_call);
        reserve_series.add(result);
        reserve_series.backend_us.push_back(timed.take_mean_us());
        max_holds = std::max(max_holds, engine.hold_count());
        // Not timed: the informer observes what was admitted, which ends the holds.
        informer_us.push_back(
            observe_and_delete(engine, requests, static_cast<std::size_t>(result.calls)));
      }
    }

    if (method != 0) {
      Series& only = method == 1 ? echo_series : reserve_series;
      std::printf("%-8d %-10s %12.0f %10.1f %10.1f %12.1f\n", in_flight,
                  method == 1 ? "echo" : "reserve", median(only.qps), median(only.p50),
                  median(only.p99), median(only.cpu));
      continue;
    }
    for (const auto& [name, series] :
         {std::pair<const char*, Series*>{"echo", &echo_series}, {"reserve", &reserve_series}}) {
      std::printf("%-8d %-10s %12.0f %10.1f %10.1f %12.1f%s\n", in_flight, name,
                  median(series->qps), median(series->p50), median(series->p99),
                  median(series->cpu), series->failures > 0 ? "  (failures!)" : "");
    }
    std::printf("%-8d reserve/echo throughput %.2f, p50 ratio %.2f (backend %.1f us per Reserve)\n",
                in_flight, median(reserve_series.qps) / median(echo_series.qps),
                median(reserve_series.p50) / median(echo_series.p50),
                median(reserve_series.backend_us));
  }
  if (!informer_us.empty()) {
    std::printf(
        "\nholds pending after a Reserve run: at most %zu; the informer observing and deleting an "
        "admitted ticket: %.1f us (median); holds left at the end: %zu; tickets cached: %zu\n",
        max_holds, median(informer_us), engine.hold_count(), engine.object_count());
  }
  (*server)->shutdown();
  return 0;
}

}  // namespace
}  // namespace korder::quota::bench

int main(int argc, char** argv) { return korder::quota::bench::run(argc, argv); }
