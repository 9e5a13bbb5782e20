// Admission webhooks called as kube-apiserver calls them: AdmissionReview v1 over HTTPS to a
// mapped service, patches, denials, failurePolicy, certificate verification, timeouts and
// call-backs.
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <catch2/catch.hpp>

#include "webhook_client.h"
#include "webhook_test_support.h"

namespace korder::devcluster::testing {
namespace {

const std::string kConfigMaps = "/api/v1/namespaces/default/configmaps";

/// A loopback port nothing listens on.
std::uint16_t closed_port() {
  net::io_context ioc;
  net::ip::tcp::acceptor acceptor(ioc, {net::ip::make_address("127.0.0.1"), 0});
  return acceptor.local_endpoint().port();
}

WebhookReply allow() { return WebhookReply{}; }

}  // namespace

TEST_CASE("a mutating webhook behind a mapped service patches the object it reviews",
          "[integration]") {
  TestWebhookServer hook({kHookDns}, {}, [](const ReceivedReview&) {
    WebhookReply reply;
    reply.patch = R"([{"op":"add","path":"/data/added","value":"by-webhook"}])";
    reply.warnings = {"mutated by the test webhook"};
    return reply;
  });
  TestCluster tc(mapped_to(hook.port()));
  auto& c = tc.client();
  REQUIRE(register_hooks(c, true, "patcher", {{"patch.korder.dev", "/mutate", hook.ca_bundle()}})
              .status == 201);

  auto created = c.post(kConfigMaps, config_map("cm1"));
  REQUIRE(created.status == 201);
  CHECK(str(created.json(), {"data", "added"}) == "by-webhook");
  CHECK(created.headers["warning"].find("mutated by the test webhook") != std::string::npos);
  CHECK(str(c.get(kConfigMaps + "/cm1").json(), {"data", "added"}) == "by-webhook");

  auto reviews = hook.reviews();
  REQUIRE(reviews.size() == 1);
  CHECK(reviews[0].target == "/mutate?timeout=10s");
  const JsonValue& review = reviews[0].review;
  CHECK(str(review, {"apiVersion"}) == "admission.k8s.io/v1");
  CHECK(str(review, {"kind"}) == "AdmissionReview");
  const JsonValue& r = *find_member(review, "request");
  CHECK(str(r, {"uid"}).size() == 36);
  CHECK(str(r, {"kind", "kind"}) == "ConfigMap");
  CHECK(str(r, {"kind", "version"}) == "v1");
  CHECK(str(r, {"resource", "resource"}) == "configmaps");
  CHECK(str(r, {"requestResource", "resource"}) == "configmaps");
  CHECK(str(r, {"requestKind", "kind"}) == "ConfigMap");
  CHECK(str(r, {"operation"}) == "CREATE");
  CHECK(str(r, {"namespace"}) == "default");
  CHECK(str(r, {"name"}) == "cm1");
  CHECK(!str(r, {"userInfo", "username"}).empty());
  CHECK(str(r, {"object", "data", "a"}) == "1");
  CHECK(find_member(r, "oldObject")->IsNull());
  CHECK(find_member(r, "dryRun")->IsFalse());
  CHECK(str(r, {"options", "kind"}) == "CreateOptions");

  // An update is reviewed with the stored object as oldObject.
  auto updated = c.patch(kConfigMaps + "/cm1", R"({"data":{"a":"2"}})");
  REQUIRE(updated.status == 200);
  reviews = hook.reviews();
  REQUIRE(reviews.size() == 2);
  const JsonValue& u = *find_member(reviews[1].review, "request");
  CHECK(str(u, {"operation"}) == "UPDATE");
  CHECK(str(u, {"options", "kind"}) == "UpdateOptions");
  CHECK(str(u, {"oldObject", "data", "a"}) == "1");
  CHECK(str(u, {"object", "data", "a"}) == "2");
}

TEST_CASE("a validating webhook denies with its status: its code, else 400, and its message",
          "[integration]") {
  TestWebhookServer hook({kHookDns}, {}, [](const ReceivedReview& r) {
    const std::string name = str(r.review, {"request", "name"});
    WebhookReply reply;
    if (name == "forbidden") {
      reply.allowed = false;
      reply.code = 403;
      reply.reason = "Forbidden";
      reply.message = "korder quota exceeded: quota \"q\": cpu";
    } else if (name == "nocode") {
      reply.allowed = false;
      reply.message = "just no";
    } else if (name == "silent") {
      reply.allowed = false;
    }
    return reply;
  });
  TestCluster tc(mapped_to(hook.port()));
  auto& c = tc.client();
  REQUIRE(register_hooks(c, false, "deny", {{"deny.korder.dev", "/validate", hook.ca_bundle()}})
              .status == 201);

  auto denied = c.post(kConfigMaps, config_map("forbidden"));
  CHECK(denied.status == 403);
  CHECK(str(denied.json(), {"reason"}) == "Forbidden");
  CHECK(str(denied.json(), {"message"}) ==
        "admission webhook \"deny.korder.dev\" denied the request: korder quota exceeded: quota "
        "\"q\": cpu");
  CHECK(c.get(kConfigMaps + "/forbidden").status == 404);

  // kube-apiserver's ToStatusErr: a status code below 400 (here: none) becomes 400.
  auto no_code = c.post(kConfigMaps, config_map("nocode"));
  CHECK(no_code.status == 400);
  CHECK(str(no_code.json(), {"message"}) ==
        "admission webhook \"deny.korder.dev\" denied the request: just no");
  auto silent = c.post(kConfigMaps, config_map("silent"));
  CHECK(silent.status == 400);
  CHECK(str(silent.json(), {"message"}) ==
        "admission webhook \"deny.korder.dev\" denied the request without explanation");

  CHECK(c.post(kConfigMaps, config_map("fine")).status == 201);
}

TEST_CASE("a webhook that is down: Ignore lets the write through, Fail rejects it with 500",
          "[integration]") {
  const std::uint16_t port = closed_port();
  TestCluster tc(mapped_to(port));
  auto& c = tc.client();
  const std::string bundle = unrelated_ca_bundle();

  REQUIRE(register_hooks(
              c, false, "lenient",
              {{"down.korder.dev", "/v", bundle, kConfigMapRules, R"(,"failurePolicy":"Ignore")"}})
              .status == 201);
  CHECK(c.post(kConfigMaps, config_map("passes")).status == 201);

  REQUIRE(register_hooks(c, false, "strict", {{"down.korder.dev", "/validate", bundle}}).status ==
          201);  // failurePolicy defaults to Fail
  auto rejected = c.post(kConfigMaps, config_map("rejected"));
  CHECK(rejected.status == 500);
  CHECK(str(rejected.json(), {"reason"}) == "InternalError");
  CHECK(str(rejected.json(), {"message"}) ==
        "Internal error occurred: failed calling webhook \"down.korder.dev\": failed to call "
        "webhook: Post \"https://hook.webhooks.svc:443/validate?timeout=10s\": dial tcp "
        "127.0.0.1:" +
            std::to_string(port) + ": connect: connection refused");
  CHECK(c.get(kConfigMaps + "/rejected").status == 404);

  // A service missing from the map is a failed call too (kube-apiserver: no such host).
  REQUIRE(c.del(configuration_path(false) + "/strict").status == 200);
  REQUIRE(register_hooks(c, false, "unmapped",
                         {{"unmapped.korder.dev", "/", bundle, kConfigMapRules, "",
                           R"("service":{"namespace":"elsewhere","name":"svc"})"}})
              .status == 201);
  auto unmapped = c.post(kConfigMaps, config_map("unmapped"));
  CHECK(unmapped.status == 500);
  CHECK(str(unmapped.json(), {"message"}).find("lookup svc.elsewhere.svc: no such host") !=
        std::string::npos);
}

TEST_CASE("the webhook's certificate is verified against caBundle for the service's DNS name",
          "[integration]") {
  TestWebhookServer hook({kHookDns}, {}, [](const ReceivedReview&) { return allow(); });
  TestWebhookServer by_ip({}, {"127.0.0.1"}, [](const ReceivedReview&) { return allow(); });
  DevClusterOptions options = mapped_to(hook.port());
  // Another service name mapped to the same server: its certificate does not carry that name.
  options.webhook_service_map.push_back("webhooks/other=127.0.0.1:" + std::to_string(hook.port()));
  TestCluster tc(options);
  auto& c = tc.client();

  SECTION("a caBundle of another CA fails verification") {
    REQUIRE(register_hooks(c, false, "wrong-ca", {{"ca.korder.dev", "/", unrelated_ca_bundle()}})
                .status == 201);
    auto r = c.post(kConfigMaps, config_map("x"));
    CHECK(r.status == 500);
    CHECK(str(r.json(), {"message"}).find("tls: failed to verify certificate: x509:") !=
          std::string::npos);
    CHECK(hook.reviews().empty());
  }
  SECTION("the right CA but a name the certificate does not carry fails verification") {
    REQUIRE(register_hooks(c, false, "wrong-name",
                           {{"name.korder.dev", "/", hook.ca_bundle(), kConfigMapRules, "",
                             R"("service":{"namespace":"webhooks","name":"other"})"}})
                .status == 201);
    auto r = c.post(kConfigMaps, config_map("x"));
    CHECK(r.status == 500);
    CHECK(str(r.json(), {"message"}).find("other.webhooks.svc") != std::string::npos);
    CHECK(str(r.json(), {"message"}).find("failed to verify certificate") != std::string::npos);
    CHECK(hook.reviews().empty());
  }
  SECTION("a url clientConfig is verified for the URL's host") {
    const std::string url_ok =
        R"("url":"https://127.0.0.1:)" + std::to_string(by_ip.port()) + R"(/by-url")";
    const std::string url_bad =
        R"("url":"https://127.0.0.1:)" + std::to_string(hook.port()) + R"(/by-url")";
    REQUIRE(
        register_hooks(c, false, "by-url",
                       {{"url.korder.dev", "/", by_ip.ca_bundle(), kConfigMapRules, "", url_ok}})
            .status == 201);
    CHECK(c.post(kConfigMaps, config_map("x")).status == 201);
    REQUIRE(by_ip.reviews().size() == 1);
    CHECK(by_ip.reviews()[0].target == "/by-url?timeout=10s");
    REQUIRE(
        register_hooks(c, false, "by-url-bad",
                       {{"badurl.korder.dev", "/", hook.ca_bundle(), kConfigMapRules, "", url_bad}})
            .status == 201);
    auto r = c.post(kConfigMaps, config_map("y"));
    CHECK(r.status == 500);
    CHECK(str(r.json(), {"message"}).find("failed to verify certificate") != std::string::npos);
  }
  SECTION("the right CA and name pass") {
    REQUIRE(
        register_hooks(c, false, "right", {{"right.korder.dev", "/", hook.ca_bundle()}}).status ==
        201);
    CHECK(c.post(kConfigMaps, config_map("x")).status == 201);
    CHECK(hook.reviews().size() == 1);
  }
}

TEST_CASE("a webhook may call back into the devcluster while its review is in flight",
          "[integration]") {
  std::atomic<std::uint16_t> api_port{0};
  std::atomic<int> callback_status{0};
  std::atomic<int> callback_items{-1};
  TestWebhookServer hook({kHookDns}, {}, [&](const ReceivedReview&) {
    HttpClient back(api_port.load());
    auto listed = back.get(kConfigMaps);
    callback_status = listed.status;
    const JsonValue* items = find_member(listed.json(), "items");
    callback_items = items != nullptr && items->IsArray() ? static_cast<int>(items->Size()) : -1;
    return allow();
  });
  // One io thread: a devcluster that blocked it while waiting for the webhook would deadlock.
  TestCluster tc(mapped_to(hook.port(), 1));
  api_port = tc.port();
  auto& c = tc.client();
  REQUIRE(c.post(kConfigMaps, config_map("before")).status == 201);
  REQUIRE(
      register_hooks(c, true, "calls-back", {{"back.korder.dev", "/", hook.ca_bundle()}}).status ==
      201);
  REQUIRE(
      register_hooks(c, false, "calls-back", {{"back.korder.dev", "/", hook.ca_bundle()}}).status ==
      201);
  const auto start = std::chrono::steady_clock::now();
  CHECK(c.post(kConfigMaps, config_map("during")).status == 201);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
  CHECK(hook.reviews().size() == 2);
  CHECK(callback_status == 200);
  CHECK(callback_items == 1);
}

TEST_CASE("mutating webhooks see neither the generated name nor the uid; validating ones do",
          "[integration]") {
  TestWebhookServer hook({kHookDns}, {}, [](const ReceivedReview&) { return allow(); });
  TestCluster tc(mapped_to(hook.port()));
  auto& c = tc.client();
  REQUIRE(register_hooks(c, true, "m", {{"m.korder.dev", "/mutate", hook.ca_bundle()}}).status ==
          201);
  REQUIRE(register_hooks(c, false, "v", {{"v.korder.dev", "/validate", hook.ca_bundle()}}).status ==
          201);
  auto created = c.post(kConfigMaps, R"({"metadata":{"generateName":"gen-"},"data":{}})");
  REQUIRE(created.status == 201);
  const std::string name = str(created.json(), {"metadata", "name"});
  const std::string uid = str(created.json(), {"metadata", "uid"});
  REQUIRE(name.starts_with("gen-"));

  auto reviews = hook.reviews();
  REQUIRE(reviews.size() == 2);
  REQUIRE(reviews[0].target.starts_with("/mutate"));
  const JsonValue& m = *find_member(reviews[0].review, "request");
  CHECK(find_member(m, "name") == nullptr);
  CHECK(str(m, {"object", "metadata", "name"}).empty());
  CHECK(str(m, {"object", "metadata", "uid"}).empty());
  CHECK(str(m, {"object", "metadata", "generateName"}) == "gen-");
  const JsonValue& v = *find_member(reviews[1].review, "request");
  CHECK(str(v, {"name"}) == name);
  CHECK(str(v, {"object", "metadata", "name"}) == name);
  CHECK(str(v, {"object", "metadata", "uid"}) == uid);
}

TEST_CASE("timeoutSeconds bounds a stalled webhook", "[integration]") {
  TestWebhookServer hook({kHookDns}, {}, [](const ReceivedReview&) {
    WebhookReply reply;
    reply.delay = std::chrono::seconds(4);
    return reply;
  });
  TestCluster tc(mapped_to(hook.port()));
  auto& c = tc.client();

  SECTION("failurePolicy Fail: 500 after about a second") {
    REQUIRE(register_hooks(c, false, "stall",
                           {{"stall.korder.dev", "/stall", hook.ca_bundle(), kConfigMapRules,
                             R"(,"timeoutSeconds":1)"}})
                .status == 201);
    const auto start = std::chrono::steady_clock::now();
    auto r = c.post(kConfigMaps, config_map("slow"));
    const auto elapsed = std::chrono::steady_clock::now() - start;
    CHECK(r.status == 500);
    CHECK(str(r.json(), {"message"}) ==
          "Internal error occurred: failed calling webhook \"stall.korder.dev\": failed to call "
          "webhook: Post \"https://hook.webhooks.svc:443/stall?timeout=1s\": context deadline "
          "exceeded");
    CHECK(elapsed >= std::chrono::milliseconds(900));
    CHECK(elapsed < std::chrono::seconds(3));
  }
  SECTION("failurePolicy Ignore: the write goes through after the timeout") {
    REQUIRE(register_hooks(c, false, "stall",
                           {{"stall.korder.dev", "/stall", hook.ca_bundle(), kConfigMapRules,
                             R"(,"timeoutSeconds":1,"failurePolicy":"Ignore")"}})
                .status == 201);
    const auto start = std::chrono::steady_clock::now();
    CHECK(c.post(kConfigMaps, config_map("slow")).status == 201);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(3));
  }
}

TEST_CASE("malformed webhook answers are failed calls", "[integration]") {
  std::atomic<int> mode{0};
  TestWebhookServer hook({kHookDns}, {}, [&](const ReceivedReview&) {
    WebhookReply reply;
    if (mode == 0) {
      reply.raw_body = "not json";
    } else if (mode == 1) {
      reply.http_status = 503;
      reply.raw_body = "busy";
    } else if (mode == 2) {
      reply.uid = "someone-else";
    } else {
      reply.raw_body = R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"})";
    }
    return reply;
  });
  TestCluster tc(mapped_to(hook.port()));
  auto& c = tc.client();
  REQUIRE(register_hooks(c, false, "bad", {{"bad.korder.dev", "/", hook.ca_bundle()}}).status ==
          201);
  const std::vector<std::string> expected = {
      "couldn't decode the AdmissionReview",
      "the server responded with the status code 503 but did not return more information",
      "received invalid webhook response: expected response.uid=",
      "received invalid webhook response: webhook response was absent"};
  for (int m = 0; m < 4; ++m) {
    mode = m;
    auto r = c.post(kConfigMaps, config_map("x" + std::to_string(m)));
    INFO(r.body);
    CHECK(r.status == 500);
    CHECK(str(r.json(), {"message"}).find(expected[static_cast<std::size_t>(m)]) !=
          std::string::npos);
  }
}

TEST_CASE("service map entries (--webhook-service-map) are checked with clear errors", "[unit]") {
  auto ok = parse_webhook_service_map({"ns/svc=127.0.0.1:8443", "a/b=[::1]:9443"});
  REQUIRE(ok.has_value());
  CHECK(ok->at("ns/svc").host == "127.0.0.1");
  CHECK(ok->at("ns/svc").port == "8443");
  CHECK(ok->at("a/b").host == "::1");
  for (const std::string bad :
       {"ns/svc", "svc=127.0.0.1:1", "ns/svc=127.0.0.1", "ns/svc=127.0.0.1:0", "/svc=h:1",
        "ns/svc=:80", "ns/a/b=h:1", "ns/svc=h:99999"}) {
    auto parsed = parse_webhook_service_map({bad});
    INFO(bad);
    REQUIRE_FALSE(parsed.has_value());
    CHECK(parsed.error().find("--webhook-service-map") == 0);
    CHECK(parsed.error().find(bad) != std::string::npos);
  }
  auto twice = parse_webhook_service_map({"a/b=h:1", "a/b=h:2"});
  REQUIRE_FALSE(twice.has_value());
  CHECK(twice.error().find("mapped twice") != std::string::npos);
}

}  // namespace korder::devcluster::testing
