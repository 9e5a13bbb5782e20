// The parse of a /mutate-pods body (review_json.h) and the whole decode of a pod review
// (review.h), over the 3.9 KB pod of webhook_bench.sh in the AdmissionReview it sends: the
// in-process share of a review's cost, without TLS and HTTP. Run:
//   build/services/admission-webhook/review_parse_bench
// Compare parsers or decoders by their ratio within one run; absolute times move with the machine.

#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "korder/api/json.h"
#include "review.h"
#include "review_json.h"

namespace korder::webhook {
namespace {

std::string review_body() {
  std::ifstream in(KORDER_BENCH_POD_JSON);
  std::stringstream pod;
  pod << in.rdbuf();
  api::JsonDocument doc;
  if (!api::parse_json(pod.str(), doc)) {
    throw std::runtime_error("cannot read " + std::string(KORDER_BENCH_POD_JSON));
  }
  auto& alloc = doc.GetAllocator();
  doc["metadata"]["annotations"].AddMember("korder.dev/required", "true", alloc);
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

void BM_DecodePodReview(benchmark::State& state) {
  run(state, [](std::string& body, api::JsonDocument& doc) {
    return decode_pod_review(body, doc).has_value();
  });
}
BENCHMARK(BM_DecodePodReview);

}  // namespace
}  // namespace korder::webhook
