#include "cli.h"

#include <catch2/catch.hpp>

namespace korder::ctl {
namespace {

Command parse_ok(const std::vector<std::string>& args, const std::string& env = "") {
  auto command = parse_command_line(args, env);
  INFO((command ? "" : command.error().message));
  REQUIRE(command.has_value());
  return *command;
}

std::string parse_error(const std::vector<std::string>& args) {
  auto command = parse_command_line(args);
  REQUIRE_FALSE(command.has_value());
  return command.error().message;
}

TEST_CASE("quota subcommands parse with their arguments and flags", "[unit]") {
  CHECK(parse_ok({"quota", "list"}).verb == Verb::QuotaList);
  const Command get = parse_ok({"quota", "get", "team-quota", "-o", "json"});
  CHECK(get.verb == Verb::QuotaGet);
  CHECK(get.names == std::vector<std::string>{"team-quota"});
  CHECK(get.output == OutputFormat::Json);
  const Command usage = parse_ok({"quota", "usage", "--namespace=team-a", "--output=yaml"});
  CHECK(usage.verb == Verb::QuotaUsage);
  CHECK(usage.namespace_ == "team-a");
  CHECK(usage.output == OutputFormat::Yaml);
  CHECK(parse_ok({"kq", "usage", "-n", "team-b"}).namespace_ == "team-b");
  const Command watch = parse_ok({"quota", "watch", "a", "b", "--count", "3"});
  CHECK(watch.verb == Verb::QuotaWatch);
  CHECK(watch.names == std::vector<std::string>{"a", "b"});
  CHECK(watch.count == 3);
}

TEST_CASE("connection flags override the environment's address", "[unit]") {
  CHECK(parse_ok({"quota", "list"}).connection.address ==
        "dns:///korder-quota.korder-system.svc:9443");
  CHECK(parse_ok({"quota", "list"}, "ipv4:127.0.0.1:1").connection.address == "ipv4:127.0.0.1:1");
  const Command c = parse_ok({"quota", "list", "--quota-address", "ipv4:127.0.0.1:2",
                              "--quota-server-name", "korder-quota.korder-system.svc",
                              "--quota-ca-file", "/ca", "--insecure", "--timeout", "1500ms"},
                             "ipv4:127.0.0.1:1");
  CHECK(c.connection.address == "ipv4:127.0.0.1:2");
  CHECK(c.connection.server_name == "korder-quota.korder-system.svc");
  CHECK(c.connection.ca_file == "/ca");
  CHECK(c.connection.insecure);
  CHECK(c.connection.timeout == std::chrono::milliseconds(1500));
}

TEST_CASE("check needs a file and cron next reads -n as a count", "[unit]") {
  const Command check = parse_ok({"check", "-f", "order.yaml", "-n", "team-a"});
  CHECK(check.verb == Verb::Check);
  CHECK(check.file == "order.yaml");
  CHECK(check.namespace_ == "team-a");
  const Command cron = parse_ok({"cron", "next", "0 2 * * *", "--tz", "Asia/Shanghai", "-n", "3",
                                 "--from", "2026-01-01T00:00:00Z"});
  CHECK(cron.verb == Verb::CronNext);
  CHECK(cron.schedule == "0 2 * * *");
  CHECK(cron.time_zone == "Asia/Shanghai");
  CHECK(cron.fires == 3);
  CHECK(cron.from == "2026-01-01T00:00:00Z");
  CHECK(parse_ok({"cron", "next", "@hourly"}).fires == 5);
  CHECK(parse_ok({"--help"}).verb == Verb::Help);
}

TEST_CASE("usage errors name the flag or argument", "[unit]") {
  CHECK(parse_error({}) == "no command given (see korderctl --help)");
  CHECK(parse_error({"quota", "list", "-o", "xml"}) ==
        "-o: unknown output format \"xml\" (want table, json or yaml)");
  CHECK(parse_error({"quota", "get"}) == "usage: korderctl quota get NAME");
  CHECK(parse_error({"quota", "usage"}) == "quota usage: --namespace NS is required");
  CHECK(parse_error({"quota", "frob"}) ==
        "unknown quota command \"frob\" (want list, get, usage or watch)");
  CHECK(parse_error({"check"}) == "check: -f FILE is required (- reads standard input)");
  CHECK(parse_error({"cron", "next", "* * * * *", "-n", "0"}) ==
        "-n: want a positive integer, got \"0\"");
  CHECK(parse_error({"quota", "list", "--bogus"}) == "unknown flag --bogus (see korderctl --help)");
  CHECK(parse_error({"quota", "list", "--timeout", "x"}) ==
        "--timeout: want a positive duration such as 10s, got \"x\"");
  CHECK(parse_error({"quota", "get", "-o"}) == "-o: needs a value");
  CHECK(parse_error({"frob"}) == "unknown command \"frob\" (want quota, check or cron)");
}

}  // namespace
}  // namespace korder::ctl
