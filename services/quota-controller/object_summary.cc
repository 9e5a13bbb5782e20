#include "object_summary.h"

#include <string>
#include <vector>

namespace korder::quota {

std::string_view to_string(ObjectKind kind) {
  return kind == ObjectKind::Order ? "Order" : "Ticket";
}

std::string ObjectKey::to_string() const {
  std::string out(quota::to_string(kind));
  out += '/';
  out += namespace_;
  out += '/';
  out += name;
  return out;
}

Expected<ObjectKey, ParseError> parse_object_key(std::string_view text) {
  const auto invalid = [text] {
    return Unexpected(ParseError{"hold id \"" + std::string(text) +
                                     "\": must be <Kind>/<namespace>/<name> with Kind Order or "
                                     "Ticket",
                                 ""});
  };
  const std::size_t first = text.find('/');
  if (first == std::string_view::npos) {
    return invalid();
  }
  const std::size_t second = text.find('/', first + 1);
  if (second == std::string_view::npos || text.find('/', second + 1) != std::string_view::npos) {
    return invalid();
  }
  const std::string_view kind = text.substr(0, first);
  ObjectKey key;
  if (kind == "Order") {
    key.kind = ObjectKind::Order;
  } else if (kind == "Ticket") {
    key.kind = ObjectKind::Ticket;
  } else {
    return invalid();
  }
  key.namespace_ = std::string(text.substr(first + 1, second - first - 1));
  key.name = std::string(text.substr(second + 1));
  if (key.namespace_.empty() || key.name.empty()) {
    return invalid();
  }
  return key;
}

bool is_live(const ObjectSummary& object) {
  if (object.deleting) {
    return false;
  }
  if (object.kind == ObjectKind::Order) {
    return true;
  }
  return object.phase != api::TicketPhase::Claimed && object.phase != api::TicketPhase::Expired;
}

Usage contribution(const ObjectSummary& object) {
  Usage usage;
  if (!is_live(object)) {
    return usage;
  }
  if (object.kind == ObjectKind::Order) {
    usage.orders = 1;
    return usage;
  }
  usage.tickets = 1;
  for (const auto& [resource, quantity] : object.requests) {
    // Negative requests are rejected at admission; never let one lower a sum.
    if (quantity.sign() > 0) {
      usage.reserved.emplace(resource, quantity);
    }
  }
  return usage;
}

bool spec_or_labels_differ(const ObjectSummary& before, const ObjectSummary& after) {
  return before.labels != after.labels || before.requests != after.requests ||
         before.duration != after.duration || before.count != after.count;
}

namespace {

std::optional<api::Duration> parse_duration(const std::string& text) {
  if (text.empty()) {
    return std::nullopt;
  }
  auto parsed = api::Duration::parse(text);
  if (!parsed) {
    return std::nullopt;
  }
  return *parsed;
}

}  // namespace

ObjectSummary summarize(const api::Order& order) {
  ObjectSummary out;
  out.kind = ObjectKind::Order;
  out.namespace_ = order.metadata.namespace_;
  out.name = order.metadata.name;
  out.uid = order.metadata.uid;
  out.labels = order.metadata.labels;
  out.requests = order.spec.template_.spec.resources.requests;
  out.duration = parse_duration(order.spec.template_.spec.duration);
  out.count = order.spec.daemon_set.value_or(false) ? 0 : order.spec.effective_replicas();
  out.deleting = order.metadata.deletion_timestamp.has_value();
  return out;
}

ObjectSummary summarize(const api::Ticket& ticket) {
  ObjectSummary out;
  out.kind = ObjectKind::Ticket;
  out.namespace_ = ticket.metadata.namespace_;
  out.name = ticket.metadata.name;
  out.uid = ticket.metadata.uid;
  out.labels = ticket.metadata.labels;
  out.requests = ticket.spec.resources.requests;
  out.duration = parse_duration(ticket.spec.duration);
  out.count = 1;
  out.phase = ticket.status.phase;
  out.deleting = ticket.metadata.deletion_timestamp.has_value();
  return out;
}

std::string compact_duration(const api::Duration& duration) {
  std::string text = duration.to_string();
  // Go prints whole hours and minutes with trailing zero units (`24h0m0s`, `5m0s`).
  if (text.ends_with("m0s")) {
    text.erase(text.size() - 2);
    if (text.ends_with("h0m")) {
      text.erase(text.size() - 2);
    }
  }
  return text;
}

}  // namespace korder::quota
