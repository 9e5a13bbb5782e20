#include "order_e2e_support.h"

#include <catch2/catch.hpp>

#include "korder/api/json.h"
#include "korder/api/list.h"

namespace korder::order::e2e {
namespace {

using korder::testing::HttpAnswer;
using korder::testing::Process;

const std::string kGroupPath = "/apis/core.korder.dev/v1alpha1/namespaces/default";

}  // namespace

std::string order_yaml(const std::string& name, int replicas, const std::string& refresh,
                       const std::string& extra_spec) {
  return "apiVersion: core.korder.dev/v1alpha1\nkind: Order\nmetadata:\n  name: " + name +
         "\n  namespace: default\nspec:\n  replicas: " + std::to_string(replicas) +
         "\n  strategy:\n    type: OneTime\n    refreshPolicy: " + refresh +
         "\n  template:\n    metadata:\n      labels:\n        app: " + name +
         "\n    spec:\n      duration: 1h\n      resources:\n        requests:\n"
         "          cpu: 100m\n" +
         extra_spec;
}

OrderE2e::OrderE2e() : replicas_(cluster_.dir()) { cluster_.install_crds(); }

OrderE2e::~OrderE2e() = default;

Process& OrderE2e::start_controller(const std::string& pod_name,
                                    std::vector<std::string> extra_flags) {
  std::vector<std::string> argv =
      korder::testing::controller_argv(KORDER_ORDER_CONTROLLER_BINARY, cluster_.kubeconfig());
  argv.push_back("--quota-retry-interval=1s");
  argv.insert(argv.end(), extra_flags.begin(), extra_flags.end());
  return replicas_.start(pod_name, std::move(argv));
}

void OrderE2e::apply(const std::string& yaml) {
  const auto result = cluster_.kubectl({"apply", "-f", "-"}, yaml);
  INFO(result.out << result.err);
  REQUIRE(result.exit_code == 0);
}

void OrderE2e::patch_order_spec(const std::string& name, const std::string& spec_json) {
  const HttpAnswer answer =
      cluster_.api("PATCH", kGroupPath + "/orders/" + name, "{\"spec\":" + spec_json + "}",
                   "application/merge-patch+json");
  INFO(answer.body);
  REQUIRE(answer.status == 200);
}

std::optional<api::Order> OrderE2e::order(const std::string& name) {
  const HttpAnswer answer = cluster_.api("GET", kGroupPath + "/orders/" + name);
  if (answer.status == 404) {
    return std::nullopt;
  }
  INFO(answer.body);
  REQUIRE(answer.status == 200);
  auto order = api::parse_order(answer.body);
  REQUIRE(order.has_value());
  return *order;
}

std::vector<api::Ticket> OrderE2e::all_tickets() {
  const HttpAnswer answer = cluster_.api("GET", kGroupPath + "/tickets");
  INFO(answer.body);
  REQUIRE(answer.status == 200);
  auto list = api::parse_list<api::Ticket>(answer.body);
  REQUIRE(list.has_value());
  return list->items;
}

std::vector<api::Ticket> OrderE2e::tickets(const std::string& order_name) {
  const HttpAnswer answer =
      cluster_.api("GET", kGroupPath + "/tickets?labelSelector=korder.dev%2Forder%3D" + order_name);
  INFO(answer.body);
  REQUIRE(answer.status == 200);
  auto list = api::parse_list<api::Ticket>(answer.body);
  REQUIRE(list.has_value());
  return list->items;
}

std::vector<api::Ticket> OrderE2e::live_tickets(const std::string& order_name) {
  std::vector<api::Ticket> out;
  for (api::Ticket& t : tickets(order_name)) {
    if (!t.metadata.deletion_timestamp) {
      out.push_back(std::move(t));
    }
  }
  return out;
}

void OrderE2e::set_ticket_phase(const std::string& ticket, const std::string& phase) {
  for (int attempt = 0; attempt < 20; ++attempt) {
    const HttpAnswer got = cluster_.api("GET", kGroupPath + "/tickets/" + ticket);
    REQUIRE(got.status == 200);
    auto t = api::parse_ticket(got.body);
    REQUIRE(t.has_value());
    t->status.phase = phase;
    if (phase != "Pending") {
      t->status.node_name = "dev-node-1";
      t->status.guardian_pod = ticket + "-guardian";
    }
    if (phase == "Claimed") {
      t->status.claimed_pod = "default/business-" + ticket;
    }
    const HttpAnswer put =
        cluster_.api("PUT", kGroupPath + "/tickets/" + ticket + "/status", api::to_json(*t));
    if (put.status == 200) {
      return;
    }
    INFO(put.body);
    REQUIRE(put.status == 409);
  }
  FAIL("could not write the status of ticket " << ticket);
}

void OrderE2e::finish_ticket_deletions(const std::string& order_name) {
  for (const api::Ticket& t : tickets(order_name)) {
    if (t.metadata.deletion_timestamp) {
      const HttpAnswer answer =
          cluster_.api("PATCH", kGroupPath + "/tickets/" + t.metadata.name,
                       "{\"metadata\":{\"finalizers\":null}}", "application/merge-patch+json");
      INFO(answer.body);
      REQUIRE((answer.status == 200 || answer.status == 404));
    }
  }
}

std::string OrderE2e::lease_holder() {
  return korder::testing::lease_holder(cluster_, "korder-system", "korder-order-controller");
}

HttpAnswer OrderE2e::probe(Process& replica, const std::string& server, const std::string& path) {
  return korder::testing::probe_daemon(replica, server, path);
}

std::string slot_of(const api::Ticket& ticket) {
  const auto it = ticket.metadata.labels.find("korder.dev/slot");
  return it == ticket.metadata.labels.end() ? "" : it->second;
}

std::map<std::string, std::string> by_slot(const std::vector<api::Ticket>& tickets) {
  std::map<std::string, std::string> out;
  for (const api::Ticket& t : tickets) {
    INFO("slot " << slot_of(t) << " has " << t.metadata.name);
    CHECK(out.emplace(slot_of(t), t.metadata.name).second);
  }
  return out;
}

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  return korder::testing::eventually(condition, timeout);
}

}  // namespace korder::order::e2e
