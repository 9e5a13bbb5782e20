// Which webhooks are called (rules, selectors, matchConditions, dry runs, DELETE),
// reinvocation, and the validation of webhook configurations.
#include <catch2/catch.hpp>

#include "webhook_test_support.h"

namespace korder::devcluster::testing {
namespace {

const std::string kConfigMaps = "/api/v1/namespaces/default/configmaps";

// Named for a scheduler that does not exist, so the simulated scheduler and kubelet never write
// it: the test's own status update must not race theirs (a 409).
const char* kPod =
    R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p1"},"spec":{"schedulerName":"test-scheduler","containers":[{"name":"c","image":"nginx"}]}})";

WebhookReply allow() { return WebhookReply{}; }

std::string first_cause_field(const Response& r) {
  JsonDocument doc = r.json();
  const JsonValue* causes = find_path(doc, {"details", "causes"});
  if (causes == nullptr || !causes->IsArray() || causes->Empty()) {
    return "";
  }
  return str((*causes)[0], {"field"});
}

}  // namespace

TEST_CASE("rules, objectSelector, namespaceSelector and matchConditions choose what is reviewed",
          "[integration]") {
  TestWebhookServer hook({kHookDns}, {}, [](const ReceivedReview&) { return allow(); });
  TestCluster tc(mapped_to(hook.port()));
  auto& c = tc.client();
  const std::string ca = hook.ca_bundle();
  const std::string update_only =
      R"([{"operations":["UPDATE"],"apiGroups":[""],"apiVersions":["v1"],"resources":["configmaps"]}])";
  const std::string pod_status =
      R"([{"operations":["*"],"apiGroups":[""],"apiVersions":["v1"],"resources":["pods/status"]}])";
  const std::string condition =
      R"(,"matchConditions":[{"name":"required","expression":"has(object.metadata.annotations) && 'korder.dev/required' in object.metadata.annotations && object.metadata.annotations['korder.dev/required'] == 'true'"}])";
  REQUIRE(
      register_hooks(
          c, false, "filters",
          {{"rules.korder.dev", "/update-only", ca, update_only},
           {"objects.korder.dev", "/object-selector", ca, kConfigMapRules,
            R"(,"objectSelector":{"matchLabels":{"app":"web"}})"},
           {"namespaces.korder.dev", "/namespace-selector", ca, kConfigMapRules,
            R"(,"namespaceSelector":{"matchExpressions":[{"key":"team","operator":"In","values":["a"]}]})"},
           {"conditions.korder.dev", "/match-conditions", ca, kConfigMapRules, condition},
           {"status.korder.dev", "/pod-status", ca, pod_status}})
          .status == 201);
  REQUIRE(c.post("/api/v1/namespaces", R"({"metadata":{"name":"team-a","labels":{"team":"a"}}})")
              .status == 201);
  auto counts = [&] {
    return std::vector<std::size_t>{hook.count("/update-only"), hook.count("/object-selector"),
                                    hook.count("/namespace-selector"),
                                    hook.count("/match-conditions"), hook.count("/pod-status")};
  };
  using Counts = std::vector<std::size_t>;

  REQUIRE(c.post(kConfigMaps, config_map("plain")).status == 201);
  CHECK(counts() == Counts{0, 0, 0, 0, 0});
  REQUIRE(c.post(kConfigMaps, config_map("web", R"({"app":"web"})")).status == 201);
  CHECK(counts() == Counts{0, 1, 0, 0, 0});
  REQUIRE(c.post("/api/v1/namespaces/team-a/configmaps", config_map("in-team")).status == 201);
  CHECK(counts() == Counts{0, 1, 1, 0, 0});
  REQUIRE(c.post(kConfigMaps, config_map("required", "{}", R"({"korder.dev/required":"true"})"))
              .status == 201);
  REQUIRE(c.post(kConfigMaps, config_map("not-required", "{}", R"({"korder.dev/required":"no"})"))
              .status == 201);
  CHECK(counts() == Counts{0, 1, 1, 1, 0});
  REQUIRE(c.patch(kConfigMaps + "/plain", R"({"data":{"b":"2"}})").status == 200);
  CHECK(counts() == Counts{1, 1, 1, 1, 0});
  // objectSelector matches the old object's labels too: removing the label is still reviewed.
  REQUIRE(c.patch(kConfigMaps + "/web", R"({"metadata":{"labels":{"app":null}}})").status == 200);
  CHECK(counts() == Counts{2, 2, 1, 1, 0});

  REQUIRE(c.post("/api/v1/namespaces/default/pods", kPod).status == 201);
  CHECK(counts()[4] == 0);
  auto pod = c.get("/api/v1/namespaces/default/pods/p1").json();
  set_string(ensure_object(pod, "status", pod.GetAllocator()), "phase", "Running",
             pod.GetAllocator());
  REQUIRE(c.put("/api/v1/namespaces/default/pods/p1/status", api::write_json(pod)).status == 200);
  CHECK(counts()[4] == 1);
  auto reviews = hook.reviews();
  const JsonValue& last = *find_member(reviews.back().review, "request");
  CHECK(str(last, {"subResource"}) == "status");
  CHECK(str(last, {"kind", "kind"}) == "Pod");
}

TEST_CASE("a Namespace is matched by namespaceSelector against its own labels", "[integration]") {
  TestWebhookServer hook({kHookDns}, {}, [](const ReceivedReview&) { return allow(); });
  TestCluster tc(mapped_to(hook.port()));
  auto& c = tc.client();
  const std::string namespaces =
      R"([{"operations":["CREATE","UPDATE"],"apiGroups":[""],"apiVersions":["v1"],"resources":["namespaces"],"scope":"Cluster"}])";
  REQUIRE(register_hooks(c, false, "ns",
                         {{"ns.korder.dev", "/ns", hook.ca_bundle(), namespaces,
                           R"(,"namespaceSelector":{"matchLabels":{"team":"a"}})"}})
              .status == 201);
  REQUIRE(c.post("/api/v1/namespaces", R"({"metadata":{"name":"other"}})").status == 201);
  CHECK(hook.reviews().empty());
  REQUIRE(c.post("/api/v1/namespaces", R"({"metadata":{"name":"team-a","labels":{"team":"a"}}})")
              .status == 201);
  REQUIRE(hook.reviews().size() == 1);
  // Its own requests carry the namespace's name as their namespace (kube's request info).
  REQUIRE(c.patch("/api/v1/namespaces/team-a", R"({"metadata":{"labels":{"x":"y"}}})").status ==
          200);
  auto reviews = hook.reviews();
  REQUIRE(reviews.size() == 2);
  CHECK(str(reviews[1].review, {"request", "namespace"}) == "team-a");
  CHECK(str(reviews[1].review, {"request", "operation"}) == "UPDATE");
}

TEST_CASE("matchCondition errors follow failurePolicy", "[integration]") {
  TestWebhookServer hook({kHookDns}, {}, [](const ReceivedReview&) { return allow(); });
  TestCluster tc(mapped_to(hook.port()));
  auto& c = tc.client();
  const std::string condition =
      R"(,"matchConditions":[{"name":"needs-annotations","expression":"object.metadata.annotations['x'] == 'y'"}])";
  SECTION("Fail rejects the write") {
    REQUIRE(register_hooks(c, false, "c",
                           {{"cond.korder.dev", "/", hook.ca_bundle(), kConfigMapRules, condition}})
                .status == 201);
    auto r = c.post(kConfigMaps, config_map("no-annotations"));
    CHECK(r.status == 500);
    CHECK(str(r.json(), {"message"}) ==
          "Internal error occurred: failed calling webhook \"cond.korder.dev\": failed to evaluate "
          "match condition \"needs-annotations\": no such key: annotations");
    CHECK(c.post(kConfigMaps, config_map("has", "{}", R"({"x":"y"})")).status == 201);
    CHECK(hook.reviews().size() == 1);
  }
  SECTION("Ignore skips the webhook") {
    REQUIRE(register_hooks(c, false, "c",
                           {{"cond.korder.dev", "/", hook.ca_bundle(), kConfigMapRules,
                             condition + R"(,"failurePolicy":"Ignore")"}})
                .status == 201);
    CHECK(c.post(kConfigMaps, config_map("no-annotations")).status == 201);
    CHECK(hook.reviews().empty());
  }
}

TEST_CASE("reinvocationPolicy IfNeeded calls an earlier webhook once more after a later change",
          "[integration]") {
  TestWebhookServer hook({kHookDns}, {}, [](const ReceivedReview& r) {
    WebhookReply reply;
    const JsonValue* annotations =
        find_path(r.review, {"request", "object", "metadata", "annotations"});
    if (r.target.starts_with("/second") &&
        (annotations == nullptr || find_member(*annotations, "second") == nullptr)) {
      reply.patch = R"([{"op":"add","path":"/metadata/annotations","value":{"second":"done"}}])";
    }
    return reply;
  });
  TestCluster tc(mapped_to(hook.port()));
  auto& c = tc.client();
  const std::string ca = hook.ca_bundle();
  // Configurations run in name order: a-first before b-second.
  REQUIRE(register_hooks(c, true, "a-first",
                         {{"first.korder.dev", "/first", ca, kConfigMapRules,
                           R"(,"reinvocationPolicy":"IfNeeded")"},
                          {"never.korder.dev", "/never", ca}})
              .status == 201);
  REQUIRE(register_hooks(c, true, "b-second",
                         {{"second.korder.dev", "/second", ca, kConfigMapRules,
                           R"(,"reinvocationPolicy":"IfNeeded")"}})
              .status == 201);

  auto created = c.post(R"(/api/v1/namespaces/default/configmaps)", config_map("cm"));
  REQUIRE(created.status == 201);
  CHECK(str(created.json(), {"metadata", "annotations", "second"}) == "done");
  CHECK(hook.count("/first") == 2);
  CHECK(hook.count("/never") == 1);
  CHECK(hook.count("/second") == 1);  // no change after it, so it is not called again
  auto reviews = hook.reviews();
  REQUIRE(reviews.size() == 4);
  CHECK(reviews[3].target.starts_with("/first"));
  CHECK(str(reviews[3].review, {"request", "object", "metadata", "annotations", "second"}) ==
        "done");

  // Nothing changed: nobody is called twice.
  REQUIRE(c.post(kConfigMaps, config_map("cm2", "{}", R"({"second":"done"})")).status == 201);
  CHECK(hook.count("/first") == 3);
  CHECK(hook.count("/second") == 2);
}

TEST_CASE("dry runs: side effects decide whether a webhook may be called", "[integration]") {
  TestWebhookServer hook({kHookDns}, {}, [](const ReceivedReview&) { return allow(); });
  TestCluster tc(mapped_to(hook.port()));
  auto& c = tc.client();

  SECTION("NoneOnDryRun: called, with dryRun true") {
    HookSpec spec{"dry.korder.dev", "/dry", hook.ca_bundle()};
    std::string body = configuration_json(false, "dry", {spec});
    body.replace(body.find(R"("sideEffects":"None")"), 20, R"("sideEffects":"NoneOnDryRun")");
    REQUIRE(c.post(configuration_path(false), body).status == 201);
    auto r = c.post(kConfigMaps + "?dryRun=All", config_map("dry"));
    CHECK(r.status == 201);
    REQUIRE(hook.reviews().size() == 1);
    CHECK(find_path(hook.reviews()[0].review, {"request", "dryRun"})->IsTrue());
    CHECK(c.get(kConfigMaps + "/dry").status == 404);
  }
  SECTION("other side effects: a dry run is rejected without calling the webhook") {
    // v1 validation no longer admits sideEffects Some; such objects only survive from older
    // API versions, so this one goes into the store directly.
    HookSpec spec{"some.korder.dev", "/some", hook.ca_bundle()};
    std::string body = configuration_json(false, "some", {spec});
    body.replace(body.find(R"("sideEffects":"None")"), 20, R"("sideEffects":"Some")");
    JsonDocument doc = parse(body);
    REQUIRE(
        tc.cluster()
            .store()
            .create("admissionregistration.k8s.io/validatingwebhookconfigurations", std::move(doc))
            .has_value());
    auto r = c.post(kConfigMaps + "?dryRun=All", config_map("dry"));
    CHECK(r.status == 400);
    CHECK(str(r.json(), {"message"}) ==
          "admission webhook \"some.korder.dev\" does not support dry run");
    CHECK(hook.reviews().empty());
    CHECK(c.post(kConfigMaps, config_map("real")).status == 201);
    CHECK(hook.reviews().size() == 1);
  }
}

TEST_CASE("DELETE is reviewed with the stored object as oldObject", "[integration]") {
  TestWebhookServer hook({kHookDns}, {}, [](const ReceivedReview& r) {
    WebhookReply reply;
    if (str(r.review, {"request", "oldObject", "metadata", "name"}) == "keep") {
      reply.allowed = false;
      reply.code = 403;
      reply.message = "keep stays";
    }
    return reply;
  });
  TestCluster tc(mapped_to(hook.port()));
  auto& c = tc.client();
  REQUIRE(c.post(kConfigMaps, config_map("keep")).status == 201);
  REQUIRE(c.post(kConfigMaps, config_map("drop")).status == 201);
  const std::string deletes =
      R"([{"operations":["DELETE"],"apiGroups":[""],"apiVersions":["v1"],"resources":["configmaps"]}])";
  REQUIRE(register_hooks(c, false, "guard", {{"guard.korder.dev", "/", hook.ca_bundle(), deletes}})
              .status == 201);
  auto denied = c.del(kConfigMaps + "/keep");
  CHECK(denied.status == 403);
  CHECK(str(denied.json(), {"message"}) ==
        "admission webhook \"guard.korder.dev\" denied the request: keep stays");
  CHECK(c.get(kConfigMaps + "/keep").status == 200);
  CHECK(c.del(kConfigMaps + "/drop").status == 200);
  auto reviews = hook.reviews();
  REQUIRE(reviews.size() == 2);
  const JsonValue& r = *find_member(reviews[1].review, "request");
  CHECK(str(r, {"operation"}) == "DELETE");
  CHECK(find_member(r, "object")->IsNull());
  CHECK(str(r, {"options", "kind"}) == "DeleteOptions");
}

TEST_CASE("webhook configurations are validated, CEL outside the subset included",
          "[integration]") {
  TestCluster tc;
  auto& c = tc.client();
  auto post = [&](const HookSpec& spec) { return register_hooks(c, false, "checked", {spec}); };
  HookSpec base{"checked.korder.dev", "/", ""};

  HookSpec cel = base;
  cel.extra =
      R"j(,"matchConditions":[{"name":"starts","expression":"object.metadata.name.startsWith('a')"}])j";
  auto r = post(cel);
  CHECK(r.status == 422);
  CHECK(str(r.json(), {"reason"}) == "Invalid");
  CHECK(first_cause_field(r) == "webhooks[0].matchConditions[0].expression");
  CHECK(str(r.json(), {"message"}).find("unsupported: method call 'startsWith()'") !=
        std::string::npos);

  HookSpec timeout = base;
  timeout.extra = R"(,"timeoutSeconds":31)";
  r = post(timeout);
  CHECK(r.status == 422);
  CHECK(first_cause_field(r) == "webhooks[0].timeoutSeconds");

  HookSpec name = base;
  name.name = "short";
  r = post(name);
  CHECK(r.status == 422);
  CHECK(first_cause_field(r) == "webhooks[0].name");
  CHECK(str(r.json(), {"message"}).find("at least three segments") != std::string::npos);

  HookSpec url = base;
  url.client = R"("url":"http://127.0.0.1:1/x")";
  r = post(url);
  CHECK(r.status == 422);
  CHECK(first_cause_field(r) == "webhooks[0].clientConfig.url");

  HookSpec ok = base;
  ok.extra =
      R"j(,"matchConditions":[{"name":"ok","expression":"!has(object.metadata.deletionTimestamp)"}])j";
  CHECK(post(ok).status == 201);
  // Updates are validated too.
  std::string bad_update = configuration_json(false, "checked", {cel});
  auto current = c.get(configuration_path(false) + "/checked").json();
  bad_update.insert(
      bad_update.find(R"("name":"checked")") + 16,
      R"(,"resourceVersion":")" + str(current, {"metadata", "resourceVersion"}) + "\"");
  r = c.put(configuration_path(false) + "/checked", bad_update);
  CHECK(r.status == 422);
  CHECK(first_cause_field(r) == "webhooks[0].matchConditions[0].expression");
}

}  // namespace korder::devcluster::testing
