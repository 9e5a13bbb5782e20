#include "ticket_naming.h"

#include <catch2/catch.hpp>

#include "korder/api/json.h"
#include "korder/api/names.h"
#include "plan_test_support.h"

namespace korder::order {
namespace {

using testing::utc;

TEST_CASE("sha256_hex matches the FIPS 180-2 test vector for abc", "[unit]") {
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_CASE("the ticket hash input joins uid, slot, incarnation and fire with newlines", "[unit]") {
  CHECK(ticket_hash_input({"uid-db", "r0", 0, std::nullopt}) == "uid-db\nr0\n0");
  CHECK(ticket_hash_input({"uid-db", "n-35971be6e9bb", 12, utc("2026-03-08T07:00:00Z")}) ==
        "uid-db\nn-35971be6e9bb\n12\n2026-03-08T07:00:00Z");
  // Sub-second parts never reach the name: metav1.Time has whole seconds.
  CHECK(ticket_hash_input({"u", "r1", 1, utc("2026-03-08T07:00:00.75Z")}) ==
        "u\nr1\n1\n2026-03-08T07:00:00Z");
}

TEST_CASE("ticket names are the order name and 12 hex digits of the hash", "[unit]") {
  // Expected values computed independently with Python's hashlib.
  CHECK(ticket_name("db", {"uid-db", "r0", 0, std::nullopt}) == "db-04298e50c128");
  CHECK(ticket_name("db", {"uid-db", "r0", 1, std::nullopt}) == "db-0391ec33ab88");
  CHECK(ticket_name("db", {"uid-db", "r0", 0, utc("2026-03-08T07:00:00Z")}) == "db-98717923f1c8");
}

TEST_CASE("ticket names are stable and differ by uid, slot, incarnation and fire", "[unit]") {
  const TicketIdentity base{"uid-db", "r0", 0, utc("2026-03-08T07:00:00Z")};
  CHECK(ticket_name("db", base) == ticket_name("db", base));
  auto other_uid = base;
  other_uid.order_uid = "uid-db2";
  auto other_slot = base;
  other_slot.slot = "r1";
  auto other_incarnation = base;
  other_incarnation.incarnation = 1;
  auto other_fire = base;
  other_fire.fire = utc("2026-03-09T07:00:00Z");
  auto no_fire = base;
  no_fire.fire.reset();
  for (const auto& other : {other_uid, other_slot, other_incarnation, other_fire, no_fire}) {
    CHECK(ticket_name("db", other) != ticket_name("db", base));
  }
}

TEST_CASE("a ticket of a 47-character order name is a valid 60-character label value", "[unit]") {
  const std::string order(47, 'a');
  const std::string name = ticket_name(order, {"uid", "r9999", 123, utc("2026-01-01T00:00:00Z")});
  CHECK(name.size() == 60);
  CHECK(api::is_valid_label_value(name).empty());
  CHECK(api::is_dns1123_label(name).empty());
  CHECK(guardian_name(name) == name + "-guardian");
}

TEST_CASE("replica slots are r followed by a decimal index without leading zeros", "[unit]") {
  CHECK(replica_slot(0) == "r0");
  CHECK(replica_slot(42) == "r42");
  struct Case {
    const char* slot;
    std::optional<std::int64_t> index;
  };
  const Case cases[] = {{"r0", 0},
                        {"r7", 7},
                        {"r42", 42},
                        {"r01", std::nullopt},
                        {"r", std::nullopt},
                        {"r-1", std::nullopt},
                        {"x1", std::nullopt},
                        {"r1a", std::nullopt},
                        {"n-35971be6e9bb", std::nullopt}};
  for (const Case& c : cases) {
    INFO(c.slot);
    CHECK(replica_index(c.slot) == c.index);
  }
}

TEST_CASE("node slots are n- and 12 hex digits of the node name's hash", "[unit]") {
  CHECK(node_slot("node-1") == "n-35971be6e9bb");
  CHECK(node_slot("worker-a") == "n-6a65e237ae44");
  CHECK(is_node_slot("n-35971be6e9bb"));
  CHECK_FALSE(is_node_slot("n-35971BE6E9BB"));
  CHECK_FALSE(is_node_slot("n-35971be6e9b"));
  CHECK_FALSE(is_node_slot("r0"));
}

api::TicketTemplate template_from(std::string_view json) {
  auto tmpl = api::decode<api::TicketTemplate>(json);
  INFO(std::string(json));
  REQUIRE(tmpl.has_value());
  return *tmpl;
}

TEST_CASE("the template hash does not depend on the order fields were written in", "[unit]") {
  const auto a = template_from(
      R"({"metadata":{"labels":{"app":"db","tier":"x"}},"spec":{"duration":"1h",)"
      R"("resources":{"requests":{"cpu":"500m","memory":"1Gi"}},"futureField":{"b":1,"a":2}}})");
  const auto b = template_from(
      R"({"spec":{"futureField":{"a":2,"b":1},"resources":{"requests":{"memory":"1Gi",)"
      R"("cpu":"0.5"}},"duration":"1h"},"metadata":{"labels":{"tier":"x","app":"db"}}})");
  CHECK(template_hash(a) == template_hash(b));
  CHECK(template_hash(a).size() == kTemplateHashLength);
  CHECK(canonical_template_json(a) == canonical_template_json(b));
}

TEST_CASE("the template hash changes with the template's spec and metadata", "[unit]") {
  const auto base = template_from(R"({"spec":{"duration":"1h"}})");
  const auto longer = template_from(R"({"spec":{"duration":"2h"}})");
  const auto labelled =
      template_from(R"({"metadata":{"labels":{"a":"b"}},"spec":{"duration":"1h"}})");
  const auto tolerating =
      template_from(R"({"spec":{"duration":"1h","tolerations":[{"operator":"Exists"}]}})");
  CHECK(template_hash(base) != template_hash(longer));
  CHECK(template_hash(base) != template_hash(labelled));
  CHECK(template_hash(base) != template_hash(tolerating));
}

}  // namespace
}  // namespace korder::order
