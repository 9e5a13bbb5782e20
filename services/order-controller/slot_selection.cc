#include "slot_selection.h"

#include <algorithm>
#include <map>
#include <set>

#include "korder/api/scheduling_predicates.h"
#include "ticket_builder.h"
#include "ticket_naming.h"

namespace korder::order {
namespace {

const std::vector<const api::Ticket*>& tickets_of(const ObservedTickets& observed,
                                                  const std::string& slot) {
  static const std::vector<const api::Ticket*> kNone;
  const auto it = observed.by_slot.find(slot);
  return it == observed.by_slot.end() ? kNone : it->second;
}

using Memory = std::map<std::string, const api::OrderSlotStatus*>;

Memory index_memory(const api::Order& order) {
  Memory memory;
  for (const api::OrderSlotStatus& entry : order.status.slots) {
    memory.emplace(entry.slot, &entry);  // the first entry of a (never written) duplicate wins
  }
  return memory;
}

const api::OrderSlotStatus* memory_of(const Memory& memory, const std::string& slot) {
  const auto it = memory.find(slot);
  return it == memory.end() ? nullptr : it->second;
}

bool has_live_ticket(const std::vector<const api::Ticket*>& tickets, TimePoint now) {
  return std::any_of(tickets.begin(), tickets.end(), [&](const api::Ticket* t) {
    return !is_deleting(*t) && is_live_phase(effective_phase(*t, now));
  });
}

// Scale-down rank: lower is removed first.
int keep_rank(const SlotView& view) {
  if (view.kind != SlotKind::Live) {
    return 0;
  }
  return view.phase == api::TicketPhase::Ready ? 2 : 1;
}

std::vector<SlotView> select_replica_slots(const api::Order& order, const ObservedTickets& observed,
                                           TimePoint now) {
  const std::int64_t want = std::max<std::int32_t>(order.spec.effective_replicas(), 0);
  const Memory memory = index_memory(order);
  std::map<std::int64_t, SlotView> in_use;
  const auto add = [&](const std::string& slot) {
    const auto index = replica_index(slot);
    if (index.has_value() && in_use.find(*index) == in_use.end()) {
      in_use.emplace(*index, classify_slot(slot, "", memory_of(memory, slot),
                                           tickets_of(observed, slot), now));
    }
  };
  for (const api::OrderSlotStatus& entry : order.status.slots) {
    add(entry.slot);
  }
  for (const auto& [slot, tickets] : observed.by_slot) {
    if (has_live_ticket(tickets, now)) {
      add(slot);
    }
  }

  std::vector<SlotView> kept;
  for (auto& [index, view] : in_use) {
    kept.push_back(std::move(view));
  }
  if (static_cast<std::int64_t>(kept.size()) > want) {
    // Most valuable first: Ready, then Pending, then the rest; lower index first within.
    std::stable_sort(kept.begin(), kept.end(), [](const SlotView& a, const SlotView& b) {
      const int ra = keep_rank(a);
      const int rb = keep_rank(b);
      if (ra != rb) {
        return ra > rb;
      }
      return *replica_index(a.slot) < *replica_index(b.slot);
    });
    kept.resize(static_cast<std::size_t>(want));
  }
  std::set<std::int64_t> taken;
  for (const SlotView& view : kept) {
    taken.insert(*replica_index(view.slot));
  }
  for (std::int64_t index = 0; static_cast<std::int64_t>(kept.size()) < want; ++index) {
    const std::string slot = replica_slot(index);
    if (taken.count(index) != 0 || in_use.count(index) != 0 || observed.by_slot.count(slot) != 0) {
      continue;
    }
    kept.push_back(classify_slot(slot, "", nullptr, {}, now));
  }
  std::sort(kept.begin(), kept.end(), [](const SlotView& a, const SlotView& b) {
    return *replica_index(a.slot) < *replica_index(b.slot);
  });
  return kept;
}

std::vector<SlotView> select_node_slots(const api::Order& order,
                                        const std::vector<std::shared_ptr<const api::Node>>& nodes,
                                        const ObservedTickets& observed, TimePoint now) {
  std::map<std::string, std::string> node_by_slot;
  for (const auto& node : nodes) {
    if (node != nullptr && node_eligible(order.spec.template_.spec, *node)) {
      // Two node names sharing the first 48 bits of their hash would share a slot; the first
      // (by name, nodes come in any order) keeps it.
      const std::string slot = node_slot(node->metadata.name);
      auto [it, inserted] = node_by_slot.emplace(slot, node->metadata.name);
      if (!inserted && node->metadata.name < it->second) {
        it->second = node->metadata.name;
      }
    }
  }
  const Memory memory = index_memory(order);
  std::vector<SlotView> views;
  for (const auto& [slot, node_name] : node_by_slot) {
    views.push_back(
        classify_slot(slot, node_name, memory_of(memory, slot), tickets_of(observed, slot), now));
  }
  return views;
}

}  // namespace

bool node_eligible(const api::TicketSpec& spec, const api::Node& node) {
  if (node.metadata.deletion_timestamp.has_value() || !api::node_ready(node)) {
    return false;
  }
  return api::node_admits(api::placement_constraints(spec), node).has_value();
}

std::vector<SlotView> select_slots(const api::Order& order,
                                   const std::vector<std::shared_ptr<const api::Node>>& nodes,
                                   const ObservedTickets& observed, TimePoint now) {
  if (order.spec.daemon_set.value_or(false)) {
    return select_node_slots(order, nodes, observed, now);
  }
  return select_replica_slots(order, observed, now);
}

}  // namespace korder::order
