#include "korder/kclient/watch_event.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace korder::kclient {
namespace {

const std::string kAdded =
    R"({"type":"ADDED","object":{"apiVersion":"core.korder.dev/v1alpha1","kind":"Ticket",)"
    R"("metadata":{"name":"t1","namespace":"default","resourceVersion":"1001"}}})"
    "\n";
const std::string kModified =
    R"({"type": "MODIFIED", "object": {"kind": "Ticket", "metadata": {"name": "t1", )"
    R"("resourceVersion": "1002"}}})"
    "\n";
const std::string kBookmark =
    R"({"type":"BOOKMARK","object":{"kind":"Ticket","apiVersion":"core.korder.dev/v1alpha1",)"
    R"("metadata":{"resourceVersion":"1003"}}})"
    "\n";
const std::string kDeleted =
    R"({"type":"DELETED","object":{"kind":"Ticket","metadata":{"name":"t1","resourceVersion":)"
    R"("1004"}}})"
    "\n";
const std::string kExpired =
    R"({"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":)"
    R"j("Failure","message":"too old resource version: 5 (500)","reason":"Expired","code":410}})j"
    "\n";

const std::vector<WatchEvent> kExpected = {
    {WatchEventType::Added,
     R"({"apiVersion":"core.korder.dev/v1alpha1","kind":"Ticket","metadata":{"name":"t1",)"
     R"("namespace":"default","resourceVersion":"1001"}})"},
    {WatchEventType::Modified,
     R"({"kind":"Ticket","metadata":{"name":"t1","resourceVersion":"1002"}})"},
    {WatchEventType::Bookmark,
     R"({"kind":"Ticket","apiVersion":"core.korder.dev/v1alpha1","metadata":{)"
     R"("resourceVersion":"1003"}})"},
    {WatchEventType::Deleted,
     R"({"kind":"Ticket","metadata":{"name":"t1","resourceVersion":"1004"}})"},
};

// Feeds `stream` in pieces of `piece` bytes and collects every event (stopping at an error).
std::vector<WatchEvent> decode_in_pieces(const std::string& stream, std::size_t piece) {
  WatchDecoder decoder;
  std::vector<WatchEvent> events;
  for (std::size_t at = 0; at < stream.size(); at += piece) {
    decoder.feed(std::string_view(stream).substr(at, piece));
    while (true) {
      auto next = decoder.next();
      REQUIRE(next.has_value());
      if (!next->has_value()) {
        break;
      }
      events.push_back(std::move(**next));
    }
  }
  CHECK(decoder.buffered_bytes() == 0);
  return events;
}

TEST_CASE("events split anywhere across chunks decode the same as whole lines", "[unit][kclient]") {
  const std::string stream = kAdded + kModified + kBookmark + kDeleted;
  const std::size_t piece = GENERATE(1, 2, 3, 7, 64, 100000);
  INFO("piece size " << piece);
  CHECK(decode_in_pieces(stream, piece) == kExpected);
}

TEST_CASE("several events in one chunk are all returned, in order", "[unit][kclient]") {
  WatchDecoder decoder;
  decoder.feed(kAdded + kModified + kBookmark + kDeleted);
  for (const WatchEvent& expected : kExpected) {
    auto next = decoder.next();
    REQUIRE(next.has_value());
    REQUIRE(next->has_value());
    CHECK(**next == expected);
  }
  auto end = decoder.next();
  REQUIRE(end.has_value());
  CHECK_FALSE(end->has_value());
}

TEST_CASE("a partial event waits for the rest of its line", "[unit][kclient]") {
  WatchDecoder decoder;
  decoder.feed(kAdded.substr(0, 40));
  auto first = decoder.next();
  REQUIRE(first.has_value());
  CHECK_FALSE(first->has_value());
  CHECK(decoder.buffered_bytes() == 40);
  decoder.feed(kAdded.substr(40));
  auto second = decoder.next();
  REQUIRE(second.has_value());
  REQUIRE(second->has_value());
  CHECK(**second == kExpected[0]);
}

TEST_CASE("an ERROR event with a 410 Status is a Gone error", "[unit][kclient]") {
  WatchDecoder decoder;
  decoder.feed(kExpired);
  auto next = decoder.next();
  REQUIRE_FALSE(next.has_value());
  CHECK(next.error().is_gone());
  CHECK(next.error().is_resource_expired());
  CHECK(next.error().code() == 410);
  CHECK(next.error().message() == "too old resource version: 5 (500)");
}

TEST_CASE("blank lines and CRLF line ends are tolerated", "[unit][kclient]") {
  WatchDecoder decoder;
  std::string crlf = kModified;
  crlf.insert(crlf.size() - 1, "\r");
  decoder.feed("\n\r\n" + crlf + "\n");
  auto next = decoder.next();
  REQUIRE(next.has_value());
  REQUIRE(next->has_value());
  CHECK(**next == kExpected[1]);
  auto end = decoder.next();
  REQUIRE(end.has_value());
  CHECK_FALSE(end->has_value());
}

TEST_CASE("a malformed line is an error and decoding resumes at the next line", "[unit][kclient]") {
  const char* bad_lines[] = {
      "{not json}\n",
      "[1,2]\n",
      R"({"object":{"kind":"Ticket"}})"
      "\n",
      R"({"type":"ADDED"})"
      "\n",
      R"({"type":"ADDED","object":"text"})"
      "\n",
      R"({"type":"RENAMED","object":{}})"
      "\n",
      "{\"type\":\"ADDED\",\"object\":{\"name\":\"\xff\"}}\n",
  };
  for (const char* bad : bad_lines) {
    INFO(bad);
    WatchDecoder decoder;
    decoder.feed(std::string(bad) + kAdded);
    auto first = decoder.next();
    REQUIRE_FALSE(first.has_value());
    CHECK(first.error().reason() == ApiError::Reason::Unknown);
    CHECK(first.error().message().rfind("malformed watch event: ", 0) == 0);
    auto second = decoder.next();
    REQUIRE(second.has_value());
    REQUIRE(second->has_value());
    CHECK(**second == kExpected[0]);
  }
}

TEST_CASE("a line longer than the limit is an error and is skipped to its end", "[unit][kclient]") {
  WatchDecoder decoder(64);
  const std::string long_line =
      R"({"type":"ADDED","object":{"pad":")" + std::string(200, 'x') + "\"}}\n";
  // Fed in small pieces: the error comes as soon as the limit is passed, before the '\n'.
  decoder.feed(long_line.substr(0, 100));
  auto first = decoder.next();
  REQUIRE_FALSE(first.has_value());
  CHECK(first.error().message() == "malformed watch event: an event is longer than 64 bytes");
  CHECK(decoder.buffered_bytes() == 0);
  decoder.feed(long_line.substr(100));
  const std::string small = R"({"type":"DELETED","object":{}})"
                            "\n";
  decoder.feed(small);
  auto second = decoder.next();
  REQUIRE(second.has_value());
  REQUIRE(second->has_value());
  CHECK(**second == WatchEvent{WatchEventType::Deleted, "{}"});
}

TEST_CASE("a long stream keeps the buffer small", "[unit][kclient]") {
  WatchDecoder decoder;
  std::size_t decoded = 0;
  for (int i = 0; i < 2000; ++i) {
    decoder.feed(kAdded);
    auto next = decoder.next();
    REQUIRE(next.has_value());
    decoded += next->has_value() ? 1 : 0;
    CHECK(decoder.buffered_bytes() == 0);
  }
  CHECK(decoded == 2000);
}

TEST_CASE("watch event types print as their wire values", "[unit][kclient]") {
  CHECK(to_string(WatchEventType::Added) == "ADDED");
  CHECK(to_string(WatchEventType::Modified) == "MODIFIED");
  CHECK(to_string(WatchEventType::Deleted) == "DELETED");
  CHECK(to_string(WatchEventType::Bookmark) == "BOOKMARK");
  CHECK(to_string(WatchEventType::Error) == "ERROR");
}

}  // namespace
}  // namespace korder::kclient
