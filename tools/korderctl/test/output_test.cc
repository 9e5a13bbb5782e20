#include "output.h"

#include <catch2/catch.hpp>

namespace korder::ctl {
namespace {

namespace v1 = quota::v1;

v1::ResourceUsage resource(const std::string& name, const std::string& hard,
                           const std::string& used, const std::string& held,
                           const std::string& free) {
  v1::ResourceUsage r;
  r.set_resource(name);
  r.set_hard(hard);
  r.set_used(used);
  r.set_held(held);
  r.set_free(free);
  return r;
}

v1::QuotaUsage team_quota() {
  v1::QuotaUsage q;
  q.set_name("team-quota");
  q.set_scope_type("NamespaceSelector");
  q.set_valid(true);
  *q.add_resources() = resource("max-duration", "24h", "", "", "");
  *q.add_resources() = resource("orders", "10", "2", "0", "8");
  *q.add_resources() = resource("reserved.cpu", "20", "1500m", "500m", "18");
  *q.add_resources() = resource("tickets", "50", "3", "1", "46");
  return q;
}

TEST_CASE("tables align columns with three spaces and no trailing blanks", "[unit]") {
  Table table({"NAME", "X"});
  table.add_row({"a-long-name", "1"});
  table.add_row({"b", "22"});
  CHECK(table.render() == "NAME          X\na-long-name   1\nb             22\n");
}

TEST_CASE("quota list shows used/limit per resource and - without a limit", "[unit]") {
  v1::QuotaUsage other;
  other.set_name("gpu");
  other.set_scope_type("Cluster");
  other.set_exceeded(true);
  other.set_valid(true);
  other.add_active_time_windows("night");
  CHECK(
      render_quota_list({team_quota(), other}, OutputFormat::Table) ==
      "NAME         SCOPE               ORDERS   TICKETS   CPU        MEMORY   WINDOW   EXCEEDED\n"
      "team-quota   NamespaceSelector   2/10     3/50      1500m/20   -        -        False\n"
      "gpu          Cluster             -        -         -          -        night    True\n");
}

TEST_CASE("quota usage lists limit, use, holds and free room per resource", "[unit]") {
  CHECK(render_namespace_usage("team-a", {team_quota()}, OutputFormat::Table) ==
        "QUOTA        RESOURCE       LIMIT   USED    HELD   FREE\n"
        "team-quota   max-duration   24h     -       -      -\n"
        "team-quota   orders         10      2       0      8\n"
        "team-quota   reserved.cpu   20      1500m   500m   18\n"
        "team-quota   tickets        50      3       1      46\n");
  CHECK(render_namespace_usage("team-z", {}, OutputFormat::Table) ==
        "no quota covers namespace team-z\n");
}

TEST_CASE("json and yaml output keep strings as strings", "[unit]") {
  const std::string json = render_quota(team_quota(), OutputFormat::Json);
  CHECK(json.find("\"name\": \"team-quota\"") != std::string::npos);
  CHECK(json.find("\"hard\": \"10\"") != std::string::npos);
  const std::string yaml = render_quota(team_quota(), OutputFormat::Yaml);
  CHECK(yaml.find("name: \"team-quota\"") != std::string::npos);
  CHECK(yaml.find("hard: \"10\"") != std::string::npos);
  CHECK(yaml.find("exceeded: false") != std::string::npos);
  CHECK(json_to_yaml(R"({"a":[1,"2"],"b":{"c":true}})") == "a:\n  - 1\n  - \"2\"\nb:\n  c: true\n");
}

TEST_CASE("check output says allowed or denied with the service's message and warnings", "[unit]") {
  CheckResult ok{"Order", "team-a", "web", {}};
  ok.response.set_allowed(true);
  ok.response.add_warnings("3 tickets of this order would not fit now: x");
  CheckResult denied{"Ticket", "team-a", "t1", {}};
  denied.response.set_allowed(false);
  denied.response.set_message(
      "korder quota exceeded: quota \"q\": tickets: requested 1, used 5, limit 5");
  CHECK(render_check({ok, denied}, OutputFormat::Table) ==
        "Order team-a/web: allowed\n"
        "  warning: 3 tickets of this order would not fit now: x\n"
        "Ticket team-a/t1: denied: korder quota exceeded: quota \"q\": tickets: requested 1, "
        "used 5, limit 5\n");
  const std::string json = render_check({denied}, OutputFormat::Json);
  CHECK(json.find("\"kind\":\"Ticket\"") != std::string::npos);
  CHECK(json.find("\"allowed\":false") != std::string::npos);
}

TEST_CASE("cron fires print one per line or as a list", "[unit]") {
  const std::vector<std::string> fires{"2026-01-02T02:00:00+08:00", "2026-01-03T02:00:00+08:00"};
  CHECK(render_fires(fires, OutputFormat::Table) ==
        "2026-01-02T02:00:00+08:00\n2026-01-03T02:00:00+08:00\n");
  CHECK(render_fires(fires, OutputFormat::Json) ==
        "[\"2026-01-02T02:00:00+08:00\",\"2026-01-03T02:00:00+08:00\"]\n");
}

TEST_CASE("a watch message prints one line per changed quota", "[unit]") {
  v1::WatchUsageResponse message;
  *message.add_quotas() = team_quota();
  message.add_deleted("old");
  CHECK(render_watch_message(message, TimePoint(std::chrono::seconds(1767225600)),
                             OutputFormat::Table) ==
        "2026-01-01T00:00:00Z team-quota orders=2/10 reserved.cpu=1500m/20(+500m held) "
        "tickets=3/50(+1 held)\n"
        "2026-01-01T00:00:00Z old deleted\n");
}

}  // namespace
}  // namespace korder::ctl
