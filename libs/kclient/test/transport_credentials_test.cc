#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "korder/kclient/testing/io_thread.h"
#include "korder/kclient/testing/scripted_api_server.h"
#include "korder/kclient/testing/temp_dir.h"
#include "korder/kclient/transport.h"

namespace korder::kclient {
namespace {

using testing::ExpectedRequest;
using testing::ScriptedApiServer;
using testing::ScriptedResponse;

TEST_CASE("a token file is sent as the bearer token and re-read after a 401",
          "[integration][kclient]") {
  testing::TempDir dir;
  const std::string token_file = dir.write("token", "first-token\n");
  ScriptedApiServer server;
  server.expect(ExpectedRequest("GET", "/a").with_header("Authorization", "Bearer first-token"),
                ScriptedResponse::json(401, R"({"kind":"Status","apiVersion":"v1",)"
                                            R"("metadata":{},"status":"Failure",)"
                                            R"("message":"Unauthorized","reason":)"
                                            R"("Unauthorized","code":401})"));
  server.expect(ExpectedRequest("GET", "/a").with_header("Authorization", "Bearer second-token"),
                ScriptedResponse::json(200, "{}"));
  testing::IoThread io;
  SystemClock clock;
  Config config = server.config();
  config.bearer_token = "first-token";
  config.bearer_token_file = token_file;
  auto transport = Transport::create(io.io(), config, clock);
  REQUIRE(transport.has_value());
  HttpRequest request;
  request.target = "/a";
  auto first = io.run((*transport)->async_request(request));
  REQUIRE(first.has_value());
  CHECK(first->status == 401);
  // The kubelet rotated the token; the 401 made the transport forget the cached one.
  dir.write("token", "second-token\n");
  auto second = io.run((*transport)->async_request(request));
  REQUIRE(second.has_value());
  CHECK(second->status == 200);
  CHECK(server.failures() == std::vector<std::string>{});
}

TEST_CASE("an unreadable token file fails the request without sending it",
          "[integration][kclient]") {
  testing::TempDir dir;
  ScriptedApiServer server;
  testing::IoThread io;
  SystemClock clock;
  Config config = server.config();
  config.bearer_token_file = (dir.path() / "missing").string();
  auto transport = Transport::create(io.io(), config, clock);
  REQUIRE(transport.has_value());
  HttpRequest request;
  request.target = "/a";
  auto result = io.run((*transport)->async_request(request));
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().message().rfind("reading the bearer token: token file ", 0) == 0);
  CHECK(server.requests().empty());
}

}  // namespace
}  // namespace korder::kclient
