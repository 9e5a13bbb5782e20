// Orders: metadata, replicas, strategy and template (DESIGN.md §2).

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "korder/api/field_errors.h"
#include "korder/api/names.h"
#include "korder/api/validation.h"
#include "validation_internal.h"

namespace korder::api {
namespace {

constexpr std::string_view kTicketNameReason =
    "order names are limited so that ticket names, <order>-<12 hex digits>, stay valid label "
    "values";

// An order name is a DNS-1123 label of at most 47 characters; a generateName prefix leaves room
// for the 5 random characters Kubernetes appends. The length message says why, and replaces
// the generic 63-character one.
std::vector<std::string> order_name_errors(std::string_view name, bool prefix) {
  std::vector<std::string> msgs = internal::name_is_dns1123_label(name, prefix);
  const std::size_t limit =
      prefix ? kMaxOrderNameLength - kGeneratedNameSuffixLength : kMaxOrderNameLength;
  if (name.size() <= limit) {
    return msgs;
  }
  msgs.erase(std::remove(msgs.begin(), msgs.end(), max_len_error(kDns1123LabelMaxLength)),
             msgs.end());
  std::string msg = max_len_error(limit) + " (";
  if (prefix) {
    msg += "the generated name adds " + std::to_string(kGeneratedNameSuffixLength) +
           " characters, and ";
  }
  msg += std::string(kTicketNameReason) + ")";
  msgs.insert(msgs.begin(), std::move(msg));
  return msgs;
}

// An absent type is OneTime: the CRD defaults it, and korderctl may validate before defaulting.
std::string_view effective_strategy_type(const OrderStrategy& strategy) {
  return strategy.type.empty() ? StrategyType::OneTime : std::string_view(strategy.type);
}

void validate_replicas(const OrderSpec& spec, FieldErrors& errors) {
  // Checked even for daemonSet orders, which ignore replicas (the CRD defaults it to 1 on every
  // order, so its presence is never an error), because a value out of range is always a
  // mistake.
  if (!spec.replicas) {
    return;
  }
  if (*spec.replicas < 0) {
    errors.push_back(field_invalid_int("spec.replicas", *spec.replicas, kIsNegativeErrorMsg));
  } else if (*spec.replicas > kMaxOrderReplicas) {
    errors.push_back(
        field_invalid_int("spec.replicas", *spec.replicas,
                          "must be less than or equal to " + std::to_string(kMaxOrderReplicas)));
  }
}

void validate_strategy(const OrderStrategy& strategy, FieldErrors& errors) {
  const std::string_view type = effective_strategy_type(strategy);
  const bool one_time = type == StrategyType::OneTime;
  const bool scheduled = type == StrategyType::Scheduled || type == StrategyType::Recurring;
  if (!one_time && !scheduled) {
    errors.push_back(field_not_supported(
        "spec.strategy.type", strategy.type,
        {StrategyType::OneTime, StrategyType::Recurring, StrategyType::Scheduled}));
  }
  std::string_view schedule = strategy.schedule;
  if (scheduled && schedule.empty()) {
    errors.push_back(field_required("spec.strategy.schedule",
                                    "required when strategy.type is " + std::string(type)));
  }
  if (one_time && !schedule.empty()) {
    // A schedule that would be silently ignored is most likely a forgotten `type`: an order
    // without one is OneTime.
    errors.push_back(field_forbidden(
        "spec.strategy.schedule",
        "may not be set when strategy.type is OneTime (the default); set strategy.type to "
        "Scheduled or Recurring to use a schedule"));
    schedule = {};
  }
  // A time zone without a schedule is harmless (a shared base may set it everywhere), but it
  // must still name a real zone.
  internal::validate_schedule_and_zone(schedule, strategy.time_zone, "spec.strategy.schedule",
                                       "spec.strategy.timeZone", errors);
  const std::string& policy = strategy.refresh_policy;
  if (!policy.empty() && policy != RefreshPolicy::Always && policy != RefreshPolicy::OnClaim &&
      policy != RefreshPolicy::Never) {
    errors.push_back(
        field_not_supported("spec.strategy.refreshPolicy", policy,
                            {RefreshPolicy::Always, RefreshPolicy::Never, RefreshPolicy::OnClaim}));
  }
}

void validate_template_metadata(const TicketTemplateMetadata& metadata, FieldErrors& errors) {
  const std::string path = "spec.template.metadata";
  append_errors(errors, validate_object_meta_labels_and_annotations(metadata.labels,
                                                                    metadata.annotations, path));
  for (std::string_view key : kKorderManagedLabels) {
    if (metadata.labels.count(std::string(key)) > 0) {
      errors.push_back(field_forbidden(key_path(path + ".labels", key),
                                       "korder sets this label itself; it may not be set in the "
                                       "template"));
    }
  }
  for (std::string_view key : kKorderManagedTicketAnnotations) {
    if (metadata.annotations.count(std::string(key)) > 0) {
      errors.push_back(field_forbidden(key_path(path + ".annotations", key),
                                       "korder sets this annotation itself; it may not be set in "
                                       "the template"));
    }
  }
}

void validate_order_spec(const OrderSpec& spec, FieldErrors& errors) {
  validate_replicas(spec, errors);
  validate_strategy(spec.strategy, errors);
  validate_template_metadata(spec.template_.metadata, errors);
  append_errors(errors, validate_ticket_spec(spec.template_.spec, "spec.template.spec"));
  const std::string_view type = effective_strategy_type(spec.strategy);
  const auto& window = spec.template_.spec.window;
  if ((type == StrategyType::Scheduled || type == StrategyType::Recurring) && window &&
      window->start_time) {
    // The controller starts each ticket's window at its cron fire; a fixed start in the
    // template would contradict every fire but one.
    errors.push_back(field_forbidden("spec.template.spec.window.startTime",
                                     "may not be set when strategy.type is " + std::string(type) +
                                         ": each ticket's window starts at its cron fire"));
  }
}

}  // namespace

FieldErrors validate_order(const Order& order) {
  FieldErrors errors =
      internal::validate_object_meta(order.metadata, /*namespaced=*/true, order_name_errors);
  validate_order_spec(order.spec, errors);
  return errors;
}

FieldErrors validate_order_update(const Order& updated, const Order& old) {
  FieldErrors errors = validate_order(updated);
  // strategy.type is immutable: switching an order between OneTime, Scheduled and Recurring
  // would change what its existing tickets mean (their expiry was fixed at creation from the
  // old strategy's window) and what its per-slot memory (status.slots) counts. Delete and
  // recreate the order instead. Schedule, time zone, refresh policy and the template may change.
  internal::check_immutable(effective_strategy_type(updated.spec.strategy),
                            effective_strategy_type(old.spec.strategy), "spec.strategy.type",
                            errors);
  return errors;
}

}  // namespace korder::api
