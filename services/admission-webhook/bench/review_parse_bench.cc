// The in-process share of a /mutate-pods review's cost, without TLS and HTTP, over the 3.9 KB
// pod of webhook_bench.sh in the AdmissionReview it sends: the parse (review_json.h), the whole
// decode (review.h), and the whole answer of ReviewRouter::handle to an opt-out and to a dry-run
// review (candidate selection over 100 Ready tickets on four nodes, the patch, the encoded
// answer). Run:
//   build/services/admission-webhook/review_parse_bench
// BENCH_POD=<file> replaces bench/pod.json (another pod, same review around it).
// Compare parsers or decoders by their ratio within one run; absolute times move with the machine.

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "korder/api/json.h"
#include "korder/kclient/metrics.h"
#include "review.h"
#include "review_json.h"
#include "review_router.h"
#include "test_support.h"
#include "webhook_caches.h"

namespace korder::webhook {
namespace {

std::string review_body(bool opt_in = true) {
  std::ifstream in(std::getenv("BENCH_POD") ? std::getenv("BENCH_POD") : KORDER_BENCH_POD_JSON);
  std::stringstream pod;
  pod << in.rdbuf();
  api::JsonDocument doc;
  if (!api::parse_json(pod.str(), doc)) {
    throw std::runtime_error("cannot read " + std::string(KORDER_BENCH_POD_JSON));
  }
  auto& alloc = doc.GetAllocator();
  if (opt_in) {
    doc["metadata"]["annotations"].AddMember("korder.dev/required", "true", alloc);
  }
  return R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{)"
         R"("uid":"5b0c7f4e-2a9d-4c1b-8e3f-6d7a8b9c0d1e",)"
         R"("kind":{"group":"","version":"v1","kind":"Pod"},)"
         R"("resource":{"group":"","version":"v1","resource":"pods"},)"
         R"("requestKind":{"group":"","version":"v1","kind":"Pod"},)"
         R"("requestResource":{"group":"","version":"v1","resource":"pods"},)"
         R"("namespace":"bench","operation":"CREATE",)"
         R"("userInfo":{"username":"system:serviceaccount:kube-system:replicaset-controller",)"
         R"("uid":"9e8d7c6b-5a4f-4e3d-2c1b-0a9f8e7d6c5b","groups":["system:serviceaccounts",)"
         R"("system:serviceaccounts:kube-system","system:authenticated"]},"object":)" +
         api::write_json(doc) +
         R"(,"oldObject":null,"dryRun":true,)"
         R"("options":{"kind":"CreateOptions","apiVersion":"meta.k8s.io/v1"}}})";
}

// As the server has it: a fresh copy of the body per review (it arrives in a new string).
template <typename Parse>
void run(benchmark::State& state, Parse parse) {
  const std::string body = review_body();
  for (auto _ : state) {
    std::string copy = body;
    api::JsonAllocator allocator(16 * 1024);
    api::JsonDocument doc(&allocator);
    if (!parse(copy, doc)) {
      state.SkipWithError("parse failed");
      break;
    }
    benchmark::DoNotOptimize(doc.IsObject());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
}

void BM_ParseReview(benchmark::State& state) {
  run(state, [](std::string& body, api::JsonDocument& doc) {
    return parse_review_json(body, doc).has_value();
  });
}
BENCHMARK(BM_ParseReview);

// The parse /mutate-pods makes: what the pod codecs do not read is scanned, not built.
void BM_ParseReviewPodCodecs(benchmark::State& state) {
  run(state, [](std::string& body, api::JsonDocument& doc) {
    return parse_review_json(body, doc, ReviewMembers::kPodCodecs).has_value();
  });
}
BENCHMARK(BM_ParseReviewPodCodecs);

void BM_ParseFastPath(benchmark::State& state) {
  run(state,
      [](std::string& body, api::JsonDocument& doc) { return parse_review_json_fast(body, doc); });
}
BENCHMARK(BM_ParseFastPath);

void BM_ParseRapidjsonPath(benchmark::State& state) {
  run(state, [](std::string& body, api::JsonDocument& doc) {
    return parse_review_json_rapidjson(body, doc).has_value();
  });
}
BENCHMARK(BM_ParseRapidjsonPath);

void BM_DecodePodReview(benchmark::State& state) {
  run(state, [](std::string& body, api::JsonDocument& doc) {
    return decode_pod_review(body, doc).has_value();
  });
}
BENCHMARK(BM_DecodePodReview);

// The daemon's TicketIndex for the tickets (each prepared once), plain vectors for the nodes.
class BenchSource final : public TicketSource {
 public:
  BenchSource() {
    const char* sizes[][2] = {{"1", "1Gi"}, {"2", "2Gi"}, {"1500m", "4Gi"}};
    for (int i = 1; i <= 100; ++i) {
      const std::string node = "dev-node-" + std::to_string(i % 4 + 1);
      api::Ticket t =
          testing::ticket("bench-" + std::to_string(i), node, sizes[i % 3][0], sizes[i % 3][1]);
      t.metadata.namespace_ = "bench";
      tickets_.upsert(std::make_shared<const api::Ticket>(std::move(t)));
    }
    for (int n = 1; n <= 4; ++n) {
      nodes_.add(testing::node("dev-node-" + std::to_string(n), {{"kubernetes.io/os", "linux"}}));
    }
  }
  TicketSnapshot tickets_in(std::string_view ns) const override { return tickets_.tickets_in(ns); }
  TicketSnapshot tickets_of_order(std::string_view ns, std::string_view order) const override {
    return tickets_.tickets_of_order(ns, order);
  }
  NodePtr node(std::string_view name) const override { return nodes_.node(name); }

 private:
  TicketIndex tickets_;
  testing::FakeTicketSource nodes_;
};

void route(benchmark::State& state, bool opt_in) {
  boost::asio::io_context io;
  testing::FixedClock clock;
  BenchSource source;
  testing::NoClaims writer;
  testing::NoEvents events;
  kclient::MetricsRegistry registry;
  WebhookMetrics metrics{registry};
  ClaimTracker tracker{clock};
  std::uint64_t draws = 0;
  PodAdmission pods{source,
                    writer,
                    events,
                    tracker,
                    metrics,
                    clock,
                    [&] { return ++draws; },
                    [] { return true; }};
  ObjectAdmission objects{nullptr, metrics, ObjectAdmissionOptions()};
  ReviewRouter router{pods, objects, metrics, clock, std::chrono::seconds(8)};
  const std::string body = review_body(opt_in);
  const std::string_view expect = opt_in ? "\"patch\"" : "\"allowed\":true";
  for (auto _ : state) {
    WebhookRequest request;
    request.method = "POST";
    request.target = "/mutate-pods?timeout=10s";
    request.body = body;
    // As the server runs it: a coroutine on the io_context, its answer taken by a plain
    // completion handler (a std::future would add a promise and a futex wake per review).
    WebhookAnswer answer;
    boost::asio::co_spawn(io, router.handle(std::move(request)),
                          [&answer](std::exception_ptr error, WebhookAnswer result) {
                            if (error) {
                              std::rethrow_exception(error);
                            }
                            answer = std::move(result);
                          });
    io.restart();
    io.run();
    if (answer.status != 200 || answer.body.find(expect) == std::string::npos) {
      state.SkipWithError(("unexpected answer: " + answer.body).c_str());
      break;
    }
  }
}

void BM_RouteOptOut(benchmark::State& state) { route(state, false); }
BENCHMARK(BM_RouteOptOut);

void BM_RouteDryRun(benchmark::State& state) { route(state, true); }
BENCHMARK(BM_RouteDryRun);

}  // namespace
}  // namespace korder::webhook
