#include "ticket_e2e_support.h"

#include <catch2/catch.hpp>
#include <thread>

#include "korder/api/list.h"
#include "korder/api/quantity.h"

namespace korder::ticket::e2e {
namespace {

using korder::testing::HttpAnswer;
using korder::testing::Process;

const std::string kTickets = "/apis/core.korder.dev/v1alpha1/namespaces/default/tickets";
const std::string kPods = "/api/v1/namespaces/default/pods";

api::Quantity q(const char* text) {
  auto parsed = api::Quantity::parse(text);
  REQUIRE(parsed.has_value());
  return *parsed;
}

std::string escape_query(const std::string& text) {
  std::string out;
  for (const char c : text) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_') {
      out += c;
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", static_cast<unsigned char>(c));
      out += buf;
    }
  }
  return out;
}

}  // namespace

api::Ticket make_ticket(const std::string& name, const std::string& duration) {
  api::Ticket ticket;
  ticket.api_version = "core.korder.dev/v1alpha1";
  ticket.kind = "Ticket";
  ticket.metadata.name = name;
  ticket.metadata.namespace_ = kNamespace;
  ticket.metadata.labels = {{"korder.dev/order", "e2e"}};
  ticket.spec.duration = duration;
  ticket.spec.resources.requests = {{"cpu", q("500m")}, {"memory", q("256Mi")}};
  return ticket;
}

api::Pod business_pod(const std::string& generate_name, const std::string& ticket,
                      const std::string& token) {
  api::Pod pod;
  pod.api_version = "v1";
  pod.kind = "Pod";
  pod.metadata.generate_name = generate_name;
  pod.metadata.namespace_ = kNamespace;
  pod.metadata.labels = {{"app", "business"}, {"korder.dev/ticket", ticket}};
  pod.metadata.annotations = {{"korder.dev/required", "true"}, {"korder.dev/claim-token", token}};
  api::Container container;
  container.name = "app";
  container.image = "nginx:1.27";
  container.resources.requests = {{"cpu", q("500m")}, {"memory", q("256Mi")}};
  pod.spec.containers.push_back(container);
  pod.spec.scheduling_gates.push_back(api::PodSchedulingGate{"korder.dev/ticket", {}});
  return pod;
}

bool pinned_to(const api::Pod& pod, const std::string& node) {
  if (!pod.spec.affinity || !pod.spec.affinity->node_affinity ||
      !pod.spec.affinity->node_affinity->required_during_scheduling_ignored_during_execution) {
    return false;
  }
  const auto& terms =
      pod.spec.affinity->node_affinity->required_during_scheduling_ignored_during_execution
          ->node_selector_terms;
  if (terms.empty()) {
    return false;
  }
  for (const auto& term : terms) {
    bool pinned = false;
    for (const auto& field : term.match_fields) {
      pinned = pinned || (field.key == "metadata.name" && field.op == "In" &&
                          field.values == std::vector<std::string>{node});
    }
    if (!pinned) {
      return false;
    }
  }
  return true;
}

bool is_running_and_ready(const api::Pod& pod) {
  if (pod.status.phase != "Running" || pod.spec.node_name.empty() ||
      pod.metadata.deletion_timestamp) {
    return false;
  }
  for (const auto& condition : pod.status.conditions) {
    if (condition.type == "Ready") {
      return condition.status == "True";
    }
  }
  return false;
}

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  return korder::testing::eventually(condition, timeout);
}

TicketE2e::TicketE2e() : cluster_({"--kubelet-delay", "50ms"}), replicas_(cluster_.dir()) {
  cluster_.install_crds();
}

TicketE2e::~TicketE2e() = default;

Process& TicketE2e::start_controller(const std::string& pod_name,
                                     std::vector<std::string> extra_flags) {
  std::vector<std::string> argv =
      korder::testing::controller_argv(KORDER_TICKET_CONTROLLER_BINARY, cluster_.kubeconfig());
  argv.push_back("--handoff-timeout=2s");
  argv.push_back("--claim-deadline=2s");
  argv.insert(argv.end(), extra_flags.begin(), extra_flags.end());
  return replicas_.start(pod_name, std::move(argv));
}

api::Ticket TicketE2e::create_ticket(const api::Ticket& ticket) {
  const HttpAnswer answer = cluster_.api("POST", kTickets, api::to_json(ticket));
  INFO(answer.body);
  REQUIRE(answer.status == 201);
  auto created = api::parse_ticket(answer.body);
  REQUIRE(created.has_value());
  return *created;
}

std::optional<api::Ticket> TicketE2e::ticket(const std::string& name) {
  const HttpAnswer answer = cluster_.api("GET", kTickets + "/" + name);
  if (answer.status == 404) {
    return std::nullopt;
  }
  INFO(answer.body);
  REQUIRE(answer.status == 200);
  auto parsed = api::parse_ticket(answer.body);
  REQUIRE(parsed.has_value());
  return *parsed;
}

std::vector<api::Ticket> TicketE2e::tickets() {
  const HttpAnswer answer = cluster_.api("GET", kTickets);
  INFO(answer.body);
  REQUIRE(answer.status == 200);
  auto list = api::parse_list<api::Ticket>(answer.body);
  REQUIRE(list.has_value());
  return list->items;
}

int TicketE2e::put_ticket_status(const api::Ticket& ticket) {
  return cluster_
      .api("PUT", kTickets + "/" + ticket.metadata.name + "/status", api::to_json(ticket))
      .status;
}

api::TicketClaim TicketE2e::claim_ticket(const std::string& name, const std::string& token,
                                         const std::string& generate_name,
                                         std::chrono::seconds deadline) {
  for (int attempt = 0; attempt < 20; ++attempt) {
    auto current = ticket(name);
    REQUIRE(current.has_value());
    REQUIRE(current->status.phase == "Ready");
    REQUIRE_FALSE(current->status.claim.has_value());
    api::TicketClaim claim;
    claim.token = token;
    claim.pod_namespace = kNamespace;
    claim.pod_generate_name = generate_name;
    const TimePoint now =
        std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    claim.claimed_at = now;
    claim.deadline = now + deadline;
    current->status.claim = claim;
    const int code = put_ticket_status(*current);
    if (code == 200) {
      return claim;
    }
    REQUIRE(code == 409);
  }
  FAIL("could not claim ticket " << name);
  return {};
}

std::optional<api::Pod> TicketE2e::pod(const std::string& name) {
  const HttpAnswer answer = cluster_.api("GET", kPods + "/" + name);
  if (answer.status == 404) {
    return std::nullopt;
  }
  INFO(answer.body);
  REQUIRE(answer.status == 200);
  auto parsed = api::parse_pod(answer.body);
  REQUIRE(parsed.has_value());
  return *parsed;
}

std::vector<api::Pod> TicketE2e::pods(const std::string& label_selector) {
  const HttpAnswer answer =
      cluster_.api("GET", kPods + "?labelSelector=" + escape_query(label_selector));
  INFO(answer.body);
  REQUIRE(answer.status == 200);
  auto list = api::parse_list<api::Pod>(answer.body);
  REQUIRE(list.has_value());
  return list->items;
}

api::Pod TicketE2e::create_pod(const api::Pod& pod) {
  const HttpAnswer answer = cluster_.api("POST", kPods, api::to_json(pod));
  INFO(answer.body);
  REQUIRE(answer.status == 201);
  auto created = api::parse_pod(answer.body);
  REQUIRE(created.has_value());
  return *created;
}

void TicketE2e::evict(const std::string& pod_name) {
  const HttpAnswer answer =
      cluster_.admin("/admin/evict", R"({"namespace":"default","name":")" + pod_name + R"("})");
  if (answer.status == 501 || answer.status == 404) {
    const HttpAnswer deleted =
        cluster_.api("DELETE", kPods + "/" + pod_name, R"({"gracePeriodSeconds":0})");
    INFO(deleted.body);
    REQUIRE(deleted.status == 200);
    return;
  }
  INFO(answer.body);
  REQUIRE(answer.status == 200);
}

std::vector<api::Event> TicketE2e::events_of(const std::string& name) {
  const HttpAnswer answer = cluster_.api("GET", "/api/v1/namespaces/default/events");
  INFO(answer.body);
  REQUIRE(answer.status == 200);
  auto list = api::parse_list<api::Event>(answer.body);
  REQUIRE(list.has_value());
  std::vector<api::Event> out;
  for (auto& event : list->items) {
    if (event.involved_object.name == name && event.involved_object.kind == "Ticket") {
      out.push_back(std::move(event));
    }
  }
  return out;
}

std::vector<std::string> TicketE2e::event_reasons(const std::string& name) {
  std::vector<std::string> reasons;
  for (const auto& event : events_of(name)) {
    reasons.push_back(event.reason);
  }
  return reasons;
}

std::string TicketE2e::lease_holder() {
  return korder::testing::lease_holder(cluster_, "korder-system", "korder-ticket-controller");
}

HttpAnswer TicketE2e::probe(Process& replica, const std::string& server, const std::string& path) {
  return korder::testing::probe_daemon(replica, server, path);
}

}  // namespace korder::ticket::e2e
