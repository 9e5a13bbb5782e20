#include "korder/kclient/bearer_token_source.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <string>

#include "korder/kclient/testing/fake_clock.h"
#include "korder/kclient/testing/temp_dir.h"

namespace korder::kclient {
namespace {

using std::chrono::seconds;
using testing::FakeClock;
using testing::TempDir;

TEST_CASE("a token source reads the file lazily and trims the token", "[unit][kclient]") {
  FakeClock clock;
  TempDir dir;
  const std::string path = (dir.path() / "token").string();
  BearerTokenSource source(clock, path);
  CHECK(source.path() == path);
  dir.write("token", "\n first-token \n");  // written after construction: read on first use
  const auto token = source.token();
  REQUIRE(token.has_value());
  CHECK(*token == "first-token");
}

TEST_CASE("a rotated token is picked up once the cached one is a minute old", "[unit][kclient]") {
  FakeClock clock;
  TempDir dir;
  const std::string path = dir.write("token", "old");
  BearerTokenSource source(clock, path);
  REQUIRE(source.token().value_or("") == "old");

  dir.write("token", "new");  // the kubelet rotates the projected token
  clock.advance(seconds(59));
  CHECK(source.token().value_or("") == "old");
  clock.advance(seconds(1));
  CHECK(source.token().value_or("") == "new");
}

TEST_CASE("invalidate makes the next token read the file again", "[unit][kclient]") {
  FakeClock clock;
  TempDir dir;
  const std::string path = dir.write("token", "old");
  BearerTokenSource source(clock, path);
  REQUIRE(source.token().value_or("") == "old");
  dir.write("token", "new");
  source.invalidate();  // e.g. after a 401
  CHECK(source.token().value_or("") == "new");
}

TEST_CASE("a token source keeps the last good token while the file is unreadable",
          "[unit][kclient]") {
  FakeClock clock;
  TempDir dir;
  const std::string path = dir.write("token", "good");
  BearerTokenSource source(clock, path, seconds(10));
  REQUIRE(source.token().value_or("") == "good");

  std::filesystem::remove(path);
  clock.advance(seconds(10));
  CHECK(source.token().value_or("") == "good");
  dir.write("token", "   ");  // empty counts as a failed read too
  clock.advance(seconds(10));
  CHECK(source.token().value_or("") == "good");
  dir.write("token", "better");
  clock.advance(seconds(10));  // retried one refresh period after the failure
  CHECK(source.token().value_or("") == "better");
}

TEST_CASE("a token source that never read a token reports why", "[unit][kclient]") {
  FakeClock clock;
  TempDir dir;
  SECTION("missing") {
    const std::string path = (dir.path() / "token").string();
    BearerTokenSource source(clock, path);
    const auto token = source.token();
    REQUIRE_FALSE(token.has_value());
    CHECK(token.error().message ==
          "token file " + path + ": cannot read: No such file or directory");
  }
  SECTION("empty") {
    const std::string path = dir.write("token", "\n");
    BearerTokenSource source(clock, path);
    const auto token = source.token();
    REQUIRE_FALSE(token.has_value());
    CHECK(token.error().message == "token file " + path + ": empty");
  }
}

}  // namespace
}  // namespace korder::kclient
