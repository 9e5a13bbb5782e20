#include "quota_engine.h"

#include <algorithm>
#include <utility>

#include "quota_evaluator.h"

namespace korder::quota {
namespace {

ParseError field_error(std::string where, std::string message) {
  return ParseError{std::move(message), std::move(where)};
}

Expected<void, ParseError> validate_object(const ObjectSummary& object, const std::string& field) {
  if (object.namespace_.empty()) {
    return Unexpected(field_error(field + ".namespace", "required"));
  }
  if (object.name.empty()) {
    return Unexpected(field_error(field + ".name", "required"));
  }
  if (object.count < 0) {
    return Unexpected(field_error(field + ".count", "must be greater than or equal to 0"));
  }
  for (const auto& [resource, quantity] : object.requests) {
    if (quantity.sign() < 0) {
      return Unexpected(
          field_error(field + ".requests[" + resource + "]", "must be greater than or equal to 0"));
    }
  }
  return {};
}

}  // namespace

Expected<void, ParseError> validate_request(const QuotaRequest& request) {
  if (auto valid = validate_object(request.object, "object"); !valid) {
    return valid;
  }
  if (request.operation != Operation::Update) {
    return {};
  }
  if (!request.old_object) {
    return Unexpected(field_error("old_object", "required for UPDATE"));
  }
  if (request.old_object->key() != request.object.key()) {
    return Unexpected(field_error("old_object", "must name the same object as object (" +
                                                    request.object.key().to_string() + "), not " +
                                                    request.old_object->key().to_string()));
  }
  return validate_object(*request.old_object, "old_object");
}

QuotaEngine::QuotaEngine(const Clock& clock, QuotaEngineOptions options)
    : clock_(clock), options_(options) {}

void QuotaEngine::upsert_quota(const api::Quota& quota) {
  std::shared_ptr<const QuotaDefinition> definition = parse_quota_definition(quota);
  {
    absl::MutexLock lock(&mu_);
    QuotaAccount& account = index_.upsert_quota(std::move(definition));
    // The allocation namespaces may have changed: recount what holds add per namespace.
    account.held_by_namespace.clear();
    holds_.for_each([&account](const Hold& hold) {
      for (const QuotaCharge& charge : hold.charges) {
        if (charge.account == &account &&
            account.definition->allocations.count(hold.key.namespace_) > 0) {
          add_usage(account.held_by_namespace, hold.key.namespace_, *charge.usage);
        }
      }
    });
  }
  notify_subscribers();
}

void QuotaEngine::delete_quota(const std::string& name) {
  {
    absl::MutexLock lock(&mu_);
    holds_.forget_quota(index_.find_quota(name));
    index_.remove_quota(name);
  }
  notify_subscribers();
}

void QuotaEngine::upsert_namespace(const api::Namespace& ns) {
  {
    absl::MutexLock lock(&mu_);
    index_.upsert_namespace(ns.metadata.name, ns.metadata.labels);
  }
  notify_subscribers();
}

void QuotaEngine::delete_namespace(const std::string& name) {
  {
    absl::MutexLock lock(&mu_);
    index_.remove_namespace(name);
  }
  notify_subscribers();
}

void QuotaEngine::upsert_object(ObjectSummary object) {
  {
    absl::MutexLock lock(&mu_);
    observe_hold(object);
    index_.upsert_object(std::move(object));
  }
  notify_subscribers();
}

void QuotaEngine::delete_object(const ObjectKey& key, std::string_view uid) {
  {
    absl::MutexLock lock(&mu_);
    const ObjectSummary* existing = index_.find_object(key);
    if (existing != nullptr && (uid.empty() || existing->uid == uid)) {
      index_.remove_object(key);
    }
    const Hold* hold = holds_.find(key);
    if (hold != nullptr && (uid.empty() || hold->uid.empty() || hold->uid == uid)) {
      charge(*holds_.take(key), /*add=*/false);
    }
  }
  notify_subscribers();
}

Expected<Decision, ParseError> QuotaEngine::reserve(QuotaRequest request) {
  return decide(request, /*record=*/true);
}

Expected<Decision, ParseError> QuotaEngine::check(QuotaRequest request) {
  return decide(request, /*record=*/false);
}

Expected<Decision, ParseError> QuotaEngine::decide(QuotaRequest& request, bool record) {
  if (auto valid = validate_request(request); !valid) {
    return Unexpected(valid.error());
  }
  Decision decision;
  ObjectSummary& target = request.object;
  // DESIGN.md §4: deletes and objects being deleted are never checked, so a down or strict
  // quota can never block finalizers; updates that change nothing quotas see pass too.
  if (request.operation == Operation::Delete || target.deleting ||
      (request.operation == Operation::Update &&
       !spec_or_labels_differ(*request.old_object, target))) {
    return decision;
  }
  const ObjectKey key = target.key();
  const TimePoint now = clock_.now();
  const SteadyTimePoint expires = clock_.steady_now() + options_.hold_ttl;
  // What the target contributes does not depend on the books: computed before locking, so the
  // lock is held only for the decision itself.
  const std::shared_ptr<const Usage> after = std::make_shared<const Usage>(contribution(target));
  bool changed = false;
  // Declared outside the lock so that a replaced hold is destroyed after it is released.
  std::optional<Hold> previous;
  {
    absl::MutexLock lock(&mu_);
    changed = expire_locked();
    // The hold of an earlier request for this object is set aside while deciding: a retried
    // create replaces it, and an update of an admitted but unobserved object builds on it.
    previous = holds_.take(key);
    if (previous) {
      charge(*previous, /*add=*/false);
    }
    std::optional<ObjectSummary> base;
    if (request.operation == Operation::Update) {
      const bool builds_on_previous = previous && previous->uid == target.uid &&
                                      !spec_or_labels_differ(previous->target, *request.old_object);
      base = builds_on_previous ? previous->base : std::move(request.old_object);
    }
    Evaluation evaluation = evaluate(base, target, after, now);
    decision.allowed = evaluation.violations.empty();
    decision.violations = std::move(evaluation.violations);
    if (decision.allowed) {
      decision.warnings = order_warnings(request.operation, target, base, now);
    }
    if (decision.allowed && record) {
      changed = changed || previous.has_value();
      if (!evaluation.charges.empty()) {
        std::string uid = target.uid;
        Hold hold{key,
                  std::move(uid),
                  request.operation,
                  std::move(target),
                  std::move(base),
                  std::move(evaluation.charges),
                  expires};
        charge(hold, /*add=*/true);
        holds_.put(std::move(hold));
        decision.hold = key;
        changed = true;
      }
    } else if (previous) {
      charge(*previous, /*add=*/true);
      holds_.put(std::move(*previous));
      previous.reset();
    }
  }
  if (changed) {
    notify_subscribers();
  }
  return decision;
}

std::vector<QuotaEngine::Covered> QuotaEngine::cover(const std::optional<ObjectSummary>& base,
                                                     const ObjectSummary& target,
                                                     const std::shared_ptr<const Usage>& after) {
  std::vector<Covered> out;
  const bool live = is_live(target);
  if (after->empty() && !(live && target.duration)) {
    return out;
  }
  const Usage before = base ? contribution(*base) : Usage();
  std::vector<QuotaAccount*> before_quotas;
  if (base) {
    before_quotas = index_.covering(base->namespace_, base->labels);
  }
  const std::vector<QuotaAccount*> covering = index_.covering(target.namespace_, target.labels);
  out.reserve(covering.size());
  for (QuotaAccount* account : covering) {
    const bool covered_before =
        std::find(before_quotas.begin(), before_quotas.end(), account) != before_quotas.end();
    // A quota the object enters is charged all of it (increase() from nothing is `after`):
    // those charges share one Usage.
    Covered covered{
        account, covered_before ? std::make_shared<const Usage>(increase(before, *after)) : after,
        false};
    // max-duration is checked when the object enters the quota or its duration changes, so an
    // unrelated update of an object admitted under an older limit is not refused.
    covered.check_duration =
        live && target.duration && (!covered_before || base->duration != target.duration);
    out.push_back(std::move(covered));
  }
  return out;
}

QuotaEngine::Evaluation QuotaEngine::evaluate(const std::optional<ObjectSummary>& base,
                                              const ObjectSummary& target,
                                              const std::shared_ptr<const Usage>& after,
                                              TimePoint now) {
  Evaluation out;
  std::vector<Covered> covered_quotas = cover(base, target, after);
  out.charges.reserve(covered_quotas.size());
  for (Covered& covered : covered_quotas) {
    QuotaAccount& account = *covered.account;
    const api::ParsedQuotaLimits& limits = account.limits_at(now).limits;
    if (covered.check_duration) {
      check_duration(account, limits, target.namespace_, *target.duration, out.violations);
    }
    if (!covered.charge->empty()) {
      check_charge(account, limits, target.namespace_, *covered.charge, out.violations);
      out.charges.push_back(QuotaCharge{&account, std::move(covered.charge)});
    }
  }
  return out;
}

std::vector<std::string> QuotaEngine::order_warnings(Operation operation,
                                                     const ObjectSummary& order,
                                                     const std::optional<ObjectSummary>& old,
                                                     TimePoint now) {
  std::vector<std::string> warnings;
  if (order.kind != ObjectKind::Order || order.count <= 0) {
    return warnings;
  }
  std::int64_t tickets = order.count;
  if (operation == Operation::Update && old && old->requests == order.requests &&
      old->duration == order.duration) {
    // Same template: only the added replicas are new tickets.
    tickets = std::max<std::int64_t>(0, order.count - old->count);
  }
  if (tickets == 0) {
    return warnings;
  }
  ObjectSummary ticket = order;
  ticket.kind = ObjectKind::Ticket;
  const Usage need = scaled(contribution(ticket), tickets);
  std::vector<Violation> violations;
  for (QuotaAccount* account : index_.covering(order.namespace_, order.labels)) {
    check_charge(*account, account->limits_at(now).limits, order.namespace_, need, violations);
  }
  for (const Violation& violation : violations) {
    warnings.push_back(std::to_string(tickets) +
                       " tickets of this order would not fit now: " + format_violation(violation));
  }
  return warnings;
}

void QuotaEngine::charge(const Hold& hold, bool add) {
  for (const QuotaCharge& charge : hold.charges) {
    QuotaAccount* account = charge.account;
    // Per namespace only where an allocation needs it (see QuotaAccount).
    const auto& allocations = account->definition->allocations;
    const bool allocated = !allocations.empty() && allocations.count(hold.key.namespace_) > 0;
    if (add) {
      account->held += *charge.usage;
      if (allocated) {
        add_usage(account->held_by_namespace, hold.key.namespace_, *charge.usage);
      }
    } else {
      account->held -= *charge.usage;
      if (allocated) {
        subtract_usage(account->held_by_namespace, hold.key.namespace_, *charge.usage);
      }
    }
  }
}

void QuotaEngine::observe_hold(const ObjectSummary& observed) {
  const ObjectKey key = observed.key();
  const Hold* hold = holds_.find(key);
  if (hold == nullptr || (!hold->uid.empty() && hold->uid != observed.uid)) {
    // No hold, or the observed object is an older incarnation than the one admitted.
    return;
  }
  Hold taken = *holds_.take(key);
  charge(taken, /*add=*/false);
  if (observed.deleting || taken.operation == Operation::Create ||
      !spec_or_labels_differ(observed, taken.target)) {
    return;  // The admitted state is observed: the usage now counts it.
  }
  // An update not observed yet: hold only what the observed state still lacks.
  taken.base = observed;
  taken.charges.clear();
  const auto after = std::make_shared<const Usage>(contribution(taken.target));
  for (Covered& covered : cover(taken.base, taken.target, after)) {
    if (!covered.charge->empty()) {
      taken.charges.push_back(QuotaCharge{covered.account, std::move(covered.charge)});
    }
  }
  if (!taken.charges.empty()) {
    charge(taken, /*add=*/true);
    holds_.put(std::move(taken));
  }
}

bool QuotaEngine::expire_locked() {
  std::vector<Hold> expired = holds_.take_expired(clock_.steady_now());
  for (const Hold& hold : expired) {
    charge(hold, /*add=*/false);
  }
  return !expired.empty();
}

bool QuotaEngine::release(const ObjectKey& key, std::string_view uid) {
  {
    absl::MutexLock lock(&mu_);
    const Hold* hold = holds_.find(key);
    if (hold == nullptr || (!uid.empty() && hold->uid != uid)) {
      return false;
    }
    charge(*holds_.take(key), /*add=*/false);
  }
  notify_subscribers();
  return true;
}

std::size_t QuotaEngine::expire_holds() {
  std::size_t before = 0;
  std::size_t after = 0;
  {
    absl::MutexLock lock(&mu_);
    before = holds_.size();
    expire_locked();
    after = holds_.size();
  }
  if (before != after) {
    notify_subscribers();
  }
  return before - after;
}

QuotaSnapshot QuotaEngine::snapshot(QuotaAccount& account, TimePoint now) {
  const QuotaDefinition& definition = *account.definition;
  QuotaSnapshot out;
  out.name = definition.name;
  out.generation = definition.generation;
  out.scope_type = definition.scope_type;
  out.errors = definition.errors;
  if (definition.valid()) {
    const EffectiveLimits& limits = account.limits_at(now);
    out.hard = limits.limits;
    out.active_windows = limits.active_windows;
    out.next_transition = account.next_transition();
    out.over_limit = over_limit(account, limits.limits);
  } else {
    out.hard = definition.hard;
  }
  out.used = account.used;
  out.held = account.held;
  for (const std::string& ns : definition.allocation_order) {
    out.allocations.push_back(AllocationSnapshot{ns, definition.allocations.at(ns),
                                                 usage_in(account.allocation_used, ns),
                                                 usage_in(account.held_by_namespace, ns)});
  }
  return out;
}

std::optional<QuotaSnapshot> QuotaEngine::usage(const std::string& quota) {
  absl::MutexLock lock(&mu_);
  QuotaAccount* account = index_.find_quota(quota);
  if (account == nullptr) {
    return std::nullopt;
  }
  return snapshot(*account, clock_.now());
}

std::vector<QuotaSnapshot> QuotaEngine::usage_for_namespace(const std::string& ns) {
  absl::MutexLock lock(&mu_);
  const TimePoint now = clock_.now();
  std::vector<QuotaSnapshot> out;
  for (QuotaAccount* account : index_.covering_namespace(ns)) {
    out.push_back(snapshot(*account, now));
  }
  return out;
}

std::vector<QuotaSnapshot> QuotaEngine::usage_all() {
  absl::MutexLock lock(&mu_);
  const TimePoint now = clock_.now();
  std::vector<QuotaSnapshot> out;
  out.reserve(index_.quotas().size());
  for (const auto& [name, account] : index_.quotas()) {
    out.push_back(snapshot(*account, now));
  }
  return out;
}

std::optional<TimePoint> QuotaEngine::next_transition() {
  absl::MutexLock lock(&mu_);
  const TimePoint now = clock_.now();
  std::optional<TimePoint> earliest;
  for (const auto& [name, account] : index_.quotas()) {
    if (!account->definition->valid()) {
      continue;
    }
    account->limits_at(now);
    const std::optional<TimePoint> next = account->next_transition();
    if (next && (!earliest || *next < *earliest)) {
      earliest = next;
    }
  }
  return earliest;
}

void QuotaEngine::subscribe(UsageSubscriber& subscriber) {
  absl::MutexLock lock(&subscribers_mu_);
  subscribers_.push_back(&subscriber);
  subscriber_count_.store(subscribers_.size(), std::memory_order_release);
}

void QuotaEngine::unsubscribe(UsageSubscriber& subscriber) {
  absl::MutexLock lock(&subscribers_mu_);
  std::erase(subscribers_, &subscriber);
  subscriber_count_.store(subscribers_.size(), std::memory_order_release);
}

void QuotaEngine::notify_subscribers() {
  if (subscriber_count_.load(std::memory_order_acquire) == 0) {
    return;
  }
  absl::MutexLock lock(&subscribers_mu_);
  for (UsageSubscriber* subscriber : subscribers_) {
    subscriber->on_usage_changed();
  }
}

std::vector<std::string> QuotaEngine::quotas_covering(const ObjectSummary& object) {
  absl::MutexLock lock(&mu_);
  std::vector<std::string> out;
  for (QuotaAccount* account : index_.covering(object.namespace_, object.labels)) {
    out.push_back(account->definition->name);
  }
  return out;
}

std::vector<std::string> QuotaEngine::quota_names() const {
  absl::MutexLock lock(&mu_);
  std::vector<std::string> out;
  out.reserve(index_.quotas().size());
  for (const auto& [name, account] : index_.quotas()) {
    out.push_back(name);
  }
  return out;
}

std::size_t QuotaEngine::object_count() const {
  absl::MutexLock lock(&mu_);
  return index_.object_count();
}

std::size_t QuotaEngine::hold_count() const {
  absl::MutexLock lock(&mu_);
  return holds_.size();
}

std::optional<Hold> QuotaEngine::find_hold(const ObjectKey& key) const {
  absl::MutexLock lock(&mu_);
  const Hold* hold = holds_.find(key);
  return hold == nullptr ? std::nullopt : std::optional<Hold>(*hold);
}

}  // namespace korder::quota
