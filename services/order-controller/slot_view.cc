#include "slot_view.h"

#include <algorithm>
#include <charconv>

#include "ticket_builder.h"
#include "ticket_naming.h"

namespace korder::order {
namespace {

bool is_finished_phase(std::string_view phase) {
  return phase == api::TicketPhase::Claimed || phase == api::TicketPhase::Expired;
}

// Whether `a` is a better candidate than `b` for the slot's current ticket: the higher
// incarnation; among equals (which only a lost status write can produce) one not being deleted,
// then the later window, then the greater name, so the choice never depends on input order.
bool better_current(const api::Ticket& a, const api::Ticket& b) {
  const std::int64_t ia = incarnation_of(a);
  const std::int64_t ib = incarnation_of(b);
  if (ia != ib) {
    return ia > ib;
  }
  if (is_deleting(a) != is_deleting(b)) {
    return !is_deleting(a);
  }
  const auto sa = start_of(a);
  const auto sb = start_of(b);
  if (sa != sb) {
    return sa > sb;
  }
  return a.metadata.name > b.metadata.name;
}

void classify_from_memory(const api::OrderSlotStatus& memory, SlotView& view) {
  view.incarnation = memory.incarnation;
  view.phase = memory.phase;
  if (memory.phase.empty()) {
    view.kind = SlotKind::Planned;
  } else if (is_finished_phase(memory.phase)) {
    view.kind = SlotKind::Finished;
  } else {
    // Pending/Ready (or a phase this version does not know): the ticket was seen holding
    // capacity and is gone.
    view.kind = SlotKind::Lost;
  }
}

void classify_from_ticket(const api::Ticket& ticket, TimePoint now, SlotView& view) {
  view.current = &ticket;
  view.incarnation = std::max<std::int64_t>(incarnation_of(ticket), 0);
  view.phase = std::string(effective_phase(ticket, now));
  const bool live = is_live_phase(view.phase);
  if (is_deleting(ticket)) {
    view.kind = live ? SlotKind::Lost : SlotKind::Finished;
  } else {
    view.kind = live ? SlotKind::Live : SlotKind::Finished;
  }
}

}  // namespace

std::int64_t incarnation_of(const api::Ticket& ticket) {
  const auto it = ticket.metadata.labels.find(std::string(kLabelIncarnation));
  if (it == ticket.metadata.labels.end() || it->second.empty()) {
    return -1;
  }
  std::int64_t value = 0;
  const std::string& text = it->second;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 0) {
    return -1;
  }
  return value;
}

std::optional<TimePoint> start_of(const api::Ticket& ticket) {
  if (!ticket.spec.window.has_value()) {
    return std::nullopt;
  }
  return ticket.spec.window->start_time;
}

bool is_deleting(const api::Ticket& ticket) {
  return ticket.metadata.deletion_timestamp.has_value();
}

ObservedTickets index_tickets(const std::vector<std::shared_ptr<const api::Ticket>>& tickets,
                              const std::string& order_uid) {
  ObservedTickets observed;
  for (const auto& ptr : tickets) {
    if (ptr == nullptr) {
      continue;
    }
    const api::Ticket& ticket = *ptr;
    observed.by_name.emplace(ticket.metadata.name, &ticket);
    if (!owned_by(ticket, order_uid)) {
      continue;
    }
    observed.owned.push_back(&ticket);
    const auto slot = ticket.metadata.labels.find(std::string(kLabelSlot));
    if (slot == ticket.metadata.labels.end() || slot->second.empty()) {
      observed.unslotted.push_back(&ticket);
    } else {
      observed.by_slot[slot->second].push_back(&ticket);
    }
  }
  return observed;
}

SlotView classify_slot(const std::string& slot, const std::string& node_name,
                       const api::OrderSlotStatus* memory,
                       const std::vector<const api::Ticket*>& tickets, TimePoint now) {
  SlotView view;
  view.slot = slot;
  view.node_name = node_name;
  view.remembered = memory != nullptr;

  const api::Ticket* best = nullptr;
  for (const api::Ticket* ticket : tickets) {
    if (best == nullptr || better_current(*ticket, *best)) {
      best = ticket;
    }
  }
  const std::int64_t observed_max = best != nullptr ? incarnation_of(*best) : -1;

  if (memory != nullptr && (best == nullptr || memory->incarnation > observed_max)) {
    classify_from_memory(*memory, view);
  } else if (best != nullptr) {
    classify_from_ticket(*best, now, view);
  }
  if (memory == nullptr && view.kind != SlotKind::Live) {
    // A slot nobody remembers starts over (a new order, a scale-up, a node that joined): its
    // history does not carry over, but a new name does, so it never meets an old ticket.
    view.kind = SlotKind::Fresh;
    view.incarnation = best != nullptr ? std::max<std::int64_t>(observed_max, 0) + 1 : 0;
    view.phase.clear();
    view.current = nullptr;
  }

  for (const api::Ticket* ticket : tickets) {
    if (ticket == view.current) {
      continue;
    }
    if (!is_live_phase(effective_phase(*ticket, now))) {
      continue;
    }
    if (is_deleting(*ticket)) {
      view.other_deleting = true;
    } else {
      view.superseded.push_back(ticket);
    }
  }
  std::sort(view.superseded.begin(), view.superseded.end(),
            [](const api::Ticket* a, const api::Ticket* b) { return better_current(*b, *a); });
  return view;
}

}  // namespace korder::order
