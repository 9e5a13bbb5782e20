#pragma once

// Builders and fakes for the webhook's unit tests.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "candidate_selection.h"
#include "korder/api/json.h"
#include "korder/base/clock.h"
#include "korder/kclient/detail/asio.h"
#include "pod_admission.h"

namespace korder::webhook::testing {

/// A clock that stands still unless moved.
class FixedClock final : public Clock {
 public:
  TimePoint now() const override { return now_; }
  SteadyTimePoint steady_now() const override { return steady_; }
  void advance(std::chrono::nanoseconds d) {
    now_ += std::chrono::duration_cast<TimePoint::duration>(d);
    steady_ += d;
  }

 private:
  TimePoint now_ = TimePoint(std::chrono::seconds(1'800'000'000));
  SteadyTimePoint steady_ = SteadyTimePoint(std::chrono::seconds(1000));
};

/// Tickets and nodes in plain vectors.
class FakeTicketSource final : public TicketSource {
 public:
  TicketSnapshot tickets_in(std::string_view ns) const override;
  TicketSnapshot tickets_of_order(std::string_view ns, std::string_view order) const override;
  NodePtr node(std::string_view name) const override;

  void add(api::Ticket ticket) {
    tickets.push_back(std::make_shared<api::Ticket>(std::move(ticket)));
  }
  void add(api::Node node) { nodes.push_back(std::make_shared<api::Node>(std::move(node))); }

  std::vector<std::shared_ptr<const api::Ticket>> tickets;
  std::vector<std::shared_ptr<const api::Node>> nodes;
};

/// A ClaimWriter whose writes all succeed, recording nothing.
class NoClaims final : public ClaimWriter {
 public:
  boost::asio::awaitable<Expected<void, kclient::ApiError>> write_claim(api::Ticket) override {
    co_return Expected<void, kclient::ApiError>();
  }
};

/// OrderEvents that go nowhere.
class NoEvents final : public OrderEvents {
 public:
  void no_ticket(const std::string&, const std::string&, const std::string&) override {}
};

/// A Ready node `name` with `labels` and plenty of room.
api::Node node(std::string name, std::map<std::string, std::string> labels = {});

/// A Ready, unclaimed ticket in `default` on `node_name` holding `cpu` and `memory`, expiring
/// at `expires` (or never), labelled `korder.dev/order=order-a`.
api::Ticket ticket(std::string name, std::string node_name, std::string cpu,
                   std::string memory = "1Gi", std::optional<TimePoint> expires = std::nullopt);

/// A pod from YAML-like JSON text (test-only; checked).
api::Pod pod_from_json(std::string_view json);

/// An opted-in pod requesting `cpu`/`memory`, named or generated.
std::string pod_json(std::string cpu, std::string memory = "256Mi",
                     std::string extra_annotations = "", std::string name = "",
                     std::string generate_name = "shop-");

/// An AdmissionReview request body for `object_json` (and `old_json` for UPDATE).
std::string review_json(std::string_view operation, std::string_view kind,
                        std::string_view object_json, std::string_view old_json = "",
                        bool dry_run = false, std::string_view ns = "default");

/// Runs `op` to completion on `io`.
template <typename T>
T run(boost::asio::io_context& io, boost::asio::awaitable<T> op) {
  auto future = boost::asio::co_spawn(io, std::move(op), boost::asio::use_future);
  io.restart();
  io.run();
  return future.get();
}

/// The ops of a JSON Patch as (op, path, compact value) triples.
struct PatchOp {
  std::string op;
  std::string path;
  std::string value;
};
std::vector<PatchOp> patch_ops(const std::string& patch);

}  // namespace korder::webhook::testing
