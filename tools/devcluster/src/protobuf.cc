#include "protobuf.h"

#include <cstdint>
#include <map>
#include <vector>

#include "korder/api/base64.h"
#include "korder/api/time.h"

namespace korder::devcluster {
namespace {

enum class Type {
  String,
  Bytes,
  Int64,
  Int32,
  Bool,
  Message,
  StringMap,
  BytesMap,
  Time,
  IntOrString
};

struct Message;

struct Field {
  int number;
  const char* json;
  Type type;
  bool repeated = false;
  const Message* message = nullptr;
};

struct Message {
  std::vector<Field> fields;
};

// The fields of k8s.io/api/core/v1 and apimachinery's generated.proto that kubectl's create
// generators fill.
const Message kOwnerReference{{{1, "kind", Type::String},
                               {3, "name", Type::String},
                               {4, "uid", Type::String},
                               {5, "apiVersion", Type::String},
                               {6, "controller", Type::Bool},
                               {7, "blockOwnerDeletion", Type::Bool}}};
const Message kObjectMeta{{{1, "name", Type::String},
                           {2, "generateName", Type::String},
                           {3, "namespace", Type::String},
                           {5, "uid", Type::String},
                           {6, "resourceVersion", Type::String},
                           {7, "generation", Type::Int64},
                           {8, "creationTimestamp", Type::Time},
                           {10, "deletionGracePeriodSeconds", Type::Int64},
                           {11, "labels", Type::StringMap},
                           {12, "annotations", Type::StringMap},
                           {13, "ownerReferences", Type::Message, true, &kOwnerReference},
                           {14, "finalizers", Type::String, true}}};
const Message kLocalObjectReference{{{1, "name", Type::String}}};
const Message kObjectReference{{{1, "kind", Type::String},
                                {2, "namespace", Type::String},
                                {3, "name", Type::String},
                                {4, "uid", Type::String},
                                {5, "apiVersion", Type::String}}};
const Message kConfigMap{{{1, "metadata", Type::Message, false, &kObjectMeta},
                          {2, "data", Type::StringMap},
                          {3, "binaryData", Type::BytesMap},
                          {4, "immutable", Type::Bool}}};
const Message kSecret{{{1, "metadata", Type::Message, false, &kObjectMeta},
                       {2, "data", Type::BytesMap},
                       {3, "type", Type::String},
                       {4, "stringData", Type::StringMap},
                       {5, "immutable", Type::Bool}}};
const Message kNamespaceSpec{{{1, "finalizers", Type::String, true}}};
const Message kNamespace{{{1, "metadata", Type::Message, false, &kObjectMeta},
                          {2, "spec", Type::Message, false, &kNamespaceSpec}}};
const Message kServiceAccount{{{1, "metadata", Type::Message, false, &kObjectMeta},
                               {2, "secrets", Type::Message, true, &kObjectReference},
                               {3, "imagePullSecrets", Type::Message, true, &kLocalObjectReference},
                               {4, "automountServiceAccountToken", Type::Bool}}};
const Message kServicePort{{{1, "name", Type::String},
                            {2, "protocol", Type::String},
                            {3, "port", Type::Int32},
                            {4, "targetPort", Type::IntOrString},
                            {5, "nodePort", Type::Int32},
                            {6, "appProtocol", Type::String}}};
const Message kServiceSpec{{{1, "ports", Type::Message, true, &kServicePort},
                            {2, "selector", Type::StringMap},
                            {3, "clusterIP", Type::String},
                            {4, "type", Type::String},
                            {5, "externalIPs", Type::String, true},
                            {7, "sessionAffinity", Type::String},
                            {10, "externalName", Type::String},
                            {18, "clusterIPs", Type::String, true}}};
const Message kService{{{1, "metadata", Type::Message, false, &kObjectMeta},
                        {2, "spec", Type::Message, false, &kServiceSpec}}};

// authentication.k8s.io/v1 and authorization.k8s.io/v1 (kubectl create token, auth can-i,
// auth whoami) and rbac.authorization.k8s.io/v1 (kubectl create role|clusterrole|rolebinding|
// clusterrolebinding).
const Message kBoundObjectReference{{{1, "kind", Type::String},
                                     {2, "apiVersion", Type::String},
                                     {3, "name", Type::String},
                                     {4, "uid", Type::String}}};
const Message kTokenRequestSpec{
    {{1, "audiences", Type::String, true},
     {3, "boundObjectRef", Type::Message, false, &kBoundObjectReference},
     {4, "expirationSeconds", Type::Int64}}};
const Message kTokenRequest{{{1, "metadata", Type::Message, false, &kObjectMeta},
                             {2, "spec", Type::Message, false, &kTokenRequestSpec}}};
const Message kResourceAttributes{{{1, "namespace", Type::String},
                                   {2, "verb", Type::String},
                                   {3, "group", Type::String},
                                   {4, "version", Type::String},
                                   {5, "resource", Type::String},
                                   {6, "subresource", Type::String},
                                   {7, "name", Type::String}}};
const Message kNonResourceAttributes{{{1, "path", Type::String}, {2, "verb", Type::String}}};
const Message kSelfSubjectAccessReviewSpec{
    {{1, "resourceAttributes", Type::Message, false, &kResourceAttributes},
     {2, "nonResourceAttributes", Type::Message, false, &kNonResourceAttributes}}};
const Message kSelfSubjectAccessReview{
    {{1, "metadata", Type::Message, false, &kObjectMeta},
     {2, "spec", Type::Message, false, &kSelfSubjectAccessReviewSpec}}};
const Message kSelfSubjectReview{{{1, "metadata", Type::Message, false, &kObjectMeta}}};
const Message kPolicyRule{{{1, "verbs", Type::String, true},
                           {2, "apiGroups", Type::String, true},
                           {3, "resources", Type::String, true},
                           {4, "resourceNames", Type::String, true},
                           {5, "nonResourceURLs", Type::String, true}}};
const Message kRole{{{1, "metadata", Type::Message, false, &kObjectMeta},
                     {2, "rules", Type::Message, true, &kPolicyRule}}};
const Message kSubject{{{1, "kind", Type::String},
                        {2, "apiGroup", Type::String},
                        {3, "name", Type::String},
                        {4, "namespace", Type::String}}};
const Message kRoleRef{
    {{1, "apiGroup", Type::String}, {2, "kind", Type::String}, {3, "name", Type::String}}};
const Message kRoleBinding{{{1, "metadata", Type::Message, false, &kObjectMeta},
                            {2, "subjects", Type::Message, true, &kSubject},
                            {3, "roleRef", Type::Message, false, &kRoleRef}}};

class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}
  bool done() const { return pos_ >= data_.size(); }
  std::optional<std::uint64_t> varint() {
    std::uint64_t value = 0;
    for (int shift = 0; shift < 64 && pos_ < data_.size(); shift += 7) {
      const auto byte = static_cast<unsigned char>(data_[pos_++]);
      value |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) {
        return value;
      }
    }
    return std::nullopt;
  }
  std::optional<std::string_view> bytes() {
    auto length = varint();
    if (!length || *length > data_.size() - pos_) {
      return std::nullopt;
    }
    std::string_view out = data_.substr(pos_, *length);
    pos_ += *length;
    return out;
  }
  bool skip(int wire_type) {
    switch (wire_type) {
      case 0:
        return varint().has_value();
      case 1:
        return advance(8);
      case 2:
        return bytes().has_value();
      case 5:
        return advance(4);
      default:
        return false;
    }
  }

 private:
  bool advance(std::size_t n) {
    if (n > data_.size() - pos_) {
      return false;
    }
    pos_ += n;
    return true;
  }
  std::string_view data_;
  std::size_t pos_ = 0;
};

using Result = Expected<void, std::string>;

Result decode_message(std::string_view data, const Message& message, JsonValue& out,
                      JsonAllocator& alloc, int depth);

Expected<std::pair<std::string, std::string>, std::string> map_entry(std::string_view data) {
  Reader r(data);
  std::pair<std::string, std::string> entry;
  while (!r.done()) {
    auto tag = r.varint();
    if (!tag) {
      return Unexpected(std::string("malformed map entry"));
    }
    auto value = (*tag & 7) == 2 ? r.bytes() : std::nullopt;
    if (!value) {
      return Unexpected(std::string("malformed map entry"));
    }
    ((*tag >> 3) == 1 ? entry.first : entry.second) = std::string(*value);
  }
  return entry;
}

Expected<JsonValue, std::string> decode_value(const Field& field, Reader& r, int wire_type,
                                              JsonAllocator& alloc, int depth) {
  if (field.type == Type::Int64 || field.type == Type::Int32 || field.type == Type::Bool) {
    auto v = wire_type == 0 ? r.varint() : std::nullopt;
    if (!v) {
      return Unexpected(std::string("malformed number in ") + field.json);
    }
    if (field.type == Type::Bool) {
      return JsonValue(*v != 0);
    }
    return field.type == Type::Int32 ? JsonValue(static_cast<std::int32_t>(*v))
                                     : JsonValue(static_cast<std::int64_t>(*v));
  }
  auto bytes = wire_type == 2 ? r.bytes() : std::nullopt;
  if (!bytes) {
    return Unexpected(std::string("malformed field ") + field.json);
  }
  switch (field.type) {
    case Type::String:
      return make_string(*bytes, alloc);
    case Type::Bytes:
      return make_string(api::base64_encode(*bytes), alloc);
    case Type::Message: {
      JsonValue object(rapidjson::kObjectType);
      if (auto decoded = decode_message(*bytes, *field.message, object, alloc, depth + 1);
          !decoded) {
        return Unexpected(decoded.error());
      }
      return object;
    }
    case Type::Time: {
      Reader t(*bytes);
      std::int64_t seconds = 0;
      while (!t.done()) {
        auto tag = t.varint();
        if (!tag) {
          return Unexpected(std::string("malformed time"));
        }
        if ((*tag >> 3) == 1 && (*tag & 7) == 0) {
          seconds = static_cast<std::int64_t>(t.varint().value_or(0));
        } else if (!t.skip(static_cast<int>(*tag & 7))) {
          return Unexpected(std::string("malformed time"));
        }
      }
      return make_string(api::format_rfc3339(TimePoint(std::chrono::seconds(seconds))), alloc);
    }
    case Type::IntOrString: {
      Reader t(*bytes);
      std::int64_t kind = 0;
      std::int64_t int_value = 0;
      std::string text;
      while (!t.done()) {
        auto tag = t.varint();
        if (!tag) {
          return Unexpected(std::string("malformed int-or-string"));
        }
        const auto number = *tag >> 3;
        if (number == 3 && (*tag & 7) == 2) {
          text = std::string(t.bytes().value_or(""));
        } else if ((number == 1 || number == 2) && (*tag & 7) == 0) {
          (number == 1 ? kind : int_value) = static_cast<std::int64_t>(t.varint().value_or(0));
        } else if (!t.skip(static_cast<int>(*tag & 7))) {
          return Unexpected(std::string("malformed int-or-string"));
        }
      }
      return kind == 1 ? make_string(text, alloc) : JsonValue(int_value);
    }
    default:
      return Unexpected(std::string("unexpected field type"));
  }
}

Result decode_message(std::string_view data, const Message& message, JsonValue& out,
                      JsonAllocator& alloc, int depth) {
  if (depth > 16) {
    return Unexpected(std::string("protobuf nested too deeply"));
  }
  Reader r(data);
  while (!r.done()) {
    auto tag = r.varint();
    if (!tag) {
      return Unexpected(std::string("malformed protobuf tag"));
    }
    const int number = static_cast<int>(*tag >> 3);
    const int wire_type = static_cast<int>(*tag & 7);
    const Field* field = nullptr;
    for (const auto& f : message.fields) {
      field = f.number == number ? &f : field;
    }
    if (field == nullptr) {
      if (!r.skip(wire_type)) {
        return Unexpected(std::string("malformed protobuf field"));
      }
      continue;
    }
    if (field->type == Type::StringMap || field->type == Type::BytesMap) {
      auto raw = wire_type == 2 ? r.bytes() : std::nullopt;
      auto entry = raw ? map_entry(*raw)
                       : Expected<std::pair<std::string, std::string>, std::string>(
                             Unexpected(std::string("malformed map")));
      if (!entry) {
        return Unexpected(entry.error());
      }
      JsonValue& map = ensure_object(out, field->json, alloc);
      set_string(map, entry->first,
                 field->type == Type::BytesMap ? api::base64_encode(entry->second) : entry->second,
                 alloc);
      continue;
    }
    auto value = decode_value(*field, r, wire_type, alloc, depth);
    if (!value) {
      return Unexpected(value.error());
    }
    if (field->repeated) {
      JsonValue* list = find_member(out, field->json);
      if (list == nullptr) {
        set_member(out, field->json, JsonValue(rapidjson::kArrayType), alloc);
        list = find_member(out, field->json);
      }
      list->PushBack(std::move(*value), alloc);
    } else {
      set_member(out, field->json, std::move(*value), alloc);
    }
  }
  return {};
}

}  // namespace

Expected<JsonDocument, std::string> decode_kubernetes_protobuf(std::string_view body) {
  constexpr std::string_view kMagic("k8s\0", 4);
  if (body.substr(0, 4) != kMagic) {
    return Unexpected(std::string("protobuf body without the k8s magic prefix"));
  }
  Reader unknown(body.substr(4));
  std::string api_version;
  std::string kind;
  std::string_view raw;
  while (!unknown.done()) {
    auto tag = unknown.varint();
    auto value = tag && (*tag & 7) == 2 ? unknown.bytes() : std::nullopt;
    if (!value) {
      return Unexpected(std::string("malformed runtime.Unknown envelope"));
    }
    if ((*tag >> 3) == 1) {
      Reader type_meta(*value);
      while (!type_meta.done()) {
        auto t = type_meta.varint();
        auto v = t && (*t & 7) == 2 ? type_meta.bytes() : std::nullopt;
        if (!v) {
          return Unexpected(std::string("malformed TypeMeta"));
        }
        ((*t >> 3) == 1 ? api_version : kind) = std::string(*v);
      }
    } else if ((*tag >> 3) == 2) {
      raw = *value;
    }
  }
  static const std::map<std::pair<std::string, std::string>, const Message*> kKinds = {
      {{"v1", "ConfigMap"}, &kConfigMap},
      {{"v1", "Secret"}, &kSecret},
      {{"v1", "Namespace"}, &kNamespace},
      {{"v1", "ServiceAccount"}, &kServiceAccount},
      {{"v1", "Service"}, &kService},
      {{"authentication.k8s.io/v1", "TokenRequest"}, &kTokenRequest},
      {{"authentication.k8s.io/v1", "SelfSubjectReview"}, &kSelfSubjectReview},
      {{"authorization.k8s.io/v1", "SelfSubjectAccessReview"}, &kSelfSubjectAccessReview},
      {{"rbac.authorization.k8s.io/v1", "Role"}, &kRole},
      {{"rbac.authorization.k8s.io/v1", "ClusterRole"}, &kRole},
      {{"rbac.authorization.k8s.io/v1", "RoleBinding"}, &kRoleBinding},
      {{"rbac.authorization.k8s.io/v1", "ClusterRoleBinding"}, &kRoleBinding}};
  auto it = kKinds.find({api_version, kind});
  if (it == kKinds.end()) {
    return Unexpected("protobuf bodies of " + api_version + ", Kind=" + kind +
                      " are not supported");
  }
  JsonDocument doc(rapidjson::kObjectType);
  auto& alloc = doc.GetAllocator();
  set_string(doc, "apiVersion", api_version, alloc);
  set_string(doc, "kind", kind, alloc);
  if (auto decoded = decode_message(raw, *it->second, doc, alloc, 0); !decoded) {
    return Unexpected(decoded.error());
  }
  return doc;
}

}  // namespace korder::devcluster
