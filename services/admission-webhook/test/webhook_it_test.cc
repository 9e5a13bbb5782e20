// korder-admission-webhook as a process against the development cluster: TLS, the review
// endpoints, and claims written to real Ticket status with resourceVersion preconditions.

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <mutex>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "korder/api/admission.h"
#include "korder/api/json.h"
#include "korder/api/ticket.h"
#include "korder/api/time.h"
#include "process.h"
#include "test_cluster.h"

namespace korder::webhook {
namespace {

using korder::testing::CommandResult;
using korder::testing::Process;
using korder::testing::TempDir;
using korder::testing::TestCluster;

constexpr const char* kHost = "korder-webhook.korder-system.svc";

std::string pod_json(const std::string& cpu, const std::string& extra_annotations = "") {
  return R"({"apiVersion":"v1","kind":"Pod","metadata":{"generateName":"shop-","annotations":{"korder.dev/required":"true")" +
         extra_annotations +
         R"(}},"spec":{"containers":[{"name":"app","image":"nginx","resources":{"requests":{"cpu":")" +
         cpu + R"(","memory":"128Mi"}}}]}})";
}

std::string review_json(const std::string& uid, const std::string& object, bool dry_run) {
  return R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":")" +
         uid +
         R"(","kind":{"group":"","version":"v1","kind":"Pod"},"resource":{"group":"","version":"v1","resource":"pods"},"namespace":"default","operation":"CREATE","userInfo":{"username":"admin"},"object":)" +
         object + R"(,"dryRun":)" + (dry_run ? "true" : "false") + "}}";
}

// The development cluster with korder's CRDs, certificates from scripts/certs.sh, and the
// webhook process serving on a free loopback port.
class WebhookFixture {
 public:
  explicit WebhookFixture(std::vector<std::string> extra_flags = {}) {
    cluster_.install_crds();
    certs_ = dir_.path() + "/certs";
    const auto made = korder::testing::run_command(
        {"bash", korder::testing::source_dir() + "/scripts/certs.sh", certs_}, {},
        std::chrono::seconds(30));
    REQUIRE(made.exit_code == 0);
    std::vector<std::string> argv = {KORDER_WEBHOOK_BINARY,
                                     "--kubeconfig=" + cluster_.kubeconfig(),
                                     "--tls-cert-file=" + certs_ + "/webhook.crt",
                                     "--tls-key-file=" + certs_ + "/webhook.key",
                                     "--bind-address=127.0.0.1:0",
                                     "--quota-address=",
                                     "--metrics-bind-address=127.0.0.1:0",
                                     "--health-probe-bind-address=127.0.0.1:0",
                                     "--io-threads=2"};
    argv.insert(argv.end(), extra_flags.begin(), extra_flags.end());
    webhook_ = std::make_unique<Process>(argv, std::map<std::string, std::string>{},
                                         dir_.path() + "/webhook.log");
    REQUIRE(webhook_->wait_for_output("webhook serving", std::chrono::seconds(20)));
    std::smatch match;
    const std::string output = webhook_->output();
    REQUIRE(std::regex_search(output, match, std::regex("webhook serving .* port=([0-9]+)")));
    port_ = std::stoi(match[1]);
  }

  ~WebhookFixture() {
    if (webhook_ && webhook_->running()) {
      webhook_->terminate(std::chrono::seconds(10));
    }
  }

  TestCluster& cluster() { return cluster_; }
  Process& webhook() { return *webhook_; }
  const std::string& certs() const { return certs_; }
  int port() const { return port_; }

  // POSTs `body` to `path` over TLS, verifying the serving certificate for the Service name.
  // Thread-safe: the body goes through a file of its own, never a shared stdin pipe (a child
  // forked by another thread would inherit it and hold it open).
  CommandResult post(const std::string& path, const std::string& body,
                     const std::string& ca_file = "") {
    const std::string file = dir_.path() + "/body-" + std::to_string(next_body_.fetch_add(1));
    korder::testing::write_file(file, body);
    return korder::testing::run_command(
        {"curl", "-sS", "--max-time", "20", "--cacert",
         ca_file.empty() ? certs_ + "/ca.crt" : ca_file, "--resolve",
         std::string(kHost) + ":" + std::to_string(port_) + ":127.0.0.1", "-H",
         "Content-Type: application/json", "-w", "\n%{http_code}", "--data-binary", "@" + file,
         "https://" + std::string(kHost) + ":" + std::to_string(port_) + path},
        {}, std::chrono::seconds(30));
  }

  // The AdmissionResponse in a curl answer, or nothing (no Catch assertions: any thread).
  static std::optional<api::AdmissionResponse> parse_answer(const CommandResult& answer) {
    const auto newline = answer.out.rfind('\n');
    if (answer.exit_code != 0 || newline == std::string::npos ||
        answer.out.substr(newline + 1) != "200") {
      return std::nullopt;
    }
    auto review = api::parse_admission_review(answer.out.substr(0, newline));
    if (!review || !review->response) {
      return std::nullopt;
    }
    return *review->response;
  }

  // The decoded AdmissionResponse of a review of `pod`.
  api::AdmissionResponse review(const std::string& uid, const std::string& pod, bool dry_run) {
    const auto answer = post("/mutate-pods?timeout=10s", review_json(uid, pod, dry_run));
    REQUIRE(answer.exit_code == 0);
    const auto newline = answer.out.rfind('\n');
    REQUIRE(answer.out.substr(newline + 1) == "200");
    auto review = api::parse_admission_review(answer.out.substr(0, newline));
    REQUIRE(review.has_value());
    REQUIRE(review->response.has_value());
    return *review->response;
  }

  // Creates a Ready ticket on `node` holding `cpu` (the ticket controller's job, done by hand).
  void make_ready_ticket(const std::string& name, const std::string& node, const std::string& cpu) {
    const std::string body =
        R"({"apiVersion":"core.korder.dev/v1alpha1","kind":"Ticket","metadata":{"name":")" + name +
        R"(","namespace":"default","labels":{"korder.dev/order":"shop"}},"spec":{"duration":"1h","resources":{"requests":{"cpu":")" +
        cpu + R"(","memory":"1Gi"}}}})";
    const auto created =
        cluster_.api("POST", "/apis/core.korder.dev/v1alpha1/namespaces/default/tickets", body);
    REQUIRE(created.status == 201);
    auto ticket = api::parse_ticket(created.body);
    REQUIRE(ticket.has_value());
    ticket->status.phase = "Ready";
    ticket->status.node_name = node;
    ticket->status.guardian_pod = name + "-guardian";
    ticket->status.expiration_time = std::chrono::system_clock::now() + std::chrono::hours(1);
    const auto updated = cluster_.api(
        "PUT", "/apis/core.korder.dev/v1alpha1/namespaces/default/tickets/" + name + "/status",
        api::to_json(*ticket));
    REQUIRE(updated.status == 200);
  }

  api::Ticket get_ticket(const std::string& name) {
    const auto got =
        cluster_.api("GET", "/apis/core.korder.dev/v1alpha1/namespaces/default/tickets/" + name);
    REQUIRE(got.status == 200);
    auto ticket = api::parse_ticket(got.body);
    REQUIRE(ticket.has_value());
    return std::move(ticket).value();
  }

  // Waits until the webhook's caches hold `count` Ready tickets (a dry run finds one).
  void wait_until_ready(const std::string& pod) {
    const bool ready = korder::testing::eventually(
        [&] {
          const auto response = review("probe", pod, /*dry_run=*/true);
          return response.patch.find("claim-token") != std::string::npos;
        },
        std::chrono::seconds(20));
    REQUIRE(ready);
  }

 private:
  TestCluster cluster_;
  TempDir dir_;
  std::string certs_;
  std::unique_ptr<Process> webhook_;
  int port_ = 0;
  std::atomic<int> next_body_{0};
};

// The value of the first `add` op at `path` in a JSON patch, as compact JSON.
std::string patch_value(const std::string& patch, const std::string& path) {
  api::JsonDocument doc;
  if (!api::parse_json(patch, doc) || !doc.IsArray()) {
    return "";
  }
  for (const auto& op : doc.GetArray()) {
    if (std::string(op["path"].GetString()) == path) {
      return api::write_json(op["value"]);
    }
  }
  return "";
}

std::string claimed_ticket(const api::AdmissionResponse& response) {
  const std::string labels = patch_value(response.patch, "/metadata/labels");
  std::smatch match;
  if (std::regex_search(labels, match, std::regex(R"re("korder.dev/ticket":"([^"]+)")re"))) {
    return match[1];
  }
  return "";
}

std::string claim_token(const api::AdmissionResponse& response) {
  const std::string token =
      patch_value(response.patch, "/metadata/annotations/korder.dev~1claim-token");
  return token.size() >= 2 ? token.substr(1, token.size() - 2) : "";
}

TEST_CASE("a dry-run review over TLS picks a Ready ticket without claiming it", "[integration]") {
  WebhookFixture f;
  f.make_ready_ticket("shop-a", "dev-node-1", "1");
  f.wait_until_ready(pod_json("500m"));
  const auto response = f.review("dry-1", pod_json("500m"), /*dry_run=*/true);
  CHECK(response.uid == "dry-1");
  CHECK(response.allowed);
  CHECK(claimed_ticket(response) == "shop-a");
  CHECK_FALSE(f.get_ticket("shop-a").status.claim.has_value());
}

TEST_CASE("a review claims a ticket in its status with the token the pod carries",
          "[integration]") {
  WebhookFixture f;
  f.make_ready_ticket("shop-a", "dev-node-1", "1");
  f.wait_until_ready(pod_json("500m"));
  const auto response = f.review("real-1", pod_json("500m"), /*dry_run=*/false);
  REQUIRE(claimed_ticket(response) == "shop-a");
  CHECK(patch_value(response.patch, "/spec/schedulingGates") ==
        R"([{"name":"korder.dev/ticket"}])");
  const api::Ticket ticket = f.get_ticket("shop-a");
  REQUIRE(ticket.status.claim.has_value());
  CHECK(ticket.status.claim->token == claim_token(response));
  CHECK(ticket.status.claim->pod_namespace == "default");
  CHECK(ticket.status.claim->pod_generate_name == "shop-");
  REQUIRE(ticket.status.claim->deadline.has_value());
  CHECK(*ticket.status.claim->deadline > std::chrono::system_clock::now());
  // The ticket is taken now: the next pod gets the reason instead.
  const auto second = f.review("real-2", pod_json("500m"), /*dry_run=*/false);
  CHECK(claimed_ticket(second).empty());
  CHECK_THAT(patch_value(second.patch, "/metadata/annotations/korder.dev~1unassigned-reason"),
             Catch::Contains("1 ticket(s): 1 "));
}

TEST_CASE("16 concurrent reviews against 6 tickets never claim one ticket twice", "[integration]") {
  WebhookFixture f;
  const int tickets = 6;
  for (int i = 0; i < tickets; ++i) {
    f.make_ready_ticket("shop-" + std::to_string(i), i % 2 == 0 ? "dev-node-1" : "dev-node-2", "1");
  }
  f.wait_until_ready(pod_json("500m"));
  std::mutex mu;
  std::vector<CommandResult> answers;
  std::vector<std::thread> clients;
  for (int i = 0; i < 16; ++i) {
    clients.emplace_back([&, i] {
      auto answer = f.post("/mutate-pods?timeout=10s",
                           review_json("race-" + std::to_string(i), pod_json("500m"), false));
      std::lock_guard lock(mu);
      answers.push_back(std::move(answer));
    });
  }
  for (auto& client : clients) {
    client.join();
  }
  std::vector<api::AdmissionResponse> responses;
  for (const auto& answer : answers) {
    INFO(answer.out << answer.err);
    auto response = WebhookFixture::parse_answer(answer);
    REQUIRE(response.has_value());
    responses.push_back(std::move(response).value());
  }
  REQUIRE(responses.size() == 16);
  std::map<std::string, std::string> token_by_ticket;
  int unassigned = 0;
  for (const auto& response : responses) {
    CHECK(response.allowed);
    const std::string ticket = claimed_ticket(response);
    if (ticket.empty()) {
      ++unassigned;
      CHECK_FALSE(patch_value(response.patch, "/metadata/annotations/korder.dev~1unassigned-reason")
                      .empty());
      continue;
    }
    CHECK(token_by_ticket.emplace(ticket, claim_token(response)).second);  // never twice
  }
  CHECK(token_by_ticket.size() == static_cast<std::size_t>(tickets));
  CHECK(unassigned == 16 - tickets);
  for (const auto& [name, token] : token_by_ticket) {
    const api::Ticket ticket = f.get_ticket(name);
    REQUIRE(ticket.status.claim.has_value());
    CHECK(ticket.status.claim->token == token);  // the stored claim is the winner's
  }
}

TEST_CASE("bad requests get a 400 or 413 and the server keeps serving", "[integration]") {
  WebhookFixture f({"--max-request-bytes=65536"});
  auto answer = f.post("/mutate-pods", "{\"apiVersion\":");
  CHECK_THAT(answer.out, Catch::EndsWith("400"));
  answer = f.post(
      "/mutate-pods",
      R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"x","object":)" +
          std::string(3000, '[') + "}}");
  CHECK_THAT(answer.out, Catch::EndsWith("400"));
  answer = f.post("/mutate-pods", std::string(100000, ' '));
  CHECK_THAT(answer.out, Catch::EndsWith("413"));
  answer = f.post("/nowhere", "{}");
  CHECK_THAT(answer.out, Catch::EndsWith("404"));
  // Plain HTTP on the TLS port is refused, and the process is still up afterwards.
  const auto plain = korder::testing::run_command(
      {"curl", "-sS", "--max-time", "5",
       "http://127.0.0.1:" + std::to_string(f.port()) + "/mutate-pods"},
      {}, std::chrono::seconds(10));
  CHECK(plain.exit_code != 0);
  CHECK(f.webhook().running());
  const auto ok =
      f.review("after", R"({"metadata":{"name":"p"},"spec":{"containers":[{"name":"a"}]}})", false);
  CHECK(ok.allowed);
  CHECK(ok.uid == "after");
}

TEST_CASE("a rotated serving certificate is picked up without a restart", "[integration]") {
  WebhookFixture f({"--cert-check-interval=200ms"});
  TempDir other;
  const auto made = korder::testing::run_command(
      {"bash", korder::testing::source_dir() + "/scripts/certs.sh", other.path()}, {},
      std::chrono::seconds(30));
  REQUIRE(made.exit_code == 0);
  const std::string pod = R"({"metadata":{"name":"p"},"spec":{"containers":[{"name":"a"}]}})";
  CHECK(f.post("/mutate-pods", review_json("u1", pod, false), other.path() + "/ca.crt").exit_code !=
        0);
  korder::testing::write_file(f.certs() + "/webhook.key",
                              korder::testing::read_file(other.path() + "/webhook.key"));
  korder::testing::write_file(f.certs() + "/webhook.crt",
                              korder::testing::read_file(other.path() + "/webhook.crt"));
  CHECK(korder::testing::eventually(
      [&] {
        return f.post("/mutate-pods", review_json("u2", pod, false), other.path() + "/ca.crt")
                   .exit_code == 0;
      },
      std::chrono::seconds(15)));
}

TEST_CASE("SIGTERM stops the webhook cleanly", "[integration]") {
  WebhookFixture f;
  CHECK(f.webhook().terminate(std::chrono::seconds(20)) == 0);
  CHECK_THAT(f.webhook().output(), Catch::Contains("webhook server drained"));
}

}  // namespace
}  // namespace korder::webhook
