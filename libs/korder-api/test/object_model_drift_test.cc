// The second half of the CRD drift check (see crd_schema_test.cc): the C++ object model knows
// exactly the fields of the full fixtures, which the CRD schemas declare exactly.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>

#include "json_test_support.h"
#include "korder/api/order.h"
#include "korder/api/quota.h"
#include "korder/api/ticket.h"

namespace korder::api {
namespace {

std::string read_fixture(const std::string& name) {
  std::ifstream in(std::string(KORDER_SOURCE_DIR) + "/libs/korder-api/test/testdata/" + name);
  REQUIRE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

template <typename T, typename Parse>
void check_model_knows_every_field(const std::string& fixture_name, Parse parse) {
  INFO(fixture_name);
  const std::string fixture = read_fixture(fixture_name);
  Expected<T, ParseError> decoded = parse(fixture);
  if (!decoded) {
    FAIL(decoded.error().to_string());
  }
  // Nothing of spec or status was left to the extras: the model has a field for each.
  CHECK(unknown_field_paths(*decoded) == std::vector<std::string>{});
  // And it writes every one of them back, unchanged.
  const std::string encoded = to_json(*decoded);
  INFO(encoded);
  CHECK(testing::same_json(encoded, fixture));
}

TEST_CASE("the object model decodes every field of the full order and writes it back",
          "[unit][crd]") {
  check_model_knows_every_field<Order>("order-full.json",
                                       [](std::string_view j) { return parse_order(j); });
}

TEST_CASE("the object model decodes every field of the full ticket and writes it back",
          "[unit][crd]") {
  check_model_knows_every_field<Ticket>("ticket-full.json",
                                        [](std::string_view j) { return parse_ticket(j); });
}

TEST_CASE("the object model decodes every field of the full quota and writes it back",
          "[unit][crd]") {
  check_model_knows_every_field<Quota>("quota-full.json",
                                       [](std::string_view j) { return parse_quota(j); });
}

TEST_CASE("a field the model does not know is reported by the drift hook", "[unit][crd]") {
  auto order = parse_order(
      R"({"apiVersion":"core.korder.dev/v1alpha1","kind":"Order","metadata":{"name":"a"},)"
      R"("spec":{"template":{"spec":{"duration":"1h","bogus":1}}},"status":{"extra":true}})");
  REQUIRE(order.has_value());
  CHECK(unknown_field_paths(*order) ==
        std::vector<std::string>{"spec.template.spec.bogus", "status.extra"});
}

}  // namespace
}  // namespace korder::api
