#pragma once

// The parts of an Order or Ticket that quotas look at, and what each object consumes.

#include <compare>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "korder/api/duration.h"
#include "korder/api/order.h"
#include "korder/api/resources.h"
#include "korder/api/ticket.h"
#include "korder/base/error.h"
#include "korder/base/expected.h"
#include "usage.h"

namespace korder::quota {

using Labels = std::map<std::string, std::string>;

/// The kinds of object a quota counts.
enum class ObjectKind { Order, Ticket };

/// `Order` or `Ticket`.
std::string_view to_string(ObjectKind kind);

/// Identifies an object, and the hold of an admission for it: (kind, namespace, name). Not the
/// uid, because a retried create gets a new uid and must not hold twice.
struct ObjectKey {
  ObjectKind kind = ObjectKind::Ticket;
  std::string namespace_;
  std::string name;

  /// `<Kind>/<namespace>/<name>`, e.g. `Ticket/team-a/t-1` (the wire form of a hold id).
  std::string to_string() const;

  auto operator<=>(const ObjectKey&) const = default;
  bool operator==(const ObjectKey&) const = default;

  template <typename H>
  friend H AbslHashValue(H h, const ObjectKey& key) {
    return H::combine(std::move(h), key.kind, key.namespace_, key.name);
  }
};

/// Parses ObjectKey::to_string()'s form. Errors: `hold id "x": must be <Kind>/<namespace>/<name>
/// with Kind Order or Ticket`.
Expected<ObjectKey, ParseError> parse_object_key(std::string_view text);

/// The parts of an Order or Ticket that quotas look at (see quota.proto's ObjectSummary).
struct ObjectSummary {
  ObjectKind kind = ObjectKind::Ticket;
  std::string namespace_;
  std::string name;
  std::string uid;
  Labels labels;
  /// Requests of one ticket (a Ticket's, or an Order template's).
  api::ResourceList requests;
  /// The ticket duration (a Ticket's, or an Order template's); absent when not given.
  std::optional<api::Duration> duration;
  /// Orders: the tickets the order asks for (0 for a daemonSet order). Tickets: 1.
  std::int64_t count = 1;
  /// Tickets: `status.phase`; empty means Pending.
  std::string phase;
  /// The object has a deletionTimestamp.
  bool deleting = false;

  ObjectKey key() const { return ObjectKey{kind, namespace_, name}; }

  bool operator==(const ObjectSummary&) const = default;
};

/// True when the object consumes quota: not being deleted and, for a ticket, Pending or Ready
/// (an empty or unknown phase counts, to err on the safe side); Claimed and Expired tickets
/// consume nothing (the business pod's own accounting takes over).
bool is_live(const ObjectSummary& object);

/// What `object` consumes of a quota covering it (DESIGN.md §2): a live Order `orders` 1; a
/// live Ticket `tickets` 1 and its requests; anything else nothing.
Usage contribution(const ObjectSummary& object);

/// True when an UPDATE from `before` to `after` changes what quotas look at and an UPDATE can
/// change: labels, requests, duration or count. (Phase lives in the status subresource and
/// deletion is never checked, so neither counts.)
bool spec_or_labels_differ(const ObjectSummary& before, const ObjectSummary& after);

/// The summary of an Order as its informer sees it: template requests and duration,
/// `count` = replicas (0 for a daemonSet order). An unparsable duration is left absent.
ObjectSummary summarize(const api::Order& order);

/// The summary of a Ticket as its informer sees it.
ObjectSummary summarize(const api::Ticket& ticket);

/// A Go duration printed compactly for messages: `24h`, `1h30m`, `90m` as `1h30m`, `1.5s`
/// (Go's form without trailing zero units).
std::string compact_duration(const api::Duration& duration);

}  // namespace korder::quota
