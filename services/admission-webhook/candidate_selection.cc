#include "candidate_selection.h"

#include <algorithm>
#include <array>
#include <limits>
#include <map>
#include <optional>
#include <utility>

#include "korder/api/scheduling_predicates.h"

namespace korder::webhook {
namespace {

// Counts why tickets were refused, for the unassigned reason.
class Refusals {
 public:
  void add(std::string reason) { ++counts_[std::move(reason)]; }
  int total() const {
    int n = 0;
    for (const auto& [reason, count] : counts_) {
      n += count;
    }
    return n;
  }
  // `3 ticket(s): 2 Insufficient cpu, 1 already claimed` (most frequent first).
  std::string summary() const {
    std::vector<std::pair<std::string, int>> sorted(counts_.begin(), counts_.end());
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    std::string text = std::to_string(total()) + " ticket(s): ";
    for (std::size_t i = 0; i < sorted.size(); ++i) {
      if (i > 0) {
        text += ", ";
      }
      text += std::to_string(sorted[i].second) + " " + sorted[i].first;
    }
    return text;
  }

 private:
  std::map<std::string, int> counts_;
};

std::string scope_text(std::string_view ns, const TicketRequest& request) {
  std::string text = "in namespace " + std::string(ns);
  if (!request.order.empty()) {
    text += " of order " + request.order;
  }
  switch (request.form) {
    case TicketRequest::Form::Any:
      break;
    case TicketRequest::Form::Name:
      text += " named " + request.value;
      break;
    case TicketRequest::Form::Selector:
      text += " matching selector " + request.value;
      break;
    case TicketRequest::Form::Group:
      text += " in group " + request.value;
      break;
  }
  return text;
}

// Whether each node admits the pod, asked once per node in one selection (tickets share few
// nodes: a hundred tickets on four nodes look up and match four nodes, not a hundred).
class NodeVerdicts {
 public:
  NodeVerdicts(const api::PlacementConstraints& constraints, const TicketSource& source)
      : constraints_(constraints), source_(source) {}

  // Empty when `name` (whose std::hash is `hash`) admits the pod, else why not. `name` must
  // outlive this object.
  const std::string& refusal(std::string_view name, std::size_t hash) {
    for (const Verdict& v : verdicts_) {
      // The index's entries of one node share its bytes: equal addresses need no compare.
      if (v.hash == hash &&
          ((v.node.data() == name.data() && v.node.size() == name.size()) || v.node == name)) {
        return v.refusal;
      }
    }
    std::string verdict;
    if (const auto node = source_.node(name); !node) {
      verdict = "node not found";
    } else if (auto admitted = api::node_admits(constraints_, *node); !admitted) {
      verdict = std::move(admitted).error();
    }
    verdicts_.push_back(Verdict{name, hash, std::move(verdict)});
    return verdicts_.back().refusal;
  }

 private:
  struct Verdict {
    std::string_view node;
    std::size_t hash;
    std::string refusal;
  };
  const api::PlacementConstraints& constraints_;
  const TicketSource& source_;
  std::vector<Verdict> verdicts_;
};

// SplitMix64's finaliser: spreads a seed and an index into an unpredictable 64-bit tie-break.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

// The pod's fit score on each holding, computed once per distinct holding in one selection:
// the tickets of one Order hold equal resources, and scoring takes a division per resource
// (128-bit for memory), most of ranking's time per ticket.
class FitScores {
 public:
  explicit FitScores(const api::FitResources& wanted) : wanted_(wanted) {}

  // `held` must outlive this object.
  std::optional<std::int64_t> of(const api::FitResources& held) {
    for (std::size_t i = 0; i < count_; ++i) {
      if (*memo_[i].held == held) {
        return memo_[i].score;
      }
    }
    const auto score = api::fit_score(held, wanted_);
    if (count_ < memo_.size()) {
      memo_[count_++] = Memo{&held, score};
    }
    return score;
  }

 private:
  struct Memo {
    const api::FitResources* held = nullptr;
    std::optional<std::int64_t> score;
  };
  const api::FitResources& wanted_;
  std::array<Memo, 8> memo_{};  // holdings beyond eight are scored each time
  std::size_t count_ = 0;
};

// Why a claimable ticket cannot serve the pod, or nothing when it can (with its score).
Expected<std::int64_t, std::string> fit(const IndexedTicket& entry, FitScores& scores,
                                        NodeVerdicts& nodes) {
  const auto score = scores.of(entry.held);
  if (!score) {
    return Unexpected(std::string("too small for the pod's requests"));
  }
  if (const std::string& refusal = nodes.refusal(entry.node_name, entry.node_hash);
      !refusal.empty()) {
    return Unexpected(refusal);
  }
  return *score;
}

}  // namespace

IndexedTicket::IndexedTicket(std::shared_ptr<const api::Ticket> t,
                             std::shared_ptr<const std::string> shared_node)
    : ticket(std::move(t)),
      held(api::FitResources::held(ticket->spec)),
      node(shared_node && *shared_node == ticket->status.node_name
               ? std::move(shared_node)
               : std::make_shared<const std::string>(ticket->status.node_name)),
      node_name(*node),
      node_hash(std::hash<std::string_view>()(node_name)),
      expiry(ticket->status.expiration_time) {
  const api::TicketStatus& status = ticket->status;
  const auto& claim = status.claim;
  const bool claim_holds_regardless =
      claim.has_value() && (!claim->pod_uid.empty() || !claim->deadline.has_value());
  claimable_shape = !ticket->metadata.deletion_timestamp &&
                    status.phase == api::TicketPhase::Ready && !status.node_name.empty() &&
                    status.claimed_pod.empty() && !claim_holds_regardless;
  if (claim.has_value() && !claim_holds_regardless) {
    claim_deadline = claim->deadline;
  }
  if (const auto it = ticket->metadata.labels.find(std::string(kOrderLabel));
      it != ticket->metadata.labels.end()) {
    order = it->second;
  }
}

Expected<void, std::string> ticket_claimable(const api::Ticket& ticket, TimePoint now) {
  if (ticket.metadata.deletion_timestamp) {
    return Unexpected(std::string("being deleted"));
  }
  if (ticket.status.phase != api::TicketPhase::Ready) {
    return Unexpected("not Ready (phase " +
                      (ticket.status.phase.empty() ? std::string("Pending") : ticket.status.phase) +
                      ")");
  }
  if (ticket.status.node_name.empty()) {
    return Unexpected(std::string("not on a node yet"));
  }
  if (ticket.status.expiration_time && *ticket.status.expiration_time <= now) {
    return Unexpected(std::string("expired"));
  }
  if (!ticket.status.claimed_pod.empty()) {
    return Unexpected(std::string("already claimed"));
  }
  if (const auto& claim = ticket.status.claim; claim) {
    const bool live = !claim->pod_uid.empty() || !claim->deadline || *claim->deadline > now;
    if (live) {
      return Unexpected(std::string("already claimed"));
    }
  }
  return {};
}

Selection select_candidates(const api::Pod& pod, std::string_view ns, const TicketRequest& request,
                            const TicketSource& source, TimePoint now,
                            const std::function<bool(const api::Ticket&)>& skip,
                            const std::function<std::uint64_t()>& random, std::size_t limit) {
  TicketSnapshot snapshot =
      request.order.empty() ? source.tickets_in(ns) : source.tickets_of_order(ns, request.order);
  const auto& tickets = *snapshot;
  const api::FitResources wanted = api::FitResources::wanted(api::effective_requests(pod.spec));
  const api::PlacementConstraints constraints = api::placement_constraints(pod.spec);
  NodeVerdicts nodes(constraints, source);
  FitScores scores(wanted);

  // Ranked by index into `tickets`: no shared_ptr copies while ranking.
  struct Ranked {
    std::int64_t score;
    TimePoint expiry;
    std::uint64_t tie;
    std::size_t index;
  };
  std::vector<Ranked> ranked;
  ranked.reserve(tickets.size());
  const std::uint64_t seed = random();
  // The order is read from the entry; the name, the selector and the group need the ticket's
  // own metadata.
  const bool narrowed = request.form != TicketRequest::Form::Any;
  Refusals refusals;
  for (std::size_t i = 0; i < tickets.size(); ++i) {
    const IndexedTicket& entry = *tickets[i];
    if (!request.order.empty() && entry.order != request.order) {
      continue;
    }
    if (narrowed && !request.matches(entry.ticket->metadata.name, entry.ticket->metadata.labels)) {
      continue;
    }
    if (!entry.claimable_at(now)) {
      auto why = ticket_claimable(*entry.ticket, now);  // the refusal, spelled out only now
      refusals.add(why ? std::string("not claimable") : std::move(why).error());
      continue;
    }
    if (skip && skip(*entry.ticket)) {
      refusals.add("being claimed by another pod");
      continue;
    }
    auto score = fit(entry, scores, nodes);
    if (!score) {
      refusals.add(std::move(score).error());
      continue;
    }
    ranked.push_back(Ranked{*score, entry.expiry.value_or(TimePoint::max()), mix(seed ^ i), i});
  }
  Selection selection;
  selection.tickets = std::move(snapshot);
  if (ranked.empty()) {
    selection.reason = refusals.total() == 0
                           ? "no ticket " + scope_text(ns, request)
                           : "no ticket " + scope_text(ns, request) + " can serve the pod (" +
                                 refusals.summary() + ")";
    return selection;
  }
  const auto better = [](const Ranked& a, const Ranked& b) {
    if (a.score != b.score) {
      return a.score < b.score;
    }
    if (a.expiry != b.expiry) {
      return a.expiry < b.expiry;
    }
    return a.tie < b.tie;
  };
  selection.eligible = ranked.size();
  const std::size_t kept = std::min(ranked.size(), std::max<std::size_t>(limit, 1));
  if (kept == 1) {
    std::iter_swap(ranked.begin(), std::min_element(ranked.begin(), ranked.end(), better));
  } else {
    std::partial_sort(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(kept),
                      ranked.end(), better);
  }
  selection.candidates.reserve(kept);
  for (std::size_t k = 0; k < kept; ++k) {
    const Ranked& r = ranked[k];
    selection.candidates.push_back(Candidate{tickets[r.index]->ticket.get(), r.score});
  }
  return selection;
}

}  // namespace korder::webhook
