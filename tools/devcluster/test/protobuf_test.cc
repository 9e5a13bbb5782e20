// Kubernetes protobuf request bodies (runtime.Unknown envelope) for the kinds kubectl's
// create generators send.
#include "protobuf.h"

#include <catch2/catch.hpp>

#include "test_support.h"

namespace korder::devcluster::testing {
namespace {

std::string field(int number, const std::string& bytes) {
  std::string out;
  out += static_cast<char>((number << 3) | 2);
  out += static_cast<char>(bytes.size());  // all test payloads are shorter than 128 bytes
  out += bytes;
  return out;
}

std::string varint_field(int number, int value) {
  std::string out;
  out += static_cast<char>(number << 3);
  out += static_cast<char>(value);
  return out;
}

std::string envelope(const std::string& kind, const std::string& raw) {
  return std::string("k8s\0", 4) + field(1, field(1, "v1") + field(2, kind)) + field(2, raw);
}

}  // namespace

TEST_CASE("a protobuf ConfigMap decodes to its JSON form", "[unit]") {
  const std::string metadata =
      field(1, "settings") + field(3, "team-a") + field(11, field(1, "app") + field(2, "web"));
  const std::string raw =
      field(1, metadata) + field(2, field(1, "mode") + field(2, "fast")) + varint_field(4, 1);
  auto doc = decode_kubernetes_protobuf(envelope("ConfigMap", raw));
  REQUIRE(doc);
  CHECK(
      api::write_json(*doc) ==
      R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"settings","namespace":"team-a","labels":{"app":"web"}},"data":{"mode":"fast"},"immutable":true})");
}

TEST_CASE("a protobuf Service keeps ports with int-or-string target ports", "[unit]") {
  const std::string port = field(1, "http") + field(2, "TCP") + varint_field(3, 80) +
                           field(4, varint_field(1, 0) + varint_field(2, 81));
  const std::string spec = field(1, port) + field(4, "ClusterIP");
  auto doc =
      decode_kubernetes_protobuf(envelope("Service", field(1, field(1, "web")) + field(2, spec)));
  REQUIRE(doc);
  CHECK(
      api::write_json(*find_member(*doc, "spec")) ==
      R"({"ports":[{"name":"http","protocol":"TCP","port":80,"targetPort":81}],"type":"ClusterIP"})");
}

TEST_CASE("protobuf bodies of other kinds and malformed bodies are errors", "[unit]") {
  CHECK(decode_kubernetes_protobuf(envelope("Pod", "")).error() ==
        "protobuf bodies of v1, Kind=Pod are not supported");
  CHECK(!decode_kubernetes_protobuf("not protobuf"));
  CHECK(!decode_kubernetes_protobuf(std::string("k8s\0", 4) + "\x0a\x7f"));
  CHECK(!decode_kubernetes_protobuf(envelope("ConfigMap", "\x0a\x40short")));
}

}  // namespace korder::devcluster::testing
