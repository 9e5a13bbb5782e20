// The README's examples (examples/*.yaml) must validate with no errors: users copy them.

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "korder/api/meta.h"
#include "korder/api/validation.h"
#include "korder/api/yaml.h"
#include "validation_test_support.h"

namespace korder::api {
namespace {

using testing::messages;
using testing::Messages;

std::string example_json(const std::string& file) {
  std::ifstream in(std::string(KORDER_SOURCE_DIR) + "/examples/" + file);
  REQUIRE(in.good());
  std::stringstream text;
  text << in.rdbuf();
  auto json = yaml_to_json(text.str());
  REQUIRE(json.has_value());
  return *json;
}

TEST_CASE("every README example order validates with no errors", "[unit][validation]") {
  for (const char* file : {"order.yaml", "scheduled-order.yaml", "daemonset-order.yaml"}) {
    INFO(file);
    auto order = parse_order(example_json(file));
    REQUIRE(order.has_value());
    CHECK(messages(validate_order(*order)) == Messages{});
    // Re-applying an unchanged example is an update that must pass too.
    CHECK(messages(validate_order_update(*order, *order)) == Messages{});
  }
}

TEST_CASE("the README example quota validates with no errors", "[unit][validation]") {
  auto quota = parse_quota(example_json("quota.yaml"));
  REQUIRE(quota.has_value());
  CHECK(messages(validate_quota(*quota)) == Messages{});
}

TEST_CASE("every korder object in the examples directory validates with no errors",
          "[unit][validation]") {
  // Walks the directory, so an example added later is checked without editing this test.
  int korder_objects = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(KORDER_SOURCE_DIR) + "/examples")) {
    if (entry.path().extension() != ".yaml") {
      continue;
    }
    const std::string file = entry.path().filename().string();
    INFO(file);
    const std::string json = example_json(file);
    auto type = parse_type_meta(json);
    REQUIRE(type.has_value());
    if (type->kind == "Order") {
      auto order = parse_order(json);
      REQUIRE(order.has_value());
      CHECK(messages(validate_order(*order)) == Messages{});
    } else if (type->kind == "Quota") {
      auto quota = parse_quota(json);
      REQUIRE(quota.has_value());
      CHECK(messages(validate_quota(*quota)) == Messages{});
    } else if (type->kind == "Ticket") {
      auto ticket = parse_ticket(json);
      REQUIRE(ticket.has_value());
      CHECK(messages(validate_ticket(*ticket)) == Messages{});
    } else {
      CHECK(type->kind == "Pod");  // business-pod.yaml: not a korder kind
      continue;
    }
    ++korder_objects;
  }
  CHECK(korder_objects >= 4);
}

}  // namespace
}  // namespace korder::api
