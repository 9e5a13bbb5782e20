#include "pod_admission.h"

#include <catch2/catch.hpp>
#include <deque>

#include "korder/kclient/metrics.h"
#include "review.h"
#include "test_support.h"

namespace korder::webhook {
namespace {

using testing::FakeTicketSource;
using testing::FixedClock;
using testing::node;
using testing::patch_ops;
using testing::pod_json;
using testing::review_json;
using testing::ticket;

// Records every claim and answers from a script (success when the script is empty).
class FakeClaimWriter final : public ClaimWriter {
 public:
  boost::asio::awaitable<Expected<void, kclient::ApiError>> write_claim(
      api::Ticket ticket) override {
    written.push_back(ticket);
    if (answers.empty()) {
      co_return Expected<void, kclient::ApiError>();
    }
    auto answer = answers.front();
    answers.pop_front();
    co_return answer;
  }

  std::vector<api::Ticket> written;
  std::deque<Expected<void, kclient::ApiError>> answers;
};

class FakeOrderEvents final : public OrderEvents {
 public:
  void no_ticket(const std::string& ns, const std::string& order,
                 const std::string& message) override {
    events.push_back(ns + "/" + order + ": " + message);
  }
  std::vector<std::string> events;
};

kclient::ApiError conflict() {
  return kclient::ApiError::from_response(
      409,
      R"({"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Conflict","code":409,"message":"the object has been modified"})",
      "PUT");
}

struct Fixture {
  Fixture() {
    source.add(node("n1"));
    source.add(ticket("small", "n1", "500m", "256Mi"));
    source.add(ticket("large", "n1", "2", "4Gi"));
  }

  api::AdmissionResponse review(const std::string& body) {
    auto request = decode_review_request(body);
    REQUIRE(request.has_value());
    return testing::run(
        io, pods.review(std::move(request).value(), clock.steady_now() + std::chrono::seconds(8)));
  }

  boost::asio::io_context io;
  FixedClock clock;
  FakeTicketSource source;
  FakeClaimWriter writer;
  FakeOrderEvents events;
  kclient::MetricsRegistry registry;
  WebhookMetrics metrics{registry};
  ClaimTracker tracker{clock};
  bool synced = true;
  std::uint64_t random_state = 0;
  PodAdmission pods{source,
                    writer,
                    events,
                    tracker,
                    metrics,
                    clock,
                    [this] { return ++random_state; },
                    [this] { return synced; },
                    PodAdmissionOptions()};
};

TEST_CASE("a pod without korder.dev/required passes unchanged without a claim", "[unit]") {
  Fixture f;
  const std::string pod =
      R"({"metadata":{"name":"web","annotations":{"korder.dev/required":"false"}},"spec":{"containers":[{"name":"a"}]}})";
  const auto response = f.review(review_json("CREATE", "Pod", pod));
  CHECK(response.allowed);
  CHECK(response.uid == "705ab4f5-6393-11e8-b7cc-42010a800002");
  CHECK(response.patch.empty());
  CHECK(f.writer.written.empty());
}

TEST_CASE("an opted-in pod claims the best-fitting ticket and is labelled, annotated and gated",
          "[unit]") {
  Fixture f;
  const auto response = f.review(review_json("CREATE", "Pod", pod_json("500m", "256Mi")));
  REQUIRE(response.allowed);
  REQUIRE(f.writer.written.size() == 1);
  const api::Ticket& claimed = f.writer.written[0];
  CHECK(claimed.metadata.name == "small");
  CHECK(claimed.metadata.resource_version == "7");  // the conditioned write
  CHECK(claimed.api_version == "core.korder.dev/v1alpha1");
  CHECK(claimed.kind == "Ticket");
  REQUIRE(claimed.status.claim.has_value());
  const api::TicketClaim& claim = *claimed.status.claim;
  CHECK(claim.token.size() == 32);
  CHECK(claim.pod_namespace == "default");  // from the request: the pod has none yet
  CHECK(claim.pod_name.empty());
  CHECK(claim.pod_generate_name == "shop-");
  CHECK(claim.claimed_at == f.clock.now());
  CHECK(claim.deadline == f.clock.now() + std::chrono::seconds(30));
  CHECK(response.patch_type == "JSONPatch");
  const auto ops = patch_ops(response.patch);
  REQUIRE(ops.size() == 3);
  CHECK(ops[0].path == "/metadata/labels");
  CHECK(ops[0].value == R"({"korder.dev/ticket":"small"})");
  CHECK(ops[1].path == "/metadata/annotations/korder.dev~1claim-token");
  CHECK(ops[1].value == "\"" + claim.token + "\"");
  CHECK(ops[2].path == "/spec/schedulingGates");
  CHECK(ops[2].value == R"([{"name":"korder.dev/ticket"}])");
  CHECK(f.metrics.claims.with({"claimed"}).value() == 1);
}

TEST_CASE("a named pod's claim records its name", "[unit]") {
  Fixture f;
  f.review(review_json("CREATE", "Pod", pod_json("500m", "256Mi", "", "web-1")));
  REQUIRE(f.writer.written.size() == 1);
  CHECK(f.writer.written[0].status.claim->pod_name == "web-1");
  CHECK(f.writer.written[0].status.claim->pod_generate_name.empty());
}

TEST_CASE("a dry run shows the ticket it would pick and never claims", "[unit]") {
  Fixture f;
  const auto response =
      f.review(review_json("CREATE", "Pod", pod_json("500m", "256Mi"), "", /*dry_run=*/true));
  CHECK(response.allowed);
  CHECK(f.writer.written.empty());
  const auto ops = patch_ops(response.patch);
  REQUIRE_FALSE(ops.empty());
  CHECK(ops[0].value == R"({"korder.dev/ticket":"small"})");
  CHECK(f.metrics.claims.with({"dry_run"}).value() == 1);
}

TEST_CASE("a pod already carrying korder.dev/ticket is not claimed twice", "[unit]") {
  Fixture f;
  const std::string pod =
      R"({"metadata":{"generateName":"x-","labels":{"korder.dev/ticket":"small"},"annotations":{"korder.dev/required":"true"}},"spec":{"containers":[{"name":"a"}]}})";
  const auto response = f.review(review_json("CREATE", "Pod", pod));
  CHECK(response.allowed);
  CHECK(response.patch.empty());
  CHECK(f.writer.written.empty());
}

TEST_CASE("a pod with labels and annotations of its own gets the ticket's added to them",
          "[unit]") {
  Fixture f;
  const std::string pod =
      R"({"metadata":{"generateName":"x-","labels":{"app":"web","tier":7},"annotations":{"team":"payments","korder.dev/required":"true","korder.dev/order":"order-a"}},"spec":{"schedulingGates":[{"name":"other"}],"containers":[{"name":"a","resources":{"requests":{"cpu":"500m","memory":"256Mi"}}}]}})";
  const auto response = f.review(review_json("CREATE", "Pod", pod));
  REQUIRE(f.writer.written.size() == 1);
  const auto ops = patch_ops(response.patch);
  REQUIRE(ops.size() == 3);
  CHECK(ops[0].path == "/metadata/labels/korder.dev~1ticket");
  CHECK(ops[0].value == R"("small")");
  CHECK(ops[1].path == "/metadata/annotations/korder.dev~1claim-token");
  CHECK(ops[2].path == "/spec/schedulingGates/-");
  CHECK(ops[2].value == R"({"name":"korder.dev/ticket"})");
}

TEST_CASE("a pod whose labels or annotations are not maps of strings is admitted unchanged",
          "[unit]") {
  for (const std::string metadata :
       {R"("labels":["a"],"annotations":{"korder.dev/required":"true"})",
        R"("labels":{"app":{"nested":"x"}},"annotations":{"korder.dev/required":"true"})",
        R"("annotations":{"korder.dev/required":"true","team":null})",
        R"("annotations":{"korder.dev/required":"true","korder.dev/order":["a"]})",
        R"("name":5,"annotations":{"korder.dev/required":"true"})"}) {
    Fixture f;
    const std::string pod = R"({"metadata":{)" + metadata +
                            R"(},"spec":{"containers":[{"name":"a","resources":{"requests":{"cpu":"500m"}}}]}})";
    const auto response = f.review(review_json("CREATE", "Pod", pod));
    INFO(metadata);
    CHECK(response.allowed);
    CHECK(response.patch.empty());
    CHECK(f.writer.written.empty());
    CHECK(f.metrics.claims.with({"invalid_request"}).value() == 1);
  }
}

TEST_CASE("the first of duplicate korder annotations counts, as the map codec keeps it",
          "[unit]") {
  Fixture f;
  const std::string pod =
      R"({"metadata":{"generateName":"x-","annotations":{"korder.dev/required":"true","korder.dev/ticket-request":"name:large","korder.dev/ticket-request":"name:small"}},"spec":{"containers":[{"name":"a","resources":{"requests":{"cpu":"500m"}}}]}})";
  f.review(review_json("CREATE", "Pod", pod));
  REQUIRE(f.writer.written.size() == 1);
  CHECK(f.writer.written[0].metadata.name == "large");
}

TEST_CASE("a pod that already has spec.nodeName is left alone", "[unit]") {
  Fixture f;
  const std::string pod =
      R"({"metadata":{"name":"x","annotations":{"korder.dev/required":"true"}},"spec":{"nodeName":"n1","containers":[{"name":"a"}]}})";
  const auto response = f.review(review_json("CREATE", "Pod", pod));
  CHECK(response.patch.empty());
  CHECK(f.writer.written.empty());
}

TEST_CASE("a conflict moves the claim on to the next candidate", "[unit]") {
  Fixture f;
  f.writer.answers.push_back(Unexpected(conflict()));
  const auto response = f.review(review_json("CREATE", "Pod", pod_json("500m", "256Mi")));
  REQUIRE(f.writer.written.size() == 2);
  CHECK(f.writer.written[0].metadata.name == "small");
  CHECK(f.writer.written[1].metadata.name == "large");
  CHECK(patch_ops(response.patch)[0].value == R"({"korder.dev/ticket":"large"})");
  CHECK(f.metrics.claims.with({"conflict"}).value() == 1);
}

TEST_CASE("claims stop after the bounded number of attempts", "[unit]") {
  Fixture f;
  for (int i = 0; i < 10; ++i) {
    f.source.add(ticket("extra-" + std::to_string(i), "n1", "1", "1Gi"));
    f.writer.answers.push_back(Unexpected(conflict()));
  }
  const auto response = f.review(review_json("CREATE", "Pod", pod_json("500m", "256Mi")));
  CHECK(f.writer.written.size() == 5);  // PodAdmissionOptions::max_attempts
  const auto ops = patch_ops(response.patch);
  REQUIRE(ops.size() == 1);
  CHECK(ops[0].path == "/metadata/annotations/korder.dev~1unassigned-reason");
  CHECK_THAT(ops[0].value, Catch::Contains("taken by another pod"));
}

TEST_CASE("when nothing fits the pod is admitted unchanged with the reason and an Event",
          "[unit]") {
  Fixture f;
  const auto response = f.review(
      review_json("CREATE", "Pod", pod_json("8", "1Gi", R"(,"korder.dev/order":"order-a")")));
  CHECK(response.allowed);
  CHECK(f.writer.written.empty());
  const auto ops = patch_ops(response.patch);
  REQUIRE(ops.size() == 1);
  CHECK(ops[0].path == "/metadata/annotations/korder.dev~1unassigned-reason");
  CHECK_THAT(ops[0].value, Catch::Contains("too small"));
  REQUIRE(f.events.events.size() == 1);
  CHECK_THAT(f.events.events[0], Catch::StartsWith("default/order-a: pod shop-* got no ticket"));
  CHECK(f.metrics.claims.with({"no_fit"}).value() == 1);
}

TEST_CASE("an API failure falls back to admitting the pod with the reason", "[unit]") {
  Fixture f;
  f.writer.answers.push_back(Unexpected(kclient::ApiError::from_response(
      500,
      R"({"kind":"Status","apiVersion":"v1","status":"Failure","reason":"InternalError","code":500,"message":"etcd is down"})",
      "PUT")));
  const auto response = f.review(review_json("CREATE", "Pod", pod_json("500m", "256Mi")));
  CHECK(response.allowed);
  const auto ops = patch_ops(response.patch);
  REQUIRE(ops.size() == 1);
  CHECK_THAT(ops[0].value,
             Catch::Contains("korder unavailable") && Catch::Contains("etcd is down"));
  CHECK(f.metrics.claims.with({"error"}).value() == 1);
}

TEST_CASE("before the caches sync an opted-in pod passes with the reason", "[unit]") {
  Fixture f;
  f.synced = false;
  const auto response = f.review(review_json("CREATE", "Pod", pod_json("500m", "256Mi")));
  CHECK(f.writer.written.empty());
  CHECK_THAT(patch_ops(response.patch)[0].value, Catch::Contains("not synced"));
}

TEST_CASE("a bad ticket request passes the pod with the reason", "[unit]") {
  Fixture f;
  const auto response = f.review(review_json(
      "CREATE", "Pod", pod_json("500m", "256Mi", R"(,"korder.dev/ticket-request":"nope")")));
  CHECK(f.writer.written.empty());
  CHECK_THAT(patch_ops(response.patch)[0].value, Catch::Contains("korder.dev/ticket-request"));
}

TEST_CASE("a ticket claimed a moment ago by this process is not picked again", "[unit]") {
  Fixture f;
  f.review(review_json("CREATE", "Pod", pod_json("500m", "256Mi")));
  f.review(review_json("CREATE", "Pod", pod_json("500m", "256Mi")));
  REQUIRE(f.writer.written.size() == 2);
  CHECK(f.writer.written[0].metadata.name == "small");
  CHECK(f.writer.written[1].metadata.name == "large");  // the cache still shows small unclaimed
}

TEST_CASE("only pod CREATE is reviewed", "[unit]") {
  Fixture f;
  const auto response =
      f.review(review_json("UPDATE", "Pod", pod_json("500m", "256Mi"), pod_json("500m", "256Mi")));
  CHECK(response.patch.empty());
  CHECK(f.writer.written.empty());
}

}  // namespace
}  // namespace korder::webhook
