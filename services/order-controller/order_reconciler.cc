#include "order_reconciler.h"

#include <glog/logging.h>

#include <algorithm>
#include <utility>

#include "korder/api/event.h"
#include "slot_decisions.h"
#include "ticket_builder.h"
#include "ticket_naming.h"

namespace korder::order {
namespace {

using kclient::ReconcileError;
using kclient::ReconcileResult;
using Result = Expected<ReconcileResult, ReconcileError>;

std::string key_of(const api::ObjectMeta& meta) { return meta.namespace_ + "/" + meta.name; }

bool has_finalizer(const api::Order& order) {
  const auto& f = order.metadata.finalizers;
  return std::find(f.begin(), f.end(), kOrderFinalizer) != f.end();
}

std::string join(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& line : lines) {
    out += (out.empty() ? "" : "; ") + line;
  }
  return out;
}

}  // namespace

bool is_quota_denial(const kclient::ApiError& error) {
  return error.is_forbidden() && error.message().find(kQuotaDenialMarker) != std::string::npos;
}

/// What carrying out one plan came to.
struct OrderReconciler::Outcome {
  std::vector<std::string> errors;
  /// A precondition failed (the object changed under us): plan again.
  bool conflict = false;
  /// A quota denied a ticket creation in this reconcile.
  bool denied = false;
  /// A create failed: the remaining creates wait for the retry.
  bool stop_creates = false;
  /// The status write failed: the plan's events wait for a plan that is written.
  bool status_failed = false;
};

OrderReconciler::OrderReconciler(OrderCache cache, OrderApi& api, OrderEventFunc events,
                                 Clock& clock, OrderMetrics& metrics,
                                 OrderReconcilerOptions options)
    : cache_(cache),
      api_(api),
      events_(std::move(events)),
      clock_(clock),
      metrics_(metrics),
      options_(options),
      recent_orders_(clock, options.recent_write_ttl),
      recent_tickets_(clock, options.recent_write_ttl) {}

Result OrderReconciler::reconcile(const kclient::Request& request) {
  const std::string key = request.to_string();
  std::shared_ptr<const api::Order> order = read_order(request);
  if (order == nullptr) {
    recent_orders_.forget(key);
    recent_tickets_.forget(key);
    absl::MutexLock lock(&mu_);
    denials_.erase(key);
    return ReconcileResult::done();
  }
  if (order->metadata.deletion_timestamp.has_value()) {
    return finalize(*order);
  }
  auto ensured = ensure_finalizer(std::move(order));
  if (!ensured) {
    return Unexpected(std::move(ensured).error());
  }
  return sync(std::move(ensured).value());
}

std::optional<QuotaDenial> OrderReconciler::quota_denial(const std::string& key,
                                                         const std::string& uid) const {
  absl::MutexLock lock(&mu_);
  const auto it = denials_.find(key);
  if (it == denials_.end() || it->second.first != uid) {
    return std::nullopt;
  }
  return it->second.second;
}

std::shared_ptr<const api::Order> OrderReconciler::read_order(const kclient::Request& request) {
  const std::string key = request.to_string();
  return recent_orders_.resolve(key, key, cache_.orders.get(request.namespace_, request.name));
}

// The finalizer's "run" and "remove" steps: delete the tickets, then let the Order go once a live
// LIST (not the cache, which may not show a ticket created just before the deletion) finds none.
Result OrderReconciler::finalize(const api::Order& order) {
  if (!has_finalizer(order)) {
    return ReconcileResult::done();
  }
  const std::string key = key_of(order.metadata);
  auto live = api_.list_tickets(order.metadata.namespace_, order.metadata.name);
  if (!live) {
    return Unexpected(ReconcileError::from_api_error(live.error(), "listing tickets of " + key));
  }
  int remaining = 0;
  std::vector<std::string> errors;
  for (const api::Ticket& ticket : *live) {
    if (!owned_by(ticket, order.metadata.uid)) {
      continue;
    }
    ++remaining;
    if (ticket.metadata.deletion_timestamp.has_value()) {
      continue;
    }
    auto deleted = api_.delete_ticket(ticket.metadata.namespace_, ticket.metadata.name,
                                      ticket.metadata.uid, "");
    if (!deleted) {
      if (deleted.error().is_not_found()) {
        --remaining;
        metrics_.ticket_write("delete", "not_found");
      } else {
        metrics_.ticket_write("delete", "error");
        errors.push_back(
            deleted.error().with_context("deleting ticket " + key_of(ticket.metadata)).to_string());
      }
      continue;
    }
    metrics_.ticket_write("delete", "deleted");
    if (!deleted->has_value()) {
      --remaining;
    }
    LOG(INFO) << "ticket deleted"
              << " controller=order order=" << key << " ticket=" << ticket.metadata.name
              << " reason=order-deleted";
    record(order,
           PlannedEvent{std::string(api::EventType::Normal), std::string(kReasonTicketDeleted),
                        "deleted ticket " + ticket.metadata.name + ": the order is being deleted"});
  }
  if (!errors.empty()) {
    return Unexpected(ReconcileError::retry(join(errors)));
  }
  if (remaining > 0) {
    VLOG(1) << "waiting for tickets to go"
            << " controller=order order=" << key << " remaining=" << remaining;
    return ReconcileResult::requeue_after(options_.deletion_recheck);
  }
  std::vector<std::string> finalizers;
  for (const std::string& f : order.metadata.finalizers) {
    if (f != kOrderFinalizer) {
      finalizers.push_back(f);
    }
  }
  auto patched = api_.set_order_finalizers(order.metadata.namespace_, order.metadata.name,
                                           order.metadata.resource_version, finalizers);
  if (!patched && !patched.error().is_not_found()) {
    return Unexpected(
        ReconcileError::from_api_error(patched.error(), "removing finalizer of " + key));
  }
  LOG(INFO) << "finalizer removed"
            << " controller=order order=" << key;
  recent_tickets_.forget(key);
  if (patched) {
    // Until the cache shows the order gone, a reconcile sees it without our finalizer.
    recent_orders_.record(key, key, order.metadata.resource_version,
                          std::make_shared<const api::Order>(std::move(patched).value()));
  }
  absl::MutexLock lock(&mu_);
  denials_.erase(key);
  return ReconcileResult::done();
}

Expected<std::shared_ptr<const api::Order>, ReconcileError> OrderReconciler::ensure_finalizer(
    std::shared_ptr<const api::Order> order) {
  if (has_finalizer(*order)) {
    return order;
  }
  const std::string key = key_of(order->metadata);
  std::vector<std::string> finalizers = order->metadata.finalizers;
  finalizers.emplace_back(kOrderFinalizer);
  auto patched = api_.set_order_finalizers(order->metadata.namespace_, order->metadata.name,
                                           order->metadata.resource_version, finalizers);
  if (!patched) {
    return Unexpected(
        ReconcileError::from_api_error(patched.error(), "adding finalizer to " + key));
  }
  auto updated = std::make_shared<const api::Order>(std::move(patched).value());
  recent_orders_.record(key, key, order->metadata.resource_version, updated);
  VLOG(1) << "finalizer added"
          << " controller=order order=" << key;
  return updated;
}

PlanInput OrderReconciler::plan_input(std::shared_ptr<const api::Order> order) {
  const api::ObjectMeta& meta = order->metadata;
  const std::string key = key_of(meta);
  PlanInput input;
  input.now = clock_.now();
  input.tickets = recent_tickets_.merge(key, cache_.tickets_of(meta.namespace_, meta.name),
                                        [](const api::Ticket& t) { return key_of(t.metadata); });
  if (order->spec.daemon_set.value_or(false)) {
    input.nodes = cache_.nodes.list();
  }
  input.quota_denial = quota_denial(key, meta.uid);
  input.quota_retry_interval = options_.quota_retry_interval;
  input.order = std::move(order);
  return input;
}

Result OrderReconciler::sync(std::shared_ptr<const api::Order> order_ptr) {
  const api::Order& order = *order_ptr;
  const Plan p = plan(plan_input(order_ptr));
  Outcome outcome;
  create_tickets(order, p, outcome);
  delete_tickets(order, p, outcome);
  write_status(order, p, outcome);
  if (!outcome.status_failed) {
    for (const PlannedEvent& event : p.events) {
      record(order, event);
    }
  }
  outcome.errors.insert(outcome.errors.end(), p.errors.begin(), p.errors.end());
  if (!outcome.errors.empty()) {
    return Unexpected(ReconcileError::retry(key_of(order.metadata) + ": " + join(outcome.errors)));
  }
  if (outcome.conflict) {
    ReconcileError conflict = ReconcileError::retry(
        key_of(order.metadata) + ": an object changed while it was being written; planning again");
    conflict.conflict = true;
    return Unexpected(std::move(conflict));
  }
  if (outcome.denied) {
    // Plan again at once: the next plan holds creations back and says so in QuotaExceeded.
    return ReconcileResult::requeue_after(std::chrono::nanoseconds::zero());
  }
  if (p.requeue_after.has_value()) {
    return ReconcileResult::requeue_after(*p.requeue_after);
  }
  return ReconcileResult::done();
}

void OrderReconciler::create_tickets(const api::Order& order, const Plan& plan, Outcome& outcome) {
  for (const TicketCreate& create : plan.creates) {
    if (outcome.denied || outcome.stop_creates) {
      break;
    }
    create_one(order, create, outcome);
  }
}

void OrderReconciler::create_one(const api::Order& order, const TicketCreate& create,
                                 Outcome& outcome) {
  const std::string order_key = key_of(order.metadata);
  const api::Ticket& wanted = create.ticket;
  const std::string ticket_key = key_of(wanted.metadata);
  auto created = api_.create_ticket(wanted);
  if (created) {
    LOG(INFO) << "ticket created"
              << " controller=order order=" << order_key << " ticket=" << wanted.metadata.name
              << " reason=" << create.event.reason;
    metrics_.ticket_write("create", "created");
    recent_tickets_.record(order_key, ticket_key, "",
                           std::make_shared<const api::Ticket>(std::move(created).value()));
    remember_denial(order, std::nullopt);
    record(order, create.event);
    return;
  }
  const kclient::ApiError& error = created.error();
  if (error.is_already_exists()) {
    // Created before (a lagging cache, a crash before the status write, another leader): make
    // sure it is this very ticket, never a hash collision that would silently fill the slot.
    auto existing = api_.get_ticket(wanted.metadata.namespace_, wanted.metadata.name);
    if (!existing) {
      metrics_.ticket_write("create", "error");
      outcome.errors.push_back(
          existing.error().with_context("reading existing ticket " + ticket_key).to_string());
      return;
    }
    if (auto same = check_same_ticket(*existing, wanted); !same) {
      metrics_.ticket_write("create", "collision");
      std::string message =
          "ticket " + ticket_key + " exists and is not this order's: " + same.error();
      record(order, PlannedEvent{std::string(api::EventType::Warning),
                                 std::string(OrderReason::TicketNameCollision), message});
      outcome.errors.push_back(std::move(message));
      return;
    }
    metrics_.ticket_write("create", "already_exists");
    VLOG(1) << "ticket already exists"
            << " controller=order order=" << order_key << " ticket=" << wanted.metadata.name;
    recent_tickets_.record(order_key, ticket_key, "",
                           std::make_shared<const api::Ticket>(std::move(existing).value()));
    return;
  }
  if (is_quota_denial(error)) {
    metrics_.ticket_write("create", "quota_denied");
    LOG(INFO) << "ticket creation denied by quota"
              << " controller=order order=" << order_key << " ticket=" << wanted.metadata.name
              << " message=" << error.message();
    remember_denial(order, QuotaDenial{clock_.now(), error.message()});
    outcome.denied = true;
    return;
  }
  metrics_.ticket_write("create", "error");
  outcome.stop_creates = true;
  outcome.errors.push_back(error.with_context("creating ticket " + ticket_key).to_string());
}

void OrderReconciler::delete_tickets(const api::Order& order, const Plan& plan, Outcome& outcome) {
  const std::string order_key = key_of(order.metadata);
  for (const TicketDelete& d : plan.deletes) {
    const std::string ticket_key = d.namespace_ + "/" + d.name;
    auto deleted = api_.delete_ticket(d.namespace_, d.name, d.uid, d.resource_version);
    if (deleted) {
      LOG(INFO) << "ticket deleted"
                << " controller=order order=" << order_key << " ticket=" << d.name;
      metrics_.ticket_write("delete", "deleted");
      std::shared_ptr<const api::Ticket> after;
      if (deleted->has_value()) {
        after = std::make_shared<const api::Ticket>(std::move(**deleted));
      }
      recent_tickets_.record(order_key, ticket_key, d.resource_version, std::move(after));
      record(order, d.event);
      continue;
    }
    const kclient::ApiError& error = deleted.error();
    if (error.is_not_found()) {
      metrics_.ticket_write("delete", "not_found");
    } else if (error.is_conflict()) {
      // Its uid or version changed (claimed, deleted and recreated): the next plan decides.
      metrics_.ticket_write("delete", "conflict");
      VLOG(1) << "ticket changed before its deletion"
              << " controller=order order=" << order_key << " ticket=" << d.name;
      outcome.conflict = true;
    } else {
      metrics_.ticket_write("delete", "error");
      outcome.errors.push_back(error.with_context("deleting ticket " + ticket_key).to_string());
    }
  }
}

void OrderReconciler::write_status(const api::Order& order, const Plan& plan, Outcome& outcome) {
  if (plan.status == order.status) {
    return;
  }
  const std::string key = key_of(order.metadata);
  api::Order updated = order;
  updated.status = plan.status;
  auto written = api_.update_order_status(updated);
  if (!written) {
    outcome.status_failed = true;
    const kclient::ApiError& error = written.error();
    if (error.is_conflict()) {
      metrics_.status_update("conflict");
      outcome.conflict = true;
    } else if (!error.is_not_found()) {
      metrics_.status_update("error");
      outcome.errors.push_back(error.with_context("updating status of order " + key).to_string());
    }
    return;
  }
  metrics_.status_update("success");
  VLOG(1) << "status updated"
          << " controller=order order=" << key;
  recent_orders_.record(key, key, order.metadata.resource_version,
                        std::make_shared<const api::Order>(std::move(written).value()));
}

void OrderReconciler::remember_denial(const api::Order& order, std::optional<QuotaDenial> denial) {
  const std::string key = key_of(order.metadata);
  absl::MutexLock lock(&mu_);
  if (denial.has_value()) {
    denials_[key] = {order.metadata.uid, std::move(*denial)};
  } else {
    denials_.erase(key);
  }
}

void OrderReconciler::record(const api::Order& order, const PlannedEvent& event) const {
  if (events_) {
    events_(order, event);
  }
}

}  // namespace korder::order
