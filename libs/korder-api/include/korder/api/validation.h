#pragma once

// Validation of korder's objects (Order, Ticket, Quota) with field paths, as the validating
// webhook and korderctl report it. Every function returns every problem it finds (an empty
// list means valid), each worded as Kubernetes' field.Error prints it (see field_errors.h):
//   spec.replicas: Invalid value: -1: must be greater than or equal to 0
//   spec.template.spec.duration: Invalid value: "3x": time: unknown unit "x" in duration "3x"
// Rules follow DESIGN.md §2-§4; where the design is silent they follow what Kubernetes does for
// the same field of a Pod (resources, node affinity, tolerations, topology spread) or for
// object metadata, and each other choice is explained in the source next to the rule.
// Pure functions of their arguments; safe to call from any thread.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "korder/api/label_selector.h"
#include "korder/api/order.h"
#include "korder/api/quota.h"
#include "korder/api/ticket.h"
#include "korder/base/error.h"

namespace korder::api {

/// Longest Order name: a ticket is named `<order>-<12 hex digits>` and its name is used as a
/// label value (`korder.dev/ticket`, at most 63 characters), so 47 + 13 = 60 leaves room.
inline constexpr std::size_t kMaxOrderNameLength = 47;
/// The random suffix Kubernetes appends to a `generateName` prefix.
inline constexpr std::size_t kGeneratedNameSuffixLength = 5;
/// Upper bound on `spec.replicas`: one order may not ask for more tickets than this, so a typo
/// (`replicas: 1000000`) cannot flood the cluster with guardian pods.
inline constexpr std::int32_t kMaxOrderReplicas = 10000;

/// Labels korder sets itself on tickets and pods (DESIGN.md §8); an order's template may not
/// set them. `korder.dev/group` is deliberately absent: users set it through the template.
inline constexpr std::array<std::string_view, 6> kKorderManagedLabels = {
    "korder.dev/order", "korder.dev/ticket",      "korder.dev/slot",
    "korder.dev/role",  "korder.dev/incarnation", "korder.dev/template-hash",
};
/// Annotations the order controller sets on tickets; an order's template may not set them.
inline constexpr std::array<std::string_view, 1> kKorderManagedTicketAnnotations = {
    "korder.dev/node",
};

/// Validates an Order for CREATE: metadata (name a DNS-1123 label of at most 47 characters,
/// generateName, namespace, labels, annotations), replicas, strategy, and the template
/// (`spec.template.metadata`, and `spec.template.spec` through validate_ticket_spec).
FieldErrors validate_order(const Order& order);

/// Validates an Order UPDATE: `updated` fully, as validate_order does, and
/// `spec.strategy.type` unchanged from `old` (absent and `OneTime` count as equal).
FieldErrors validate_order_update(const Order& updated, const Order& old);

/// Validates a Ticket for CREATE: metadata (name a DNS-1123 label) and `spec` through
/// validate_ticket_spec.
FieldErrors validate_ticket(const Ticket& ticket);

/// Validates a Ticket UPDATE: the new metadata, `spec` unchanged (a ticket's spec is immutable,
/// DESIGN.md §2) and the labels `korder.dev/order` and `korder.dev/slot` unchanged (added,
/// removed or modified). The spec itself is not validated again: it cannot change, and an
/// object admitted under older rules must stay updatable (finalizers, labels).
FieldErrors validate_ticket_update(const Ticket& updated, const Ticket& old);

/// Validates a Quota for CREATE: metadata (name a DNS-1123 subdomain, no namespace: the kind is
/// cluster-scoped), scope, `hard` (see quota_limits.h), time windows and allocations
/// (including Σ allocations ≤ hard for every key the base `hard` sets).
FieldErrors validate_quota(const Quota& quota);

/// Validates a Quota UPDATE: `updated` fully. No field of a quota is immutable (the quota
/// controller recomputes everything from the current spec).
FieldErrors validate_quota_update(const Quota& updated, const Quota& old);

/// Validates a ticket spec found at `path` (`spec` for a Ticket, `spec.template.spec` for an
/// Order's template): duration, resources, node selector, affinity, tolerations, topology
/// spread constraints, priority class, scheduler and node names, lifecycle.
FieldErrors validate_ticket_spec(const TicketSpec& spec, const std::string& path);

/// metav1 validation's `ValidateLabelSelector` for a selector at `path`: matchLabels keys and
/// values, each matchExpression's operator (In, NotIn, Exists, DoesNotExist), values (required
/// for In/NotIn, forbidden for Exists/DoesNotExist, each a label value) and key. Accepts exactly
/// the selectors from_label_selector() accepts, but reports every problem with its own path.
FieldErrors validate_label_selector(const LabelSelector& selector, const std::string& path);

}  // namespace korder::api
