#include "korder/kclient/request.h"

#include <catch2/catch.hpp>
#include <functional>
#include <sstream>
#include <string>
#include <unordered_set>

namespace korder::kclient {
namespace {

TEST_CASE("a request prints as its cache key", "[unit][kclient]") {
  CHECK(Request{"shop", "my-order"}.to_string() == "shop/my-order");
  CHECK(Request{"", "team-quota"}.to_string() == "team-quota");
  std::ostringstream os;
  os << Request{"a", "b"};
  CHECK(os.str() == "a/b");
}

TEST_CASE("a cache key parses back into the request it came from", "[unit][kclient]") {
  struct Case {
    std::string key;
    Request want;
  };
  const Case cases[] = {
      {"shop/my-order", {"shop", "my-order"}},
      {"team-quota", {"", "team-quota"}},
      {"/cluster-wide", {"", "cluster-wide"}},
  };
  for (const auto& c : cases) {
    INFO(c.key);
    const auto got = parse_request(c.key);
    REQUIRE(got.has_value());
    CHECK(*got == c.want);
  }
}

TEST_CASE("a malformed cache key is an error naming the key", "[unit][kclient]") {
  for (const std::string key : {"", "a/b/c", "ns/"}) {
    INFO(key);
    const auto got = parse_request(key);
    REQUIRE_FALSE(got.has_value());
    CHECK(got.error().message == "unexpected key format: \"" + key + "\"");
  }
}

TEST_CASE("requests compare and hash by namespace and name", "[unit][kclient]") {
  const Request a{"ns", "a"};
  CHECK(a == Request{"ns", "a"});
  CHECK(a != Request{"other", "a"});
  CHECK(Request{"a", "z"} < Request{"b", "a"});
  CHECK(std::hash<Request>{}(a) == std::hash<Request>{}(Request{"ns", "a"}));
  // "a/bc" and "ab/c" must not be the same key.
  std::unordered_set<Request> set{{"a", "bc"}, {"ab", "c"}, {"", "abc"}};
  CHECK(set.size() == 3);
  CHECK(set.contains(Request{"ab", "c"}));
}

}  // namespace
}  // namespace korder::kclient
