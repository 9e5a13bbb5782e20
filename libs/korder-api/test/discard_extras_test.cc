// DiscardExtrasScope: decoding that drops unknown members and changes nothing else.

#include "korder/api/discard_extras.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <thread>
#include <vector>

#include "korder/api/json.h"
#include "korder/api/pod.h"

namespace korder::api {
namespace {

// A pod with fields korder does not model at every level.
constexpr const char* kPod = R"({
  "apiVersion": "v1", "kind": "Pod",
  "metadata": {"name": "web-7d9f", "generateName": "web-", "namespace": "shop",
    "labels": {"app": "web"}, "annotations": {"korder.dev/required": "true"},
    "managedFields": [{"manager": "kube-controller-manager", "fieldsV1": {"f:metadata": {}}}]},
  "spec": {
    "volumes": [{"name": "data", "emptyDir": {}}],
    "initContainers": [{"name": "init", "image": "busybox", "command": ["true"],
                        "resources": {"requests": {"cpu": "50m"}}}],
    "containers": [{"name": "web", "image": "nginx:1.27", "ports": [{"containerPort": 80}],
                    "env": [{"name": "MODE", "value": "prod"}],
                    "resources": {"requests": {"cpu": "500m", "memory": "1Gi"},
                                  "limits": {"cpu": "1"}}}],
    "nodeSelector": {"kubernetes.io/os": "linux"}, "dnsPolicy": "ClusterFirst",
    "tolerations": [{"key": "node.kubernetes.io/not-ready", "operator": "Exists",
                     "effect": "NoExecute", "tolerationSeconds": 300}],
    "overhead": {"cpu": "10m"}, "schedulingGates": [{"name": "other"}]},
  "status": {"phase": "Pending", "qosClass": "Burstable"}})";

TEST_CASE("a scope discards unknown members and decodes modelled fields alike", "[unit][json]") {
  const auto full = parse_pod(kPod);
  REQUIRE(full.has_value());
  REQUIRE_FALSE(full->spec.extras.empty());
  CHECK_FALSE(DiscardExtrasScope::active());
  Expected<Pod, ParseError> slim = Unexpected(ParseError{"unset", ""});
  {
    DiscardExtrasScope scope;
    {
      DiscardExtrasScope nested;
      CHECK(DiscardExtrasScope::active());
    }
    CHECK(DiscardExtrasScope::active());
    slim = parse_pod(kPod);
  }
  CHECK_FALSE(DiscardExtrasScope::active());
  REQUIRE(slim.has_value());
  CHECK(slim->extras.empty());
  CHECK(slim->metadata.extras.empty());
  CHECK(slim->spec.extras.empty());
  CHECK(slim->spec.containers.at(0).extras.empty());
  CHECK(slim->spec.init_containers.at(0).extras.empty());
  CHECK(slim->status.extras.empty());
  // Every modelled field is the same: put the full decode's extras on the slim one and compare.
  Pod patched = *slim;
  patched.extras = full->extras;
  patched.metadata.extras = full->metadata.extras;
  patched.spec.extras = full->spec.extras;
  patched.spec.containers.at(0).extras = full->spec.containers.at(0).extras;
  patched.spec.init_containers.at(0).extras = full->spec.init_containers.at(0).extras;
  patched.status.extras = full->status.extras;
  CHECK(patched == *full);
  // Out of the scope, extras are kept again.
  const auto again = parse_pod(kPod);
  REQUIRE(again.has_value());
  CHECK(again->spec.extras.keys() == std::vector<std::string>{"volumes", "dnsPolicy"});
}

TEST_CASE("a scope leaves decoding errors of modelled fields unchanged", "[unit][json]") {
  const std::string bad =
      R"({"metadata":{"name":"p","junk":[1,2]},"spec":{"nodeName":5,"volumes":[]}})";
  const auto full = parse_pod(bad);
  REQUIRE_FALSE(full.has_value());
  DiscardExtrasScope scope;
  const auto slim = parse_pod(bad);
  REQUIRE_FALSE(slim.has_value());
  CHECK(slim.error().to_string() == full.error().to_string());
}

}  // namespace
}  // namespace korder::api

namespace korder::api {
namespace {

// The names of the members of `object` that `names` does not list, in order.
std::vector<std::string> unlisted(const JsonValue& object, const std::vector<std::string>& names) {
  std::vector<std::string> out;
  for (auto it = object.MemberBegin(); it != object.MemberEnd(); ++it) {
    const std::string name = it->name.GetString();
    if (std::find(names.begin(), names.end(), name) == names.end()) {
      out.push_back(name);
    }
  }
  return out;
}

TEST_CASE("decoded_member_names lists what a codec reads: the rest is its extras", "[unit][json]") {
  const auto spec_names = decoded_member_names<PodSpec>();
  const auto container_names = decoded_member_names<Container>();
  CHECK(container_names == std::vector<std::string>{"name", "image", "resources", "restartPolicy"});
  CHECK(std::find(spec_names.begin(), spec_names.end(), "containers") != spec_names.end());
  CHECK(std::find(spec_names.begin(), spec_names.end(), "volumes") == spec_names.end());

  JsonDocument doc;
  REQUIRE(parse_json(kPod, doc).has_value());
  const auto pod = parse_pod(kPod);
  REQUIRE(pod.has_value());
  CHECK(pod->spec.extras.keys() == unlisted(doc["spec"], spec_names));
  CHECK(pod->spec.containers.at(0).extras.keys() ==
        unlisted(doc["spec"]["containers"][0], container_names));
  CHECK(pod->spec.init_containers.at(0).extras.keys() ==
        unlisted(doc["spec"]["initContainers"][0], container_names));

  // Nothing is recorded outside a recorder, and a recorder sees only its own thread's decodes.
  {
    MemberNameRecorder recorder;
    CHECK(recorder.names().empty());
    std::vector<std::string> other;
    std::thread([&] { other = decoded_member_names<Container>(); }).join();
    CHECK(other == container_names);
    CHECK(recorder.names().empty());
  }
  CHECK(decoded_member_names<Container>() == container_names);
}

}  // namespace
}  // namespace korder::api
