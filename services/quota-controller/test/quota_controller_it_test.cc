// korder-quota-controller as its own process against the development cluster: usage in Quota
// status, namespace relabels, time windows, leader failover, and korderctl against the running
// service.

#include <catch2/catch.hpp>
#include <map>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "korder/quota_client/quota_client.h"
#include "test_cluster.h"

namespace korder::quota {
namespace {

using korder::testing::CommandResult;
using korder::testing::eventually;
using korder::testing::Process;
using korder::testing::TestCluster;
using std::chrono::seconds;

// One korder-quota-controller process.
class Controller {
 public:
  Controller(TestCluster& cluster, const std::string& name) {
    process_ = std::make_unique<Process>(
        std::vector<std::string>{
            KORDER_QUOTA_CONTROLLER_BINARY, "--kubeconfig=" + cluster.kubeconfig(), "--insecure",
            "--grpc-bind-address=127.0.0.1:0", "--metrics-bind-address=0",
            "--health-probe-bind-address=127.0.0.1:0", "--leader-election-namespace=korder-system",
            "--leader-election-lease-duration=2s", "--leader-election-renew-deadline=1500ms",
            "--leader-election-retry-period=250ms", "--hold-ttl=5s", "--logtostderr"},
        std::map<std::string, std::string>{{"POD_NAME", name}},
        cluster.dir() + "/" + name + ".log");
    if (!process_->wait_for_output("quota service listening", seconds(20))) {
      FAIL("korder-quota-controller did not start:\n" << process_->output());
    }
    port_ = port_after("quota service listening");
    REQUIRE(port_ > 0);
  }

  Process& process() { return *process_; }
  int port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  bool serving() { return process_->output().find("quota service serving") != std::string::npos; }
  int health_port() {
    REQUIRE(process_->wait_for_output("server=health", seconds(10)));
    return port_after("server=health");
  }

 private:
  int port_after(const std::string& marker) {
    const std::string out = process_->output();
    const auto at = out.find(marker);
    std::smatch match;
    const std::string rest = out.substr(at);
    static const std::regex kPort(" port=([0-9]+)");
    if (!std::regex_search(rest, match, kPort)) {
      return 0;
    }
    return std::stoi(match[1]);
  }

  std::unique_ptr<Process> process_;
  int port_ = 0;
};

std::string jsonpath(TestCluster& cluster, const std::string& what, const std::string& path) {
  const CommandResult got = cluster.kubectl({"get", what, "-o", "jsonpath=" + path});
  return got.exit_code == 0 ? got.out : "<error " + got.err + ">";
}

// Waits until `jsonpath` of `what` reads `want`; on failure shows what it last read.
void wait_for(TestCluster& cluster, const std::string& what, const std::string& path,
              const std::string& want, std::chrono::milliseconds timeout = seconds(20)) {
  std::string last;
  const bool ok = eventually(
      [&] {
        last = jsonpath(cluster, what, path);
        return last == want;
      },
      timeout);
  INFO(what << " " << path << ": want \"" << want << "\", last read \"" << last << "\"");
  REQUIRE(ok);
}

void apply_yaml(TestCluster& cluster, const std::string& yaml) {
  const CommandResult applied = cluster.kubectl({"apply", "-f", "-"}, yaml);
  INFO(applied.err);
  REQUIRE(applied.exit_code == 0);
}

std::string ticket_yaml(const std::string& ns, const std::string& name, const std::string& cpu) {
  return "apiVersion: core.korder.dev/v1alpha1\nkind: Ticket\nmetadata:\n  name: " + name +
         "\n  namespace: " + ns + "\nspec:\n  duration: 1h\n  resources:\n    requests:\n" +
         "      cpu: " + cpu + "\n";
}

std::string namespace_yaml(const std::string& name, const std::string& team) {
  return "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: " + name +
         "\n  labels:\n    team: " + team + "\n";
}

void set_phase(TestCluster& cluster, const std::string& ns, const std::string& name,
               const std::string& phase) {
  const auto answer = cluster.api(
      "PATCH", "/apis/core.korder.dev/v1alpha1/namespaces/" + ns + "/tickets/" + name + "/status",
      R"({"status":{"phase":")" + phase + R"("}})", "application/merge-patch+json");
  INFO(answer.body);
  REQUIRE(answer.status == 200);
}

struct Fixture {
  TestCluster cluster;
  Fixture() { cluster.install_crds(); }
};

constexpr char kTeamQuota[] = R"(apiVersion: core.korder.dev/v1alpha1
kind: Quota
metadata:
  name: team-quota
spec:
  scope:
    type: NamespaceSelector
    namespaceSelector:
      matchLabels:
        team: "backend"
  hard:
    orders: "10"
    tickets: "50"
    reserved.cpu: "20"
    reserved.memory: "40Gi"
    max-duration: "24h"
)";

TEST_CASE("Quota status tracks ticket creates, phase changes and deletes", "[integration]") {
  Fixture f;
  apply_yaml(f.cluster, namespace_yaml("team-a", "backend"));
  apply_yaml(f.cluster, kTeamQuota);
  Controller controller(f.cluster, "quota-0");
  wait_for(f.cluster, "kq/team-quota", "{.status.used.tickets}", "0");
  CHECK(jsonpath(f.cluster, "kq/team-quota", "{.status.hard.reserved\\.cpu}") == "20");
  CHECK(jsonpath(f.cluster, "kq/team-quota", "{.status.conditions[?(@.type==\"Ready\")].status}") ==
        "True");

  apply_yaml(f.cluster, ticket_yaml("team-a", "t1", "500m"));
  apply_yaml(f.cluster, ticket_yaml("team-a", "t2", "1500m"));
  wait_for(f.cluster, "kq/team-quota", "{.status.used.tickets}", "2");
  CHECK(jsonpath(f.cluster, "kq/team-quota", "{.status.used.reserved\\.cpu}") == "2");

  set_phase(f.cluster, "team-a", "t1", "Ready");    // still counts
  set_phase(f.cluster, "team-a", "t2", "Claimed");  // the business pod's accounting takes over
  wait_for(f.cluster, "kq/team-quota", "{.status.used.reserved\\.cpu}", "500m");
  CHECK(jsonpath(f.cluster, "kq/team-quota", "{.status.used.tickets}") == "1");

  REQUIRE(f.cluster.kubectl({"delete", "tkt", "t1", "-n", "team-a"}).exit_code == 0);
  wait_for(f.cluster, "kq/team-quota", "{.status.used.tickets}", "0");
  CHECK(jsonpath(f.cluster, "kq/team-quota", "{.status.used.reserved\\.cpu}") == "0");
  CHECK(jsonpath(f.cluster, "kq/team-quota", "{.status.observedGeneration}") == "1");
}

TEST_CASE("relabelling a namespace moves its tickets in and out of a NamespaceSelector quota",
          "[integration]") {
  Fixture f;
  apply_yaml(f.cluster, namespace_yaml("team-a", "frontend"));
  apply_yaml(f.cluster, kTeamQuota);
  apply_yaml(f.cluster, ticket_yaml("team-a", "t1", "2"));
  Controller controller(f.cluster, "quota-0");
  wait_for(f.cluster, "kq/team-quota", "{.status.used.tickets}", "0");

  REQUIRE(f.cluster.kubectl({"label", "ns", "team-a", "team=backend", "--overwrite"}).exit_code ==
          0);
  wait_for(f.cluster, "kq/team-quota", "{.status.used.tickets}", "1");
  CHECK(jsonpath(f.cluster, "kq/team-quota", "{.status.used.reserved\\.cpu}") == "2");

  REQUIRE(f.cluster.kubectl({"label", "ns", "team-a", "team=frontend", "--overwrite"}).exit_code ==
          0);
  wait_for(f.cluster, "kq/team-quota", "{.status.used.tickets}", "0");
}

TEST_CASE("a time window opening and closing flips the effective limits, with events",
          "[integration]") {
  Fixture f;
  apply_yaml(f.cluster, namespace_yaml("team-a", "backend"));
  apply_yaml(f.cluster, ticket_yaml("team-a", "t1", "1"));
  apply_yaml(f.cluster, ticket_yaml("team-a", "t2", "1"));
  // `@every 6s` fires at whole multiples of 6 s since the epoch: the window is open for the
  // first 3 s of every 6 s, so both transitions happen within seconds of real time.
  apply_yaml(f.cluster, R"(apiVersion: core.korder.dev/v1alpha1
kind: Quota
metadata:
  name: burst-quota
spec:
  scope:
    type: Cluster
  hard:
    tickets: "5"
  timeWindows:
  - name: squeeze
    schedule: "@every 6s"
    duration: 3s
    hard:
      tickets: "1"
)");
  Controller controller(f.cluster, "quota-0");
  wait_for(f.cluster, "kq/burst-quota", "{.status.activeTimeWindow}", "squeeze", seconds(15));
  CHECK(jsonpath(f.cluster, "kq/burst-quota", "{.status.hard.tickets}") == "1");
  wait_for(f.cluster, "kq/burst-quota", "{.status.activeTimeWindow}", "", seconds(10));
  CHECK(jsonpath(f.cluster, "kq/burst-quota", "{.status.hard.tickets}") == "5");
  wait_for(f.cluster, "kq/burst-quota", "{.status.activeTimeWindow}", "squeeze", seconds(10));

  // While squeezed, two tickets exceed a limit of one: Exceeded, and a warning event.
  std::string events;
  REQUIRE(eventually(
      [&] {
        events = f.cluster
                     .kubectl({"get", "events", "-n", "default", "-o",
                               "jsonpath={range .items[*]}{.reason}{\"\\n\"}{end}"})
                     .out;
        return events.find("TimeWindowOpened") != std::string::npos &&
               events.find("TimeWindowClosed") != std::string::npos &&
               events.find("QuotaExceeded") != std::string::npos;
      },
      seconds(15)));
}

TEST_CASE(
    "on leader failover the other replica serves, only after it synced, with the same "
    "usage",
    "[integration]") {
  Fixture f;
  apply_yaml(f.cluster, namespace_yaml("team-a", "backend"));
  apply_yaml(f.cluster, kTeamQuota);
  apply_yaml(f.cluster, ticket_yaml("team-a", "t1", "3"));
  Controller first(f.cluster, "quota-0");
  REQUIRE(eventually([&] { return first.serving(); }, seconds(20)));
  Controller second(f.cluster, "quota-1");
  // The follower is Ready (synced) but does not serve.
  const int second_health = second.health_port();
  REQUIRE(eventually(
      [&] { return korder::testing::http_request(second_health, "GET", "/readyz").status == 200; },
      seconds(20)));
  CHECK_FALSE(second.serving());

  quota_client::QuotaClientOptions options;
  options.target = "ipv4:" + first.address() + "," + second.address();
  options.insecure = true;
  options.default_timeout = seconds(20);
  auto client = quota_client::QuotaClient::create(options);
  REQUIRE(client.has_value());
  quota::v1::GetUsageRequest request;
  request.set_quota("team-quota");
  auto before = (*client)->get_usage(request);
  INFO((before ? "" : before.error().to_string()));
  REQUIRE(before.has_value());

  // A client of the follower alone gets no answer.
  quota_client::QuotaClientOptions follower_only = options;
  follower_only.target = "ipv4:" + second.address();
  follower_only.default_timeout = std::chrono::milliseconds(500);
  auto follower_client = quota_client::QuotaClient::create(follower_only);
  REQUIRE(follower_client.has_value());
  CHECK_FALSE((*follower_client)->get_usage(request).has_value());

  // The leader goes away (releasing its Lease); the follower takes over and answers with the
  // usage it built from its own caches.
  CHECK(first.process().terminate(seconds(10)) == 0);
  auto after = (*client)->get_usage(request);
  INFO((after ? "" : after.error().to_string()));
  REQUIRE(after.has_value());
  CHECK(second.serving());
  const std::string out = second.process().output();
  CHECK(out.find("objects=1") != std::string::npos);
  REQUIRE(after->quotas_size() == 1);
  bool saw_cpu = false;
  for (const auto& r : after->quotas(0).resources()) {
    if (r.resource() == "reserved.cpu") {
      saw_cpu = true;
      CHECK(r.used() == "3");
    }
  }
  CHECK(saw_cpu);
  // The new leader writes status too.
  apply_yaml(f.cluster, ticket_yaml("team-a", "t2", "1"));
  wait_for(f.cluster, "kq/team-quota", "{.status.used.reserved\\.cpu}", "4");
}

CommandResult korderctl(const std::vector<std::string>& args, const std::string& input = "") {
  std::vector<std::string> argv{KORDERCTL_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return korder::testing::run_command(argv, {}, seconds(20), input);
}

TEST_CASE(
    "korderctl reads usage from the running service and reports denials and errors "
    "with its exit codes",
    "[integration]") {
  Fixture f;
  apply_yaml(f.cluster, namespace_yaml("team-a", "backend"));
  apply_yaml(f.cluster, kTeamQuota);
  apply_yaml(f.cluster, ticket_yaml("team-a", "t1", "19800m"));
  Controller controller(f.cluster, "quota-0");
  REQUIRE(eventually([&] { return controller.serving(); }, seconds(20)));
  wait_for(f.cluster, "kq/team-quota", "{.status.used.tickets}", "1");
  const std::vector<std::string> conn{"--quota-address", "ipv4:" + controller.address(),
                                      "--insecure"};
  const auto with = [&](std::vector<std::string> args) {
    args.insert(args.end(), conn.begin(), conn.end());
    return args;
  };

  CommandResult list = korderctl(with({"quota", "list"}));
  INFO(list.err);
  CHECK(list.exit_code == 0);
  CHECK(list.out.find("team-quota   NamespaceSelector   0/10") != std::string::npos);
  CHECK(list.out.find("19800m/20") != std::string::npos);

  CommandResult get = korderctl(with({"quota", "get", "team-quota", "-o", "json"}));
  CHECK(get.exit_code == 0);
  CHECK(get.out.find("\"name\": \"team-quota\"") != std::string::npos);

  CommandResult usage = korderctl(with({"quota", "usage", "--namespace", "team-a"}));
  CHECK(usage.exit_code == 0);
  CHECK(
      std::regex_search(usage.out, std::regex("team-quota +reserved\\.cpu +20 +19800m +0 +200m")));

  CommandResult watch = korderctl(with({"quota", "watch", "--count", "1"}));
  CHECK(watch.exit_code == 0);
  CHECK(watch.out.find("team-quota orders=0/10") != std::string::npos);

  CommandResult missing = korderctl(with({"quota", "get", "nope"}));
  CHECK(missing.exit_code == 1);
  CHECK(missing.err.find("NOT_FOUND") != std::string::npos);

  CommandResult denied = korderctl(with({"check", "-f", "-"}), ticket_yaml("team-a", "t9", "500m"));
  CHECK(denied.exit_code == 1);
  CHECK(denied.out ==
        "Ticket team-a/t9: denied: korder quota exceeded: quota \"team-quota\": reserved.cpu: "
        "requested 500m, used 19800m, limit 20\n");
  CommandResult allowed =
      korderctl(with({"check", "-f", "-"}), ticket_yaml("team-a", "t9", "100m"));
  CHECK(allowed.exit_code == 0);
  CHECK(allowed.out == "Ticket team-a/t9: allowed\n");

  CommandResult unreachable = korderctl(
      {"quota", "list", "--quota-address", "ipv4:127.0.0.1:1", "--insecure", "--timeout", "500ms"});
  CHECK(unreachable.exit_code == 2);
  CHECK(unreachable.err.find("no serving quota service replica reachable at ipv4:127.0.0.1:1") !=
        std::string::npos);

  CommandResult bad = korderctl({"quota", "frob"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err == "korderctl: unknown quota command \"frob\" (want list, get, usage or watch)\n");
}

}  // namespace
}  // namespace korder::quota
