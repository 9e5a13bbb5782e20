#include "korder/kclient/http_message.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <optional>

namespace korder::kclient {
namespace {

TEST_CASE("Retry-After is read in whole seconds; the HTTP-date form is ignored as in client-go",
          "[unit][kclient]") {
  using std::chrono::seconds;
  struct Case {
    const char* value;
    std::optional<seconds> expected;
  };
  const Case cases[] = {
      {"1", seconds(1)},
      {" 30 ", seconds(30)},
      {"0", seconds(0)},
      {"", std::nullopt},
      {"-1", std::nullopt},
      {"1.5", std::nullopt},
      {"Wed, 21 Oct 2015 07:28:00 GMT", std::nullopt},
      {"9999999999", std::nullopt},
  };
  for (const Case& c : cases) {
    INFO("Retry-After: " << c.value);
    CHECK(parse_retry_after(c.value) == c.expected);
  }
}

TEST_CASE("response headers are looked up case-insensitively, first one wins", "[unit][kclient]") {
  HttpResponse response;
  response.headers = {{"Content-Type", "application/json"},
                      {"Warning", "299 - \"first\""},
                      {"warning", "299 - \"second\""}};
  CHECK(response.header("content-type") == "application/json");
  CHECK(response.header("WARNING") == "299 - \"first\"");
  CHECK(response.header("Retry-After").empty());
}

}  // namespace
}  // namespace korder::kclient
