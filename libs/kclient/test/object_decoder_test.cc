#include "korder/kclient/object_decoder.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "korder/api/ticket.h"

namespace korder::kclient {
namespace {

constexpr const char* kTicketList = R"({
  "apiVersion": "core.korder.dev/v1alpha1", "kind": "TicketList",
  "metadata": {"resourceVersion": "120", "continue": "page-2"},
  "items": [
    {"metadata": {"name": "good", "namespace": "ns", "resourceVersion": "7"},
     "spec": {"duration": "1h"}},
    {"metadata": {"name": "bad", "namespace": "ns", "resourceVersion": "8"},
     "spec": {"duration": 5}},
    {"metadata": {"name": "also-good", "namespace": "ns", "resourceVersion": "9"}}
  ]})";

TEST_CASE("a list page decodes its objects, version and continue token", "[unit][kclient]") {
  std::vector<DecodeFailure> failures;
  auto page = decode_list_page<api::Ticket>(kTicketList, failures);
  REQUIRE(page.has_value());
  CHECK(page->resource_version == "120");
  CHECK(page->continue_token == "page-2");
  REQUIRE(page->objects.size() == 2);
  CHECK(page->objects[0]->metadata.name == "good");
  CHECK(page->objects[0]->spec.duration == "1h");
  CHECK(page->objects[1]->metadata.name == "also-good");
}

TEST_CASE("a list item that does not decode is skipped and reported with its key",
          "[unit][kclient]") {
  std::vector<DecodeFailure> failures;
  auto page = decode_list_page<api::Ticket>(kTicketList, failures);
  REQUIRE(page.has_value());
  REQUIRE(failures.size() == 1);
  CHECK(failures[0].key == "ns/bad");
  CHECK_THAT(failures[0].message, Catch::Contains("spec.duration"));
}

TEST_CASE("a list body that is not a list is an error", "[unit][kclient]") {
  const std::vector<std::string> bodies = {"not json", "[]", R"({"metadata":{}})",
                                           R"({"items":{}})"};
  for (const auto& body : bodies) {
    INFO(body);
    std::vector<DecodeFailure> failures;
    auto page = decode_list_page<api::Ticket>(body, failures);
    REQUIRE_FALSE(page.has_value());
    CHECK_THAT(page.error().message(), Catch::StartsWith("decoding list"));
  }
}

TEST_CASE("a list with null items is an empty page", "[unit][kclient]") {
  std::vector<DecodeFailure> failures;
  auto page = decode_list_page<api::Ticket>(R"({"metadata":{"resourceVersion":"3"},"items":null})",
                                            failures);
  REQUIRE(page.has_value());
  CHECK(page->objects.empty());
  CHECK(page->resource_version == "3");
}

TEST_CASE("a watch event decodes its object and resourceVersion", "[unit][kclient]") {
  std::vector<DecodeFailure> failures;
  const auto item = decode_watch_item<api::Ticket>(
      {WatchEventType::Modified,
       R"({"metadata":{"name":"t","namespace":"ns","resourceVersion":"44"}})"},
      failures);
  CHECK(item.type == WatchEventType::Modified);
  REQUIRE(item.object != nullptr);
  CHECK(item.object->metadata.name == "t");
  CHECK(item.resource_version == "44");
  CHECK(failures.empty());
}

TEST_CASE("a bookmark gives only its resourceVersion", "[unit][kclient]") {
  // The object of a BOOKMARK carries only kind, apiVersion and metadata.resourceVersion.
  std::vector<DecodeFailure> failures;
  const auto item = decode_watch_item<api::Ticket>(
      {WatchEventType::Bookmark, R"({"kind":"Ticket","apiVersion":"core.korder.dev/v1alpha1",)"
                                 R"("metadata":{"resourceVersion":"1002"}})"},
      failures);
  CHECK(item.type == WatchEventType::Bookmark);
  CHECK(item.object == nullptr);
  CHECK(item.resource_version == "1002");
  CHECK(failures.empty());
}

TEST_CASE("a watch event whose object does not decode keeps its resourceVersion",
          "[unit][kclient]") {
  std::vector<DecodeFailure> failures;
  const auto item = decode_watch_item<api::Ticket>(
      {WatchEventType::Added,
       R"({"metadata":{"name":"t","namespace":"ns","resourceVersion":"45"},"spec":[]})"},
      failures);
  CHECK(item.object == nullptr);
  CHECK(item.resource_version == "45");
  REQUIRE(failures.size() == 1);
  CHECK(failures[0].key == "ns/t");
}

}  // namespace
}  // namespace korder::kclient
