#include "korder/kclient/health_checks.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <string>

namespace korder::kclient {
namespace {

HttpRequest get(std::string target) {
  HttpRequest request;
  request.target = std::move(target);
  return request;
}

HealthCheck flag_check(const std::atomic<bool>& ok, std::string reason) {
  return [&ok, reason]() -> Expected<void, std::string> {
    if (ok.load()) {
      return {};
    }
    return Unexpected(reason);
  };
}

TEST_CASE("readyz answers a bare ok when every check passes", "[unit][kclient]") {
  HealthChecks checks;
  std::atomic<bool> synced{true};
  checks.add_readyz_check("informers-synced", flag_check(synced, "not synced"));
  const HttpResponse response = checks.serve_readyz(get("/readyz"));
  CHECK(response.status == 200);
  CHECK(response.body == "ok");
  CHECK(response.header("Content-Type") == "text/plain; charset=utf-8");
}

TEST_CASE("readyz lists every check and withholds the reason when one fails", "[unit][kclient]") {
  HealthChecks checks;
  std::atomic<bool> synced{false};
  std::atomic<bool> leader{true};
  checks.add_readyz_check("informers-synced", flag_check(synced, "tickets not synced"));
  checks.add_readyz_check("leader-election", flag_check(leader, "lost"));
  const HttpResponse response = checks.serve_readyz(get("/readyz"));
  CHECK(response.status == 500);
  CHECK(response.body ==
        "[+]ping ok\n"
        "[-]informers-synced failed: reason withheld\n"
        "[+]leader-election ok\n"
        "readyz check failed\n");
}

TEST_CASE("readyz with verbose lists every check on success", "[unit][kclient]") {
  HealthChecks checks;
  std::atomic<bool> synced{true};
  checks.add_readyz_check("informers-synced", flag_check(synced, "x"));
  const HttpResponse response = checks.serve_readyz(get("/readyz?verbose"));
  CHECK(response.status == 200);
  CHECK(response.body ==
        "[+]ping ok\n"
        "[+]informers-synced ok\n"
        "readyz check passed\n");
}

TEST_CASE("an excluded check is skipped and an unknown exclusion is warned about",
          "[unit][kclient]") {
  HealthChecks checks;
  std::atomic<bool> synced{false};
  checks.add_readyz_check("informers-synced", flag_check(synced, "x"));
  const HttpResponse response =
      checks.serve_readyz(get("/readyz?verbose=1&exclude=informers-synced&exclude=nope"));
  CHECK(response.status == 200);
  CHECK(response.body ==
        "[+]ping ok\n"
        "[+]informers-synced excluded: ok\n"
        "warn: some health checks cannot be excluded: no matches for \"nope\"\n"
        "readyz check passed\n");
}

TEST_CASE("a single check can be asked for by name and shows its reason", "[unit][kclient]") {
  HealthChecks checks;
  std::atomic<bool> synced{false};
  checks.add_readyz_check("informers-synced", flag_check(synced, "tickets not synced"));
  HttpResponse response = checks.serve_readyz(get("/readyz/informers-synced"));
  CHECK(response.status == 500);
  CHECK(response.body == "internal server error: tickets not synced\n");
  synced = true;
  response = checks.serve_readyz(get("/readyz/informers-synced"));
  CHECK(response.status == 200);
  CHECK(response.body == "ok");
  CHECK(checks.serve_readyz(get("/readyz/nope")).status == 404);
  CHECK(checks.serve_readyz(get("/readyz/ping")).status == 200);
}

TEST_CASE("healthz and readyz keep separate check lists", "[unit][kclient]") {
  HealthChecks checks;
  std::atomic<bool> bad{false};
  checks.add_readyz_check("not-ready", flag_check(bad, "x"));
  CHECK(checks.serve_healthz(get("/healthz")).status == 200);
  CHECK(checks.serve_healthz(get("/healthz?verbose")).body == "[+]ping ok\nhealthz check passed\n");
  CHECK(checks.serve_readyz(get("/readyz")).status == 500);
  checks.add_healthz_check("deadlock", flag_check(bad, "stuck"));
  CHECK(checks.serve_healthz(get("/healthz")).body ==
        "[+]ping ok\n[-]deadlock failed: reason withheld\nhealthz check failed\n");
}

TEST_CASE("a check changes its answer as its state changes", "[unit][kclient]") {
  HealthChecks checks;
  std::atomic<bool> synced{false};
  checks.add_readyz_check("informers-synced", flag_check(synced, "x"));
  CHECK(checks.serve_readyz(get("/readyz")).status == 500);
  synced = true;
  CHECK(checks.serve_readyz(get("/readyz")).status == 200);
}

}  // namespace
}  // namespace korder::kclient
