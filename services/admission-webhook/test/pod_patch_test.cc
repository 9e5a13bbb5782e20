// The pod webhook's JSON Patches, written as text: their exact bytes, and agreement with the same
// patches built as RapidJSON documents and written out (how they were made before).

#include "pod_patch.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "korder/api/json.h"
#include "ticket_request.h"

namespace korder::webhook {
namespace {

using api::JsonValue;
using rapidjson::kArrayType;
using rapidjson::kObjectType;

// The reference: each operation built as a RapidJSON value, the document written by
// api::write_json.
class ReferencePatch {
 public:
  ReferencePatch() { doc_.SetArray(); }

  void add(const std::string& path, JsonValue value) {
    auto& alloc = doc_.GetAllocator();
    JsonValue op(kObjectType);
    op.AddMember("op", "add", alloc);
    op.AddMember("path", JsonValue(path.c_str(), alloc), alloc);
    op.AddMember("value", value, alloc);
    doc_.PushBack(op, alloc);
  }
  void add_to_map(const std::string& map_path, bool exists, std::string_view key,
                  std::string_view value) {
    auto& alloc = doc_.GetAllocator();
    JsonValue v(value.data(), static_cast<rapidjson::SizeType>(value.size()), alloc);
    if (exists) {
      add(map_path + "/" + json_pointer_escape(key), std::move(v));
      return;
    }
    JsonValue map(kObjectType);
    map.AddMember(JsonValue(key.data(), static_cast<rapidjson::SizeType>(key.size()), alloc), v,
                  alloc);
    add(map_path, std::move(map));
  }
  void add_gate(bool list_exists) {
    auto& alloc = doc_.GetAllocator();
    JsonValue gate(kObjectType);
    gate.AddMember("name", JsonValue(kTicketSchedulingGate.data(), alloc), alloc);
    if (list_exists) {
      add("/spec/schedulingGates/-", std::move(gate));
    } else {
      JsonValue gates(kArrayType);
      gates.PushBack(gate, alloc);
      add("/spec/schedulingGates", std::move(gates));
    }
  }
  std::string text() const { return api::write_json(doc_); }

 private:
  api::JsonDocument doc_;
};

// A pod with or without each map and list the patches add to.
PodShape pod_with(bool labels, bool annotations, bool gates) {
  PodShape shape;
  shape.has_labels = labels;
  shape.has_annotations = annotations;
  shape.has_scheduling_gates = gates;
  return shape;
}

TEST_CASE("the claim patch of a pod without labels, annotations or gates, byte for byte",
          "[unit]") {
  CHECK(claim_patch(pod_with(false, false, false), "t-1", "0123abcd") ==
        R"([{"op":"add","path":"/metadata/labels","value":{"korder.dev/ticket":"t-1"}},)"
        R"({"op":"add","path":"/metadata/annotations","value":{"korder.dev/claim-token":"0123abcd"}},)"
        R"({"op":"add","path":"/spec/schedulingGates","value":[{"name":"korder.dev/ticket"}]}])");
}

TEST_CASE("the claim patch adds to the maps and the gate list a pod already has", "[unit]") {
  CHECK(claim_patch(pod_with(true, true, true), "t-1", "0123abcd") ==
        R"([{"op":"add","path":"/metadata/labels/korder.dev~1ticket","value":"t-1"},)"
        R"({"op":"add","path":"/metadata/annotations/korder.dev~1claim-token","value":"0123abcd"},)"
        R"({"op":"add","path":"/spec/schedulingGates/-","value":{"name":"korder.dev/ticket"}}])");
}

TEST_CASE("the patches agree with RapidJSON's writing for every string, escapes included",
          "[unit]") {
  std::string every_byte;
  for (int c = 1; c < 256; ++c) {
    every_byte += static_cast<char>(c);
  }
  const std::vector<std::string> values = {
      "",      "plain", "quote\"d", "back\\slash", "new\nline\ttab\r\b\f", "\x01\x1f\x7f",
      "sl/ash~tilde", "caf\xc3\xa9 \xe2\x82\xac", every_byte};
  for (const std::string& value : values) {
    for (int shape = 0; shape < 8; ++shape) {
      const bool labels = (shape & 1) != 0;
      const bool annotations = (shape & 2) != 0;
      const bool gates = (shape & 4) != 0;
      const PodShape pod = pod_with(labels, annotations, gates);
      ReferencePatch claim;
      claim.add_to_map("/metadata/labels", labels, kTicketLabel, value);
      claim.add_to_map("/metadata/annotations", annotations, kClaimTokenAnnotation, value);
      claim.add_gate(gates);
      CHECK(claim_patch(pod, value, value) == claim.text());

      ReferencePatch unassigned;
      unassigned.add_to_map("/metadata/annotations", annotations, kUnassignedReasonAnnotation,
                            value);
      CHECK(unassigned_patch(pod, value) == unassigned.text());
    }
  }
}

TEST_CASE("an unassigned reason with quotes and newlines reads back as written", "[unit]") {
  const std::string reason = "no ticket \"fits\":\n2 ticket(s): too small\\";
  const std::string patch = unassigned_patch(pod_with(false, true, false), reason);
  api::JsonDocument doc;
  REQUIRE(api::parse_json(patch, doc));
  REQUIRE(doc.IsArray());
  REQUIRE(doc.Size() == 1);
  const JsonValue& op = doc[0];
  CHECK(std::string(op["path"].GetString()) ==
        "/metadata/annotations/korder.dev~1unassigned-reason");
  CHECK(std::string(op["value"].GetString(), op["value"].GetStringLength()) == reason);
}

}  // namespace
}  // namespace korder::webhook
