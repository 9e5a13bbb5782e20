#include "bench_world.h"

#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "korder/api/namespace.h"
#include "korder/api/quota.h"

namespace korder::quota::bench {
namespace {

constexpr std::size_t kNamespaces = 500;
constexpr std::size_t kTeams = 450;
constexpr std::size_t kApps = 200;
constexpr std::size_t kObjectSelectorQuotas = 49;

std::string ns_name(std::size_t i) { return "ns-" + std::to_string(i % kNamespaces); }

api::QuotaLimits roomy() {
  return {{"orders", "100000"},
          {"tickets", "1000000"},
          {"reserved.cpu", "1000000"},
          {"reserved.memory", "1000Ti"},
          {"max-duration", "168h"}};
}

api::Quota base_quota(std::string name, std::string_view type) {
  api::Quota quota;
  quota.metadata.name = std::move(name);
  quota.metadata.generation = 1;
  quota.spec.scope.type = std::string(type);
  quota.spec.hard = roomy();
  return quota;
}

void seed_quotas(QuotaEngine& engine) {
  for (std::size_t i = 0; i < kNamespaces; ++i) {
    api::Quota quota = base_quota("list-" + std::to_string(i), api::QuotaScopeType::NamespaceList);
    quota.spec.scope.namespaces = {ns_name(i)};
    if (i % 10 == 0) {
      quota.spec.time_windows.push_back(
          api::QuotaTimeWindow{"night", "0 22 * * *", "8h", "Europe/Berlin", {}, "0.5", {}});
      quota.spec.allocations.push_back(
          api::QuotaAllocation{ns_name(i), {{"tickets", "500000"}}, {}});
    }
    engine.upsert_quota(quota);
  }
  for (std::size_t k = 0; k < kTeams; ++k) {
    api::Quota quota =
        base_quota("team-" + std::to_string(k), api::QuotaScopeType::NamespaceSelector);
    quota.spec.scope.namespace_selector =
        api::LabelSelector{{{"team", "t-" + std::to_string(k)}}, {}};
    engine.upsert_quota(quota);
  }
  for (std::size_t k = 0; k < kObjectSelectorQuotas; ++k) {
    api::Quota quota = base_quota("app-" + std::to_string(k), api::QuotaScopeType::ObjectSelector);
    quota.spec.scope.object_selector = api::LabelSelector{{{"app", "a-" + std::to_string(k)}}, {}};
    engine.upsert_quota(quota);
  }
  engine.upsert_quota(base_quota("cluster", api::QuotaScopeType::Cluster));
}

ObjectSummary ticket(std::size_t n) {
  ObjectSummary t;
  t.kind = ObjectKind::Ticket;
  t.namespace_ = ns_name(n);
  t.name = "seed-" + std::to_string(n);
  t.uid = "uid-" + std::to_string(n);
  t.labels = {{"app", "a-" + std::to_string(n % kApps)},
              {"korder.dev/order", "order-" + std::to_string(n / 10)}};
  t.requests = {{"cpu", api::Quantity::from_milli(100)},
                {"memory", api::Quantity::from_int(128LL << 20, api::Quantity::Format::BinarySI)}};
  t.duration = api::Duration(std::chrono::hours(24));
  t.phase = n % 10 == 0 ? "Claimed" : (n % 2 == 0 ? "Ready" : "Pending");
  return t;
}

std::size_t heap_in_use() { return mallinfo2().uordblks; }

std::size_t resident_bytes() {
  std::size_t pages = 0;
  std::size_t resident = 0;
  if (std::FILE* statm = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(statm, "%zu %zu", &pages, &resident) != 2) {
      resident = 0;
    }
    std::fclose(statm);
  }
  return resident * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

}  // namespace

SeedStats seed(QuotaEngine& engine, std::size_t tickets) {
  const auto start = std::chrono::steady_clock::now();
  SeedStats stats;
  for (std::size_t i = 0; i < kNamespaces; ++i) {
    api::Namespace ns;
    ns.metadata.name = ns_name(i);
    ns.metadata.labels = {{"team", "t-" + std::to_string(i % kTeams)}};
    engine.upsert_namespace(ns);
  }
  seed_quotas(engine);
  const std::size_t before = heap_in_use();
  const std::size_t rss_before = resident_bytes();
  for (std::size_t n = 0; n < tickets; ++n) {
    engine.upsert_object(ticket(n));
  }
  const std::size_t after = heap_in_use();
  const std::size_t rss_after = resident_bytes();
  stats.quotas = engine.usage_all().size();
  stats.namespaces = kNamespaces;
  stats.tickets = engine.object_count();
  stats.heap_bytes_per_ticket =
      tickets == 0 ? 0 : static_cast<double>(after - before) / static_cast<double>(tickets);
  stats.rss_bytes_per_ticket =
      tickets == 0 ? 0
                   : static_cast<double>(rss_after - std::min(rss_before, rss_after)) /
                         static_cast<double>(tickets);
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return stats;
}

v1::ReserveRequest reserve_request(std::size_t n, const std::string& name) {
  v1::ReserveRequest request;
  request.set_operation(v1::OPERATION_CREATE);
  v1::ObjectSummary& object = *request.mutable_object();
  object.set_kind(v1::OBJECT_KIND_TICKET);
  object.set_namespace_(ns_name(n));
  object.set_name(name);
  object.set_uid("uid-" + name);
  (*object.mutable_labels())["app"] = "a-" + std::to_string(n % kApps);
  (*object.mutable_labels())["korder.dev/order"] = "order-" + std::to_string(n / 10);
  (*object.mutable_requests())["cpu"] = "100m";
  (*object.mutable_requests())["memory"] = "128Mi";
  object.set_duration("24h");
  return request;
}

}  // namespace korder::quota::bench
