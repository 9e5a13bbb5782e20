#include "pod_patch.h"

#include <rapidjson/document.h>

#include <cstddef>

#include "korder/api/json.h"
#include "ticket_request.h"

namespace korder::webhook {
namespace {

using rapidjson::kArrayType;
using rapidjson::kObjectType;

class PatchBuilder {
 public:
  PatchBuilder() { doc_.SetArray(); }
  PatchBuilder(const PatchBuilder&) = delete;
  PatchBuilder& operator=(const PatchBuilder&) = delete;

  // {"op":"add","path":<path>,"value":<value>}
  void add(const std::string& path, api::JsonValue value) {
    auto& alloc = doc_.GetAllocator();
    api::JsonValue op(kObjectType);
    op.AddMember("op", "add", alloc);
    op.AddMember("path", api::JsonValue(path.c_str(), alloc), alloc);
    op.AddMember("value", value, alloc);
    doc_.PushBack(op, alloc);
  }

  // Adds `key: value` to the map at `map_path`, creating the map when `exists` is false.
  void add_to_map(const std::string& map_path, bool exists, std::string_view key,
                  std::string_view value) {
    auto& alloc = doc_.GetAllocator();
    api::JsonValue v(value.data(), static_cast<rapidjson::SizeType>(value.size()), alloc);
    if (exists) {
      add(map_path + "/" + json_pointer_escape(key), std::move(v));
      return;
    }
    api::JsonValue map(kObjectType);
    map.AddMember(api::JsonValue(key.data(), static_cast<rapidjson::SizeType>(key.size()), alloc),
                  v, alloc);
    add(map_path, std::move(map));
  }

  api::JsonAllocator& allocator() { return doc_.GetAllocator(); }
  std::string text() const { return api::write_json(doc_); }

 private:
  // A patch is a few small ops: its values fit in a buffer on the stack (RapidJSON's default
  // pool would take a 64 KB chunk from the heap for every review).
  alignas(std::max_align_t) char buffer_[1024];
  api::JsonAllocator allocator_{buffer_, sizeof(buffer_)};
  api::JsonDocument doc_{&allocator_};
};

}  // namespace

std::string json_pointer_escape(std::string_view key) {
  std::string out;
  out.reserve(key.size() + 2);
  for (const char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

std::string claim_patch(const api::Pod& pod, std::string_view ticket, std::string_view token) {
  PatchBuilder patch;
  patch.add_to_map("/metadata/labels", !pod.metadata.labels.empty(), kTicketLabel, ticket);
  patch.add_to_map("/metadata/annotations", !pod.metadata.annotations.empty(),
                   kClaimTokenAnnotation, token);
  auto& alloc = patch.allocator();
  api::JsonValue gate(kObjectType);
  gate.AddMember("name", api::JsonValue(kTicketSchedulingGate.data(), alloc), alloc);
  if (pod.spec.scheduling_gates.empty()) {
    api::JsonValue gates(kArrayType);
    gates.PushBack(gate, alloc);
    patch.add("/spec/schedulingGates", std::move(gates));
  } else {
    patch.add("/spec/schedulingGates/-", std::move(gate));
  }
  return patch.text();
}

std::string unassigned_patch(const api::Pod& pod, std::string_view reason) {
  PatchBuilder patch;
  patch.add_to_map("/metadata/annotations", !pod.metadata.annotations.empty(),
                   kUnassignedReasonAnnotation, reason);
  return patch.text();
}

}  // namespace korder::webhook
