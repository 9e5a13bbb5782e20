// The hot-path parse of /mutate-pods (review_json.h, decode_pod_review): the same verdicts as
// api::parse_json and decode_review_request on well-formed, malformed and hostile input.

#include "review_json.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "korder/api/discard_extras.h"
#include "korder/api/json.h"
#include "korder/api/pod.h"
#include "review.h"
#include "test_support.h"

namespace korder::webhook {
namespace {

using testing::review_json;

TEST_CASE("the UTF-8 check accepts well-formed text and finds the first ill-formed byte",
          "[unit]") {
  CHECK_FALSE(first_invalid_utf8("").has_value());
  CHECK_FALSE(first_invalid_utf8("plain ASCII, longer than eight bytes").has_value());
  CHECK_FALSE(
      first_invalid_utf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf").has_value());
  struct Case {
    std::string text;
    std::size_t offset;
  };
  const std::vector<Case> cases = {
      {"abc\xff", 3},                      // never a UTF-8 byte
      {"abcdefgh\x80", 8},                 // a lone continuation byte
      {"\xc0\xaf", 0},                     // overlong '/'
      {"x\xe0\x80\xaf", 1},                // overlong three-byte form
      {"\xed\xa0\x80", 0},                 // a UTF-16 surrogate
      {"\xf4\x90\x80\x80", 0},             // above U+10FFFF
      {"\xf5\x80\x80\x80", 0},             // never a lead byte
      {"ok \xe2\x82", 3},                  // truncated at the end
      {"\xe2\x28\xa1 and more text", 0},   // a bad continuation
      {"\xf0\x9f\x98\x80\xf0\x9f\x98", 4}  // a good character, then a cut one
  };
  for (const auto& c : cases) {
    INFO(c.text);
    const auto bad = first_invalid_utf8(c.text);
    REQUIRE(bad.has_value());
    CHECK(*bad == c.offset);
  }
}

bool listed(const std::vector<std::string>& names, const api::JsonValue& name) {
  return std::find(names.begin(), names.end(), name.GetString()) != names.end();
}

// Erases the members of `object` (if an object) for which `drop(name)` holds, in order.
template <typename Drop>
void erase_members(api::JsonValue& object, Drop drop) {
  if (!object.IsObject()) {
    return;
  }
  for (auto it = object.MemberBegin(); it != object.MemberEnd();) {
    it = drop(it->name) ? object.EraseMember(it) : it + 1;
  }
}

// Calls `visit` on the value of every member of `object` named `name` (duplicates too).
template <typename Visit>
void each_member(api::JsonValue& object, const char* name, Visit visit) {
  if (object.IsObject()) {
    for (auto it = object.MemberBegin(); it != object.MemberEnd(); ++it) {
      if (std::string_view(it->name.GetString()) == name) {
        visit(it->value);
      }
    }
  }
}

// What ReviewMembers::kPodCodecs leaves of `full`, written plainly: a reference for the parse.
void prune_to_pod_codecs(api::JsonDocument& full) {
  const auto meta_members = api::decoded_member_names<api::ObjectMeta>();
  const auto spec_members = api::decoded_member_names<api::PodSpec>();
  const auto container_members = api::decoded_member_names<api::Container>();
  each_member(full, "request", [&](api::JsonValue& request) {
    each_member(request, "object", [&](api::JsonValue& object) {
      each_member(object, "metadata", [&](api::JsonValue& metadata) {
        erase_members(metadata,
                      [&](const api::JsonValue& name) { return !listed(meta_members, name); });
      });
      each_member(object, "spec", [&](api::JsonValue& spec) {
        erase_members(spec, [&](const api::JsonValue& name) {
          const std::string_view n = name.GetString();
          return n != "containers" && n != "initContainers" && !listed(spec_members, name);
        });
        for (const char* list : {"containers", "initContainers"}) {
          each_member(spec, list, [&](api::JsonValue& containers) {
            if (containers.IsArray()) {
              for (auto& container : containers.GetArray()) {
                erase_members(container, [&](const api::JsonValue& name) {
                  return !listed(container_members, name);
                });
              }
            }
          });
        }
      });
    });
  });
}

// parse_review_json against api::parse_json: the same document, or the same error message;
// with ReviewMembers::kPodCodecs the same verdict, and the document less the members left out
// when the fast path took it.
void check_same_as_parse_json(const std::string& input) {
  api::JsonDocument expected;
  const auto reference = api::parse_json(input, expected);
  std::string body = input;
  api::JsonDocument doc;
  const auto parsed = parse_review_json(body, doc);
  REQUIRE(parsed.has_value() == reference.has_value());
  if (reference) {
    CHECK(doc == expected);
    CHECK(api::write_json(doc) == api::write_json(expected));
  } else {
    CHECK(parsed.error().message == reference.error().message);
    CHECK(parsed.error().where == reference.error().where);
  }

  std::string pod_body = input;
  api::JsonDocument pod_doc;
  const auto pod_parsed = parse_review_json(pod_body, pod_doc, ReviewMembers::kPodCodecs);
  REQUIRE(pod_parsed.has_value() == reference.has_value());
  if (!reference) {
    CHECK(pod_parsed.error().message == reference.error().message);
    CHECK(pod_parsed.error().where == reference.error().where);
    return;
  }
  std::string fast_body = input;
  api::JsonDocument fast_doc;
  if (parse_review_json_fast(fast_body, fast_doc, ReviewMembers::kPodCodecs)) {
    prune_to_pod_codecs(expected);
  }
  CHECK(pod_doc == expected);
  CHECK(api::write_json(pod_doc) == api::write_json(expected));
}

TEST_CASE("the in-place parse gives the document and the errors of parse_json", "[unit]") {
  std::string deep;
  for (int i = 0; i < 5000; ++i) {
    deep += "[";
  }
  const std::vector<std::string> inputs = {
      R"({"a":[1,2.5,"x\u00e9\n",true,null],"b":{"c":-3e2}})",
      "{\"name\":\"caf\xc3\xa9\"}",
      "{\"name\":\"a\xff\"}",
      "{\"name\":\"\xed\xa0\x80\"}",
      std::string("{\"a\":\"b\0c\"}", 12),
      "{\"a\":1}}",
      "{\"a\":",
      "",
      deep,
  };
  for (const std::string& input : inputs) {
    INFO(input.substr(0, 40));
    check_same_as_parse_json(input);
  }
}

// Whether `a` and `b` have the same types all the way down, numbers included (operator==
// compares numbers by value: Int(5) equals Uint64(5)). Recursive: test documents are shallow.
bool same_representation(const api::JsonValue& a, const api::JsonValue& b) {
  if (a.GetType() != b.GetType() || a.IsInt() != b.IsInt() || a.IsUint() != b.IsUint() ||
      a.IsInt64() != b.IsInt64() || a.IsUint64() != b.IsUint64() || a.IsDouble() != b.IsDouble()) {
    return false;
  }
  if (a.IsObject()) {
    if (a.MemberCount() != b.MemberCount()) {
      return false;
    }
    for (auto x = a.MemberBegin(), y = b.MemberBegin(); x != a.MemberEnd(); ++x, ++y) {
      if (!same_representation(x->value, y->value)) {
        return false;
      }
    }
  } else if (a.IsArray()) {
    if (a.Size() != b.Size()) {
      return false;
    }
    for (rapidjson::SizeType i = 0; i < a.Size(); ++i) {
      if (!same_representation(a[i], b[i])) {
        return false;
      }
    }
  }
  return true;
}

// The fast path alone: whether it took `input`, and then the document RapidJSON's path builds.
bool fast_path_agrees(const std::string& input) {
  std::string fast_body = input;
  api::JsonDocument fast;
  if (!parse_review_json_fast(fast_body, fast)) {
    CHECK(fast.IsNull());  // a path that gives up leaves the document alone
    return false;
  }
  std::string reference_body = input;
  api::JsonDocument reference;
  REQUIRE(parse_review_json_rapidjson(reference_body, reference).has_value());
  CHECK(fast == reference);
  CHECK(api::write_json(fast) == api::write_json(reference));
  CHECK(same_representation(fast, reference));
  return true;
}

std::string bench_pod_review() {
  std::ifstream in(KORDER_BENCH_POD_JSON);
  std::stringstream pod;
  pod << in.rdbuf();
  REQUIRE(!pod.str().empty());
  return review_json("CREATE", "Pod", pod.str(), "", true);
}

TEST_CASE("the fast path takes what reviews hold and builds RapidJSON's document", "[unit]") {
  const std::vector<std::string> taken = {
      bench_pod_review(),
      review_json("CREATE", "Pod", R"({"metadata":{"name":"p"}})", R"({"metadata":{"name":"o"}})"),
      // Go's encoder escapes <, > and & as \u003c, \u003e, \u0026.
      R"({"env":[{"name":"URL","value":"a\u003cb\u003e\u0026c \u00e9 \u20ac"}]})",
      R"({"s":"q\"b\\s\/f\bf\fn\nr\rt\t end","k\"ey":"v"})",
      " \t\r\n{ \"a\" : [ 1 , -2 , 0 , -0 , true , false , null , { } , [ ] ] } \n",
      R"({"u32":4294967295,"u64":4294967296,"i32":-2147483648,"i64":-2147483649,)"
      R"("big":999999999999999999,"nbig":-999999999999999999})",
      "[\"\",{\"\":\"\"},[[[[]]]],\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"]",
      "\"just a string\"",
      "42",
      "[\"" + std::string(100, 'x') + "\\n" + std::string(40, 'y') + "\"]",
  };
  for (const std::string& input : taken) {
    INFO(input.substr(0, 80));
    CHECK(fast_path_agrees(input));
    check_same_as_parse_json(input);
  }
  // Left to RapidJSON (the fast path gives up; the answer is still parse_json's).
  const std::vector<std::string> left = {
      R"({"a":1.5})",
      R"({"a":1e3})",
      R"({"a":-1E-3})",
      R"({"a":1234567890123456789})",
      R"({"a":18446744073709551616})",
      R"({"a":"\ud83d\ude00"})",
      R"({"a":"\u0000"})",
      R"({"a":"\udc00"})",
      R"({"a":"\ud800x"})",
      R"({"a":01})",
      R"({"a":-})",
      R"({"a":"x)",
      R"({"a" "b"})",
      R"({"a":1,})",
      R"([1,])",
      R"({,"a":1})",
      R"({"a":tru})",
      R"({"a":nul})",
      R"({"a":truex})",
      R"({"a":1}x)",
      R"({"a":1} {"b":2})",
      "{\"a\":\"tab\there\"}",
      "{\"a\":\"line\nbreak\"}",
      R"({"a":"\x"})",
      R"({"a":"\u12"})",
      R"({"a":"\u12G4"})",
      R"({1:2})",
      "",
      "   ",
      "[",
      "{",
      R"({"a":[1,2)",
      R"({"a":{"b":1])",
      // Strings before the number it leaves: the body, written on without a copy, comes back.
      R"({"name":"x","list":["a","b",{"k":"v"}],"f":2.5})",
      R"(["a"])"
      "]",
  };
  for (const std::string& input : left) {
    INFO(input);
    CHECK_FALSE(fast_path_agrees(input));
    check_same_as_parse_json(input);
  }
}

TEST_CASE("the fast path gives up at RapidJSON's depth limit", "[unit]") {
  std::string at_limit(api::kMaxJsonDepth, '[');
  at_limit += std::string(api::kMaxJsonDepth, ']');
  CHECK(fast_path_agrees(at_limit));
  check_same_as_parse_json(at_limit);
  std::string beyond(api::kMaxJsonDepth + 1, '[');
  beyond += std::string(api::kMaxJsonDepth + 1, ']');
  CHECK_FALSE(fast_path_agrees(beyond));
  check_same_as_parse_json(beyond);
}

// A pod review with every member the pod codecs read, and members they do not read named like
// those elsewhere (a label "env", an annotation "volumes", a container named "volumes").
std::string rich_pod_review() {
  const std::string pod =
      R"({"apiVersion":"v1","kind":"Pod","metadata":{"generateName":"web-",)"
      R"("namespace":"shop","labels":{"env":"prod","app":"web"},)"
      R"("annotations":{"korder.dev/required":"true","volumes":"none"},)"
      R"("ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"web-1","uid":"u1"}],)"
      R"("managedFields":[{"manager":"kube-controller-manager","operation":"Update",)"
      R"("fieldsType":"FieldsV1","fieldsV1":{"f:metadata":{"f:labels":{".":{},"f:app":{}}}}}]},)"
      R"("spec":{"volumes":[{"name":"data","emptyDir":{}}],"securityContext":{"runAsUser":1000},)"
      R"("initContainers":[{"name":"volumes","image":"busybox","restartPolicy":"Always",)"
      R"("env":[{"name":"A","value":"\"quoted\""}],"resources":{"requests":{"cpu":"100m"}}}],)"
      R"("containers":[{"name":"web","image":"nginx","command":["nginx"],"args":["-g","daemon off;"],)"
      R"("ports":[{"containerPort":80}],"env":[{"name":"LEVEL","value":"1.5"},{"name":"N","value":"2"}],)"
      R"("livenessProbe":{"httpGet":{"path":"/","port":80},"periodSeconds":10},)"
      R"("resources":{"requests":{"cpu":"1","memory":"1Gi"},"limits":{"memory":"2Gi"}},)"
      R"("volumeMounts":[{"name":"data","mountPath":"/data"}]}],)"
      R"("restartPolicy":"Always","terminationGracePeriodSeconds":30,)"
      R"("nodeSelector":{"kubernetes.io/os":"linux"},"serviceAccountName":"web",)"
      R"("automountServiceAccountToken":false,"schedulerName":"default-scheduler",)"
      R"("affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":)"
      R"({"nodeSelectorTerms":[{"matchExpressions":[{"key":"zone","operator":"In","values":["a"]}]}]}}},)"
      R"("tolerations":[{"key":"gpu","operator":"Exists","effect":"NoSchedule"}],)"
      R"("priorityClassName":"high","priority":1000,"preemptionPolicy":"Never",)"
      R"("overhead":{"cpu":"50m"},"dnsPolicy":"ClusterFirst",)"
      R"("topologySpreadConstraints":[{"maxSkew":1,"topologyKey":"zone","whenUnsatisfiable":"DoNotSchedule",)"
      R"("labelSelector":{"matchLabels":{"app":"web"}}}],)"
      R"("schedulingGates":[{"name":"example.com/gate"}]}})";
  return review_json("CREATE", "Pod", pod, "", true);
}

TEST_CASE("a pod review parsed for the pod codecs leaves out only what they do not read",
          "[unit]") {
  CHECK(api::decoded_member_names<api::Container>() ==
        std::vector<std::string>{"name", "image", "resources", "restartPolicy"});
  for (const std::string& input : {bench_pod_review(), rich_pod_review()}) {
    INFO(input.substr(0, 200));
    check_same_as_parse_json(input);
    std::string body = input;
    api::JsonDocument doc;
    REQUIRE(parse_review_json_fast(body, doc, ReviewMembers::kPodCodecs));
    const api::JsonValue& pod = doc["request"]["object"];
    CHECK_FALSE(pod["spec"].HasMember("volumes"));
    CHECK(pod["spec"].HasMember("nodeSelector"));
    CHECK(pod["metadata"].HasMember("ownerReferences"));
    CHECK(pod["metadata"].HasMember("annotations"));
    CHECK_FALSE(pod["metadata"].HasMember("managedFields"));
    const api::JsonValue& container = pod["spec"]["containers"][0];
    CHECK(container.HasMember("resources"));
    CHECK_FALSE(container.HasMember("env"));
    CHECK(doc["request"].HasMember("userInfo"));

    // The pod decodes the same from either document.
    api::JsonDocument full;
    REQUIRE(api::parse_json(input, full).has_value());
    const api::DiscardExtrasScope discard;
    const auto from_full = api::decode_value<api::Pod>(full["request"]["object"]);
    const auto from_pruned = api::decode_value<api::Pod>(pod);
    REQUIRE(from_full.has_value());
    REQUIRE(from_pruned.has_value());
    CHECK(*from_full == *from_pruned);
    CHECK_FALSE(from_pruned->spec.containers.front().resources.requests.empty());
  }
  // The rich pod's values reach the decoded pod.
  std::string body = rich_pod_review();
  api::JsonDocument doc;
  const auto decoded = decode_pod_review(body, doc);
  REQUIRE(decoded.has_value());
  REQUIRE(decoded->object != nullptr);
  const api::DiscardExtrasScope discard;
  const auto pod = api::decode_value<api::Pod>(*decoded->object);
  REQUIRE(pod.has_value());
  CHECK(pod->metadata.labels.at("env") == "prod");
  CHECK(pod->metadata.annotations.at("volumes") == "none");
  CHECK(pod->spec.init_containers.at(0).name == "volumes");
  CHECK(pod->spec.init_containers.at(0).restart_policy == "Always");
  CHECK(pod->spec.containers.at(0).resources.limits.size() == 1);
  CHECK(pod->spec.scheduling_gates.size() == 1);
  CHECK(pod->spec.tolerations.size() == 1);
  CHECK(pod->spec.topology_spread_constraints.size() == 1);
  CHECK(pod->spec.affinity.has_value());
  CHECK(pod->spec.priority == 1000);
  CHECK(pod->spec.overhead.size() == 1);
}

TEST_CASE("a member left out is still checked: depth and syntax", "[unit]") {
  const auto with_env = [](const std::string& env) {
    return review_json("CREATE", "Pod",
                       R"({"spec":{"containers":[{"name":"c","env":)" + env + "}]}}", "", true);
  };
  // The review's own nesting plus the env value's: at the limit and one beyond.
  const int above = 7;  // review, request, object, spec, containers, container, then env
  std::string at_limit(static_cast<std::size_t>(api::kMaxJsonDepth - above + 1), '[');
  at_limit += std::string(at_limit.size(), ']');
  std::string beyond = "[" + at_limit + "]";
  for (const std::string& env :
       {at_limit, beyond, std::string("[1,]"), std::string(R"({"a" 1})"), std::string("[\"\xff\"]"),
        std::string("[{}]"), std::string(R"(["x\u0041"])"), std::string(R"([{"deep":[{}]}])"),
        std::string("[1.5]")}) {
    INFO(env.substr(0, 40));
    check_same_as_parse_json(with_env(env));
  }
}

TEST_CASE("mutated reviews get parse_json's verdict, whichever path answers", "[unit]") {
  // Random edits of a real review at JSON-significant bytes: deletions, insertions and
  // replacements with structural characters, quotes, escapes, digits and control bytes.
  const std::string review = GENERATE(bench_pod_review(), rich_pod_review());
  const std::string alphabet = "{}[]:,\"\\/-+.eE0123456789 \t\n\x01\x7ftrufalsenu\xc3\xa9";
  std::mt19937_64 random(20261207);
  int fast = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string input = review;
    const int edits = 1 + static_cast<int>(random() % 3);
    for (int e = 0; e < edits; ++e) {
      const std::size_t at = random() % input.size();
      const char c = alphabet[random() % alphabet.size()];
      switch (random() % 3) {
        case 0:
          input.erase(at, 1);
          break;
        case 1:
          input.insert(at, 1, c);
          break;
        default:
          input[at] = c;
          break;
      }
    }
    INFO("mutation " << i);
    check_same_as_parse_json(input);
    std::string body = input;
    api::JsonDocument doc;
    if (parse_review_json_fast(body, doc)) {
      ++fast;
      CHECK(fast_path_agrees(input));
    }
  }
  // Edits inside string values keep the text valid: some mutants must go the fast way.
  CHECK(fast > 100);
}

TEST_CASE("a pod review decodes like any review, with the pod read from the same parse", "[unit]") {
  const std::string pod =
      R"({"metadata":{"name":"p","annotations":{"korder.dev/required":"true"}}})";
  std::string body = review_json("CREATE", "Pod", pod, R"({"metadata":{"name":"old"}})", true);
  const auto reference = decode_review_request(body);
  REQUIRE(reference.has_value());
  api::JsonDocument doc;
  const auto decoded = decode_pod_review(body, doc);
  REQUIRE(decoded.has_value());
  CHECK(decoded->request.uid == reference->uid);
  CHECK(decoded->request.operation == "CREATE");
  CHECK(decoded->request.dry_run == true);
  CHECK(decoded->request.namespace_ == reference->namespace_);
  CHECK_FALSE(decoded->request.object.has_value());  // read through `object` instead
  REQUIRE(decoded->object != nullptr);
  CHECK(api::write_json(*decoded->object) == pod);

  std::string without_object = review_json("DELETE", "Pod", "");
  api::JsonDocument doc2;
  const auto deleted = decode_pod_review(without_object, doc2);
  REQUIRE(deleted.has_value());
  CHECK(deleted->object == nullptr);
}

TEST_CASE("a malformed pod review is refused with decode_review_request's message", "[unit]") {
  const std::string prefix =
      R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":)";
  const std::vector<std::string> bodies = {
      "hello",
      "",
      prefix + "{\"uid\":\"\xff\xfe\"}}",
      prefix + R"({"uid":42}})",
      prefix + R"({"uid":"u","dryRun":"maybe","object":{"a":1}}})",
      prefix + R"({"operation":"CREATE","object":{}}})",
      R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"})",
      R"({"apiVersion":"admission.k8s.io/v1beta1","kind":"AdmissionReview","request":{"uid":"u"}})",
      "[1,2,3]",
      review_json("CREATE", "Pod", "{}") + "}",
  };
  for (const std::string& input : bodies) {
    INFO(input);
    const auto reference = decode_review_request(input);
    REQUIRE_FALSE(reference.has_value());
    std::string body = input;
    api::JsonDocument doc;
    const auto decoded = decode_pod_review(body, doc);
    REQUIRE_FALSE(decoded.has_value());
    CHECK(decoded.error() == reference.error());
  }
}

}  // namespace
}  // namespace korder::webhook
