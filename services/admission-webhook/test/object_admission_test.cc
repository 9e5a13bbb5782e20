#include "object_admission.h"

#include <catch2/catch.hpp>

#include "review.h"
#include "test_support.h"

namespace korder::webhook {
namespace {

using testing::review_json;

// Answers from a script and records every request.
class FakeQuotaAdmitter final : public QuotaAdmitter {
 public:
  boost::asio::awaitable<Expected<QuotaDecision, std::string>> admit(
      quota::v1::ReserveRequest request, SteadyTimePoint /*deadline*/) override {
    requests.push_back(request);
    co_return answer;
  }

  std::vector<quota::v1::ReserveRequest> requests;
  Expected<QuotaDecision, std::string> answer = QuotaDecision{true, "", {}};
};

std::string order_json(std::string replicas = "1", std::string cpu = "500m",
                       std::string labels = "") {
  return R"({"apiVersion":"core.korder.dev/v1alpha1","kind":"Order","metadata":{"name":"web","namespace":"default","uid":"u-1")" +
         labels + R"(},"spec":{"replicas":)" + replicas +
         R"(,"template":{"spec":{"duration":"1h","resources":{"requests":{"cpu":")" + cpu +
         R"("}}}}}})";
}

std::string ticket_json(std::string cpu = "500m", std::string extra_meta = "") {
  return R"({"apiVersion":"core.korder.dev/v1alpha1","kind":"Ticket","metadata":{"name":"web-abc","namespace":"default","uid":"u-2")" +
         extra_meta + R"(},"spec":{"duration":"1h","resources":{"requests":{"cpu":")" + cpu +
         R"("}}}})";
}

struct Fixture {
  api::AdmissionResponse order(const std::string& body) {
    auto request = decode_review_request(body);
    REQUIRE(request.has_value());
    return testing::run(io, objects.review_order(std::move(request).value(), SteadyTimePoint()));
  }
  api::AdmissionResponse ticket(const std::string& body) {
    auto request = decode_review_request(body);
    REQUIRE(request.has_value());
    return testing::run(io, objects.review_ticket(std::move(request).value(), SteadyTimePoint()));
  }

  boost::asio::io_context io;
  kclient::MetricsRegistry registry;
  WebhookMetrics metrics{registry};
  FakeQuotaAdmitter quota;
  ObjectAdmissionOptions options;
  ObjectAdmission objects{&quota, metrics, options};
};

TEST_CASE("a valid order is admitted after the quota service reserves it", "[unit]") {
  Fixture f;
  const auto response = f.order(review_json("CREATE", "Order", order_json()));
  CHECK(response.allowed);
  REQUIRE(f.quota.requests.size() == 1);
  const auto& reserve = f.quota.requests[0];
  CHECK(reserve.operation() == quota::v1::OPERATION_CREATE);
  CHECK_FALSE(reserve.dry_run());
  CHECK(reserve.object().kind() == quota::v1::OBJECT_KIND_ORDER);
  CHECK(reserve.object().name() == "web");
  CHECK(reserve.object().namespace_() == "default");
  CHECK(reserve.object().requests().at("cpu") == "500m");
  CHECK(f.metrics.quota_reserve.with({"allowed"}).value() == 1);
}

TEST_CASE("an invalid order is denied with every field error and no quota call", "[unit]") {
  Fixture f;
  const auto response = f.order(review_json("CREATE", "Order", order_json("-1", "0")));
  CHECK_FALSE(response.allowed);
  REQUIRE(response.status.has_value());
  CHECK(response.status->code == 422);
  CHECK(response.status->reason == "Invalid");
  CHECK_THAT(response.status->message,
             Catch::StartsWith("Order.core.korder.dev \"web\" is invalid: "));
  CHECK_THAT(response.status->message, Catch::Contains("spec.replicas"));
  REQUIRE(response.status->details.has_value());
  CHECK_FALSE(response.status->details->causes.empty());
  CHECK(f.quota.requests.empty());
}

TEST_CASE("a quota denial is a 403 with the service's message and warnings", "[unit]") {
  Fixture f;
  f.quota.answer = QuotaDecision{
      false,
      R"(korder quota exceeded: quota "team-quota": reserved.cpu: requested 500m, used 19800m, limit 20)",
      {"2 of 3 tickets would not fit"}};
  const auto response = f.ticket(review_json("CREATE", "Ticket", ticket_json()));
  CHECK_FALSE(response.allowed);
  CHECK(response.status->code == 403);
  CHECK(response.status->reason == "Forbidden");
  CHECK(
      response.status->message ==
      R"(korder quota exceeded: quota "team-quota": reserved.cpu: requested 500m, used 19800m, limit 20)");
  CHECK(response.warnings == std::vector<std::string>{"2 of 3 tickets would not fit"});
  CHECK(f.metrics.quota_reserve.with({"denied"}).value() == 1);
}

TEST_CASE("a dry run asks without holding", "[unit]") {
  Fixture f;
  f.order(review_json("CREATE", "Order", order_json(), "", /*dry_run=*/true));
  REQUIRE(f.quota.requests.size() == 1);
  CHECK(f.quota.requests[0].dry_run());
  CHECK(f.metrics.quota_check.with({"allowed"}).value() == 1);
}

TEST_CASE("an unreachable quota service denies orders with a clear message", "[unit]") {
  Fixture f;
  f.quota.answer = Unexpected(std::string("UNAVAILABLE: no serving quota service replica"));
  const auto response = f.order(review_json("CREATE", "Order", order_json()));
  CHECK_FALSE(response.allowed);
  CHECK(response.status->code == 503);
  CHECK_THAT(response.status->message,
             Catch::Contains("korder quota service unavailable: UNAVAILABLE"));
}

TEST_CASE("with --quota-fail-open an unreachable quota service admits with a warning", "[unit]") {
  boost::asio::io_context io;
  kclient::MetricsRegistry registry;
  WebhookMetrics metrics(registry);
  FakeQuotaAdmitter quota;
  quota.answer = Unexpected(std::string("UNAVAILABLE: down"));
  ObjectAdmissionOptions options;
  options.quota_fail_open = true;
  ObjectAdmission objects(&quota, metrics, options);
  auto request = decode_review_request(review_json("CREATE", "Order", order_json()));
  REQUIRE(request.has_value());
  const auto response =
      testing::run(io, objects.review_order(std::move(request).value(), SteadyTimePoint()));
  CHECK(response.allowed);
  REQUIRE(response.warnings.size() == 1);
  CHECK_THAT(response.warnings[0], Catch::Contains("without a quota check"));
}

TEST_CASE("an update that changes neither spec nor labels is not sent to the quota service",
          "[unit]") {
  Fixture f;
  const std::string with_finalizer =
      order_json("1", "500m", R"(,"finalizers":["korder.dev/order-protection"])");
  CHECK(f.order(review_json("UPDATE", "Order", with_finalizer, order_json())).allowed);
  CHECK(f.quota.requests.empty());
  CHECK(f.order(review_json("UPDATE", "Order", order_json("3"), order_json())).allowed);
  REQUIRE(f.quota.requests.size() == 1);
  CHECK(f.quota.requests[0].operation() == quota::v1::OPERATION_UPDATE);
  CHECK(f.quota.requests[0].old_object().count() == 1);
  CHECK(f.quota.requests[0].object().count() == 3);
}

TEST_CASE("a ticket's spec is immutable on update", "[unit]") {
  Fixture f;
  const auto response =
      f.ticket(review_json("UPDATE", "Ticket", ticket_json("1"), ticket_json("500m")));
  CHECK_FALSE(response.allowed);
  CHECK(response.status->code == 422);
  CHECK_THAT(response.status->message, Catch::Contains("spec"));
  CHECK(f.quota.requests.empty());
}

TEST_CASE("deletes and objects being deleted are admitted without checks", "[unit]") {
  Fixture f;
  CHECK(f.order(review_json("DELETE", "Order", "", order_json())).allowed);
  const std::string deleting =
      order_json("-1", "500m", R"(,"deletionTimestamp":"2026-01-01T00:00:00Z")");
  CHECK(f.order(review_json("UPDATE", "Order", deleting, order_json())).allowed);
  CHECK(f.quota.requests.empty());
}

TEST_CASE("an object that does not decode is invalid at the field that is wrong", "[unit]") {
  Fixture f;
  const auto response = f.order(
      review_json("CREATE", "Order", R"({"metadata":{"name":"x"},"spec":{"replicas":"many"}})"));
  CHECK_FALSE(response.allowed);
  CHECK(response.status->code == 422);
  CHECK_THAT(response.status->message, Catch::Contains("spec.replicas"));
  const auto quantity = f.order(review_json("CREATE", "Order", order_json("1", "lots")));
  CHECK(quantity.status->code == 422);
  CHECK_THAT(
      quantity.status->message,
      Catch::Contains("spec.template.spec.resources.requests[cpu]") && Catch::Contains("\"lots\""));
  CHECK(f.quota.requests.empty());
}

TEST_CASE("quotas are validated with field paths", "[unit]") {
  Fixture f;
  const auto bad = decode_review_request(review_json(
      "CREATE", "Quota",
      R"({"apiVersion":"core.korder.dev/v1alpha1","kind":"Quota","metadata":{"name":"q"},"spec":{"scope":{"type":"Galaxy"},"hard":{"orders":"10"}}})",
      "", false, ""));
  REQUIRE(bad.has_value());
  const auto denied = f.objects.review_quota(*bad);
  CHECK_FALSE(denied.allowed);
  CHECK_THAT(denied.status->message, Catch::Contains("spec.scope.type"));
  const auto good = decode_review_request(review_json(
      "CREATE", "Quota",
      R"({"apiVersion":"core.korder.dev/v1alpha1","kind":"Quota","metadata":{"name":"q"},"spec":{"scope":{"type":"Cluster"},"hard":{"orders":"10"}}})",
      "", false, ""));
  REQUIRE(good.has_value());
  CHECK(f.objects.review_quota(*good).allowed);
}

TEST_CASE("without a quota service configured, valid objects are admitted", "[unit]") {
  boost::asio::io_context io;
  kclient::MetricsRegistry registry;
  WebhookMetrics metrics(registry);
  ObjectAdmission objects(nullptr, metrics, ObjectAdmissionOptions());
  auto request = decode_review_request(review_json("CREATE", "Ticket", ticket_json()));
  REQUIRE(request.has_value());
  CHECK(testing::run(io, objects.review_ticket(std::move(request).value(), SteadyTimePoint()))
            .allowed);
}

TEST_CASE("the denial message from violations follows DESIGN §4", "[unit]") {
  google::protobuf::RepeatedPtrField<quota::v1::Violation> violations;
  auto* v = violations.Add();
  v->set_quota("team-quota");
  v->set_resource("reserved.cpu");
  v->set_requested("500m");
  v->set_used("19800m");
  v->set_limit("20");
  CHECK(
      quota_denial_message(violations) ==
      R"(korder quota exceeded: quota "team-quota": reserved.cpu: requested 500m, used 19800m, limit 20)");
}

}  // namespace
}  // namespace korder::webhook
