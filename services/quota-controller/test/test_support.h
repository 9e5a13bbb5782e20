#pragma once

// Test helpers for the quota controller: a hand-driven clock, quotas written as YAML, and
// object summaries.

#include <catch2/catch.hpp>
#include <chrono>
#include <map>
#include <string>
#include <string_view>

#include "korder/api/namespace.h"
#include "korder/api/quantity.h"
#include "korder/api/quota.h"
#include "korder/api/time.h"
#include "korder/api/yaml.h"
#include "korder/base/clock.h"
#include "object_summary.h"
#include "quota_engine.h"

namespace korder::quota::testing {

/// A clock that moves only when told. Single-threaded tests only (no listeners).
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimePoint start = TimePoint(std::chrono::seconds(1704067200)))
      : now_(start) {}
  TimePoint now() const override { return now_; }
  SteadyTimePoint steady_now() const override { return steady_; }
  void advance(std::chrono::nanoseconds d) {
    now_ += std::chrono::duration_cast<TimePoint::duration>(d);
    steady_ += d;
  }
  void set(TimePoint t) { now_ = t; }

 private:
  TimePoint now_;
  SteadyTimePoint steady_{};
};

/// An instant from RFC 3339 text; fails the test when malformed.
inline TimePoint at(std::string_view rfc3339) {
  auto t = api::parse_rfc3339(rfc3339);
  REQUIRE(t.has_value());
  return *t;
}

/// A Quota from YAML; fails the test when malformed.
inline api::Quota quota_from_yaml(std::string_view yaml) {
  auto json = api::yaml_to_json(yaml);
  INFO((json ? "" : json.error().to_string()));
  REQUIRE(json.has_value());
  auto quota = api::parse_quota(*json);
  INFO((quota ? "" : quota.error().to_string()));
  REQUIRE(quota.has_value());
  return *quota;
}

inline api::Quantity qty(std::string_view text) {
  auto q = api::Quantity::parse(text);
  REQUIRE(q.has_value());
  return *q;
}

/// A Pending ticket in `ns` requesting `requests` (`{"cpu", "500m"}`), uid `<name>-uid`.
inline ObjectSummary ticket(std::string ns, std::string name,
                            const std::map<std::string, std::string>& requests = {},
                            Labels labels = {}) {
  ObjectSummary out;
  out.kind = ObjectKind::Ticket;
  out.namespace_ = std::move(ns);
  out.name = std::move(name);
  out.uid = out.name + "-uid";
  out.labels = std::move(labels);
  for (const auto& [resource, text] : requests) {
    out.requests.emplace(resource, qty(text));
  }
  out.duration = api::Duration(std::chrono::hours(1));
  out.phase = "Pending";
  return out;
}

/// An order in `ns` whose tickets last `duration` (`24h`), uid `<name>-uid`.
inline ObjectSummary order(std::string ns, std::string name, std::string_view duration = "1h",
                           Labels labels = {}) {
  ObjectSummary out;
  out.kind = ObjectKind::Order;
  out.namespace_ = std::move(ns);
  out.name = std::move(name);
  out.uid = out.name + "-uid";
  out.labels = std::move(labels);
  auto parsed = api::Duration::parse(duration);
  REQUIRE(parsed.has_value());
  out.duration = *parsed;
  out.count = 1;
  return out;
}

inline api::Namespace namespace_with(std::string name, Labels labels) {
  api::Namespace out;
  out.metadata.name = std::move(name);
  out.metadata.labels = std::move(labels);
  return out;
}

inline QuotaRequest create(ObjectSummary object) {
  return QuotaRequest{Operation::Create, std::move(object), std::nullopt};
}

inline QuotaRequest update(ObjectSummary old_object, ObjectSummary object) {
  return QuotaRequest{Operation::Update, std::move(object), std::move(old_object)};
}

/// The decision, failing the test when the request is malformed.
inline Decision reserve_ok(QuotaEngine& engine, const QuotaRequest& request) {
  auto decision = engine.reserve(request);
  INFO((decision ? "" : decision.error().to_string()));
  REQUIRE(decision.has_value());
  return *decision;
}

/// `usage` as `orders=1 tickets=2 cpu=1500m memory=1Gi` (zero counts left out; `-` when empty),
/// for compact assertions.
inline std::string describe(const Usage& usage) {
  std::string out;
  const auto add = [&out](const std::string& part) { out += (out.empty() ? "" : " ") + part; };
  if (usage.orders != 0) {
    add("orders=" + std::to_string(usage.orders));
  }
  if (usage.tickets != 0) {
    add("tickets=" + std::to_string(usage.tickets));
  }
  for (const auto& [resource, quantity] : usage.reserved) {
    add(resource + "=" + quantity.to_string());
  }
  return out.empty() ? "-" : out;
}

/// describe() of a quota's observed use.
inline std::string used(QuotaEngine& engine, const std::string& quota) {
  auto snapshot = engine.usage(quota);
  REQUIRE(snapshot.has_value());
  return describe(snapshot->used);
}

/// describe() of what a quota's pending holds add.
inline std::string held(QuotaEngine& engine, const std::string& quota) {
  auto snapshot = engine.usage(quota);
  REQUIRE(snapshot.has_value());
  return describe(snapshot->held);
}

}  // namespace korder::quota::testing
