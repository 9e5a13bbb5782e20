#include "suite_fixture.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <exception>
#include <map>
#include <sstream>
#include <thread>

namespace korder::testing {

using namespace std::chrono_literals;

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
  socklen_t len = sizeof(addr);
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  ::close(fd);
  return ntohs(addr.sin_port);
}

std::string str(const api::JsonValue& object, const char* member) {
  if (!object.IsObject()) {
    return "";
  }
  const auto it = object.FindMember(member);
  return it != object.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
}

const api::JsonValue& member(const api::JsonValue& object, const char* name) {
  static const api::JsonValue null_value;
  if (!object.IsObject()) {
    return null_value;
  }
  const auto it = object.FindMember(name);
  return it != object.MemberEnd() ? it->value : null_value;
}

bool eventually_every(const std::function<bool()>& condition, std::chrono::milliseconds timeout,
                      std::chrono::milliseconds interval) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) {
      return true;
    }
    std::this_thread::sleep_for(interval);
  }
  return condition();
}

namespace {

std::vector<std::string> cluster_argv(int webhook_port, const std::vector<std::string>& extra) {
  std::vector<std::string> argv = {
      "--webhook-service-map",
      "korder-system/korder-webhook=127.0.0.1:" + std::to_string(webhook_port)};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return argv;
}

void append(std::vector<std::string>& argv, const std::vector<std::string>& flags) {
  argv.insert(argv.end(), flags.begin(), flags.end());
}

/// Percent-encodes what a label selector may contain that a query value may not.
std::string query_escape(const std::string& text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '=':
        out += "%3D";
        break;
      case ',':
        out += "%2C";
        break;
      case '!':
        out += "%21";
        break;
      case ' ':
        out += "%20";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace

Suite::Suite(SuiteOptions options)
    : options_(std::move(options)),
      webhook_port_(free_port()),
      quota_port_(free_port()),
      cluster_(TestCluster::Authorization::Rbac,
               cluster_argv(webhook_port_, options_.cluster_args)) {
  cluster_.install_crds();
  const auto rbac = cluster_.kubectl({"apply", "-k", source_dir() + "/deploy/rbac"});
  INFO(rbac.out << rbac.err);
  REQUIRE(rbac.exit_code == 0);
  for (const char* component :
       {"order-controller", "ticket-controller", "quota-controller", "admission-webhook"}) {
    kubeconfigs_[component] =
        cluster_.service_account_kubeconfig("korder-system", std::string("korder-") + component);
  }
  certs_ = cluster_.dir() + "/certs";
  const auto made = run_command({"bash", source_dir() + "/scripts/certs.sh", certs_}, {}, 30s);
  INFO(made.err);
  REQUIRE(made.exit_code == 0);
  start_quota_controller(options_.quota_flags);
  std::vector<std::string> order = {KORDER_ORDER_CONTROLLER_BINARY, "--quota-retry-interval=1s"};
  append(order, options_.order_flags);
  start("order-controller", order);
  std::vector<std::string> ticket = {KORDER_TICKET_CONTROLLER_BINARY,
                                     "--claim-deadline=" + options_.claim_deadline};
  append(ticket, options_.ticket_flags);
  start("ticket-controller", ticket);
  start_webhook();
  const auto applied = cluster_.kubectl({"apply", "-f", certs_ + "/webhook-configurations.yaml"});
  INFO(applied.out << applied.err);
  REQUIRE(applied.exit_code == 0);
}

Suite::~Suite() {
  for (auto it = processes_.rbegin(); it != processes_.rend(); ++it) {
    (*it)->terminate(10s);
  }
  if (std::uncaught_exceptions() > 0) {
    return;  // the test already failed (REQUIRE); do not pile up on it
  }
  // No daemon may ever have been forbidden by RBAC: deploy/rbac grants what they use.
  const std::string audit = read_file(cluster_.audit_log_path());
  int forbidden = 0;
  std::istringstream lines(audit);
  for (std::string line; std::getline(lines, line);) {
    api::JsonDocument entry;
    if (!api::parse_json(line, entry).has_value() ||
        str(entry, "user").rfind("system:serviceaccount:korder-system:korder-", 0) != 0) {
      continue;
    }
    if (str(entry, "decision") == "forbid") {
      ++forbidden;
      UNSCOPED_INFO("refused by the cluster: " << line);
    }
  }
  CHECK(forbidden == 0);
}

std::string Suite::logs() const {
  std::string text;
  for (const auto& process : processes_) {
    text += "==== " + process->argv().front() + "\n" + process->output();
  }
  return text;
}

void Suite::start_webhook() {
  std::vector<std::string> argv = {KORDER_WEBHOOK_BINARY,
                                   "--bind-address=127.0.0.1:" + std::to_string(webhook_port_),
                                   "--tls-cert-file=" + certs_ + "/webhook.crt",
                                   "--tls-key-file=" + certs_ + "/webhook.key",
                                   "--quota-address=127.0.0.1:" + std::to_string(quota_port_),
                                   "--quota-server-name=korder-quota.korder-system.svc",
                                   "--quota-ca-file=" + certs_ + "/ca.crt",
                                   "--quota-client-cert-file=" + certs_ + "/webhook-client.crt",
                                   "--quota-client-key-file=" + certs_ + "/webhook-client.key",
                                   "--claim-deadline=" + options_.claim_deadline};
  append(argv, options_.webhook_flags);
  ++webhook_starts_;
  const std::string name = webhook_starts_ == 1
                               ? "admission-webhook"
                               : "admission-webhook-" + std::to_string(webhook_starts_);
  webhook_ = &start(name, argv);
  if (!webhook_->wait_for_output("webhook serving", 20s)) {
    FAIL("korder-admission-webhook did not start serving:\n" << webhook_->output());
  }
}

api::JsonDocument Suite::list(const std::string& kind, const std::string& namespace_) {
  const auto got = cluster_.kubectl({"get", kind, "-n", namespace_, "-o", "json"});
  INFO(got.err);
  REQUIRE(got.exit_code == 0);
  api::JsonDocument doc;
  REQUIRE(api::parse_json(got.out, doc));
  return doc;
}

int Suite::tickets_in(const std::string& phase, const std::string& namespace_) {
  int n = 0;
  for (const auto& ticket : tickets(namespace_).items) {
    n += ticket.status.phase == phase ? 1 : 0;
  }
  return n;
}

CommandResult Suite::apply(const std::string& manifest) {
  return cluster_.kubectl({"apply", "-f", "-"}, manifest);
}

api::TicketList Suite::tickets(const std::string& namespace_) {
  const auto got =
      cluster_.api("GET", "/apis/core.korder.dev/v1alpha1/namespaces/" + namespace_ + "/tickets");
  INFO(got.body);
  REQUIRE(got.status == 200);
  auto list = api::parse_list<api::Ticket>(got.body);
  REQUIRE(list.has_value());
  return std::move(list).value();
}

api::PodList Suite::pods(const std::string& namespace_, const std::string& label_selector) {
  std::string target = "/api/v1/namespaces/" + namespace_ + "/pods";
  if (!label_selector.empty()) {
    target += "?labelSelector=" + query_escape(label_selector);
  }
  const auto got = cluster_.api("GET", target);
  INFO(got.body.substr(0, 2000));
  REQUIRE(got.status == 200);
  auto list = api::parse_list<api::Pod>(got.body);
  REQUIRE(list.has_value());
  return std::move(list).value();
}

Process& Suite::start(const std::string& name, std::vector<std::string> argv) {
  // The common flags go first, so a test's own flags (appended last) override them.
  // Each component under its own ServiceAccount (the webhook's restarts too).
  const std::string component =
      name.rfind("admission-webhook", 0) == 0 ? std::string("admission-webhook") : name;
  const auto kubeconfig = kubeconfigs_.find(component);
  REQUIRE(kubeconfig != kubeconfigs_.end());
  const std::vector<std::string> common = {
      "--kubeconfig=" + kubeconfig->second, "--leader-elect=true",
      "--leader-election-namespace=korder-system", "--metrics-bind-address=0",
      "--health-probe-bind-address=0"};
  argv.insert(argv.begin() + 1, common.begin(), common.end());
  processes_.push_back(std::make_unique<Process>(argv, std::map<std::string, std::string>{},
                                                 cluster_.dir() + "/" + name + ".log"));
  return *processes_.back();
}

void Suite::start_quota_controller(const std::vector<std::string>& flags) {
  std::vector<std::string> argv = {KORDER_QUOTA_CONTROLLER_BINARY,
                                   "--grpc-bind-address=127.0.0.1:" + std::to_string(quota_port_),
                                   "--tls-cert-file=" + certs_ + "/quota.crt",
                                   "--tls-key-file=" + certs_ + "/quota.key",
                                   "--client-ca-file=" + certs_ + "/ca.crt"};
  append(argv, flags);
  quota_ = &start("quota-controller", argv);
}

}  // namespace korder::testing
