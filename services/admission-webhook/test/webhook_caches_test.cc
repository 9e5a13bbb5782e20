#include "webhook_caches.h"

#include <catch2/catch.hpp>

#include "korder/api/scheduling_predicates.h"
#include "test_support.h"

namespace korder::webhook {
namespace {

using testing::ticket;

std::shared_ptr<const api::Ticket> shared(api::Ticket t) {
  return std::make_shared<const api::Ticket>(std::move(t));
}

api::Ticket in(api::Ticket t, std::string ns, std::string order) {
  t.metadata.namespace_ = std::move(ns);
  if (order.empty()) {
    t.metadata.labels.erase("korder.dev/order");
  } else {
    t.metadata.labels["korder.dev/order"] = std::move(order);
  }
  return t;
}

std::vector<std::string> names(const TicketSnapshot& snapshot) {
  REQUIRE(snapshot != nullptr);
  std::vector<std::string> out;
  for (const auto& entry : *snapshot) {
    out.push_back(entry->ticket->metadata.name);
  }
  return out;
}

using Names = std::vector<std::string>;

TEST_CASE("an indexed ticket carries its order label and its held resources", "[unit]") {
  auto t = ticket("t1", "n1", "2", "4Gi");
  t.spec.resources.limits["nvidia.com/gpu"] = *api::Quantity::parse("1");
  const IndexedTicket entry(shared(t));
  CHECK(entry.order == "order-a");
  CHECK(entry.held.size() == 3);
  const auto wanted = api::ResourceList{{"cpu", *api::Quantity::parse("1")},
                                        {"nvidia.com/gpu", *api::Quantity::parse("1")}};
  CHECK(api::fit_score(entry.held, api::FitResources::wanted(wanted)) ==
        api::ticket_fit_score(t.spec, wanted));
  CHECK(IndexedTicket(shared(in(ticket("t2", "n1", "1"), "default", ""))).order.empty());
}

TEST_CASE("an indexed ticket's claimability agrees with ticket_claimable at every time", "[unit]") {
  const TimePoint t0 = TimePoint(std::chrono::seconds(1'800'000'000));
  const auto at = [&](int s) { return t0 + std::chrono::seconds(s); };
  std::vector<api::Ticket> cases;
  cases.push_back(ticket("plain", "n1", "1"));
  cases.push_back(ticket("expiring", "n1", "1", "1Gi", at(10)));
  auto pending = ticket("pending", "n1", "1");
  pending.status.phase = "Pending";
  cases.push_back(pending);
  auto unphased = ticket("unphased", "n1", "1");
  unphased.status.phase.clear();
  cases.push_back(unphased);
  cases.push_back(ticket("no-node", "", "1"));
  auto deleting = ticket("deleting", "n1", "1");
  deleting.metadata.deletion_timestamp = at(0);
  cases.push_back(deleting);
  auto handed = ticket("handed-off", "n1", "1");
  handed.status.claimed_pod = "web-1";
  cases.push_back(handed);
  for (const bool with_uid : {false, true}) {
    for (const std::optional<int> deadline : {std::optional<int>(), std::optional<int>(5)}) {
      auto claimed = ticket("claimed", "n1", "1", "1Gi", at(20));
      api::TicketClaim claim;
      claim.token = "t";
      claim.pod_name = "web-1";
      if (with_uid) {
        claim.pod_uid = "uid-1";
      }
      if (deadline) {
        claim.deadline = at(*deadline);
      }
      claimed.status.claim = claim;
      cases.push_back(claimed);
    }
  }
  for (const api::Ticket& t : cases) {
    const IndexedTicket entry(shared(t));
    for (int s = -5; s <= 25; ++s) {
      INFO(t.metadata.name << " at +" << s << "s");
      CHECK(entry.claimable_at(at(s)) == ticket_claimable(t, at(s)).has_value());
    }
  }
}

TEST_CASE("the ticket index lists tickets by namespace and by order", "[unit]") {
  TicketIndex index;
  index.upsert(shared(in(ticket("b", "n1", "1"), "team-a", "web")));
  index.upsert(shared(in(ticket("a", "n1", "1"), "team-a", "batch")));
  index.upsert(shared(in(ticket("c", "n1", "1"), "team-a", "web")));
  index.upsert(shared(in(ticket("d", "n1", "1"), "team-b", "web")));
  CHECK(names(index.tickets_in("team-a")) == Names{"a", "b", "c"});
  CHECK(names(index.tickets_in("team-b")) == Names{"d"});
  CHECK(names(index.tickets_in("nobody")).empty());
  CHECK(names(index.tickets_of_order("team-a", "web")) == Names{"b", "c"});
  CHECK(names(index.tickets_of_order("team-a", "batch")) == Names{"a"});
  CHECK(names(index.tickets_of_order("team-a", "none")).empty());
  CHECK(names(index.tickets_of_order("nobody", "web")).empty());
}

TEST_CASE("the ticket index shares one snapshot until a ticket of the namespace changes",
          "[unit]") {
  TicketIndex index;
  index.upsert(shared(in(ticket("a", "n1", "1"), "team-a", "web")));
  index.upsert(shared(in(ticket("z", "n1", "1"), "team-b", "web")));
  const TicketSnapshot first = index.tickets_in("team-a");
  const TicketSnapshot first_web = index.tickets_of_order("team-a", "web");
  CHECK(index.tickets_in("team-a") == first);
  CHECK(index.tickets_of_order("team-a", "web") == first_web);

  // Another namespace's change leaves the snapshot alone.
  index.upsert(shared(in(ticket("y", "n1", "1"), "team-b", "web")));
  CHECK(index.tickets_in("team-a") == first);

  // A change in the namespace makes new snapshots; the old one is untouched (a review still
  // reading it sees what it saw).
  auto claimed = in(ticket("a", "n2", "1"), "team-a", "web");
  claimed.metadata.resource_version = "8";
  index.upsert(shared(claimed));
  const TicketSnapshot second = index.tickets_in("team-a");
  CHECK(second != first);
  CHECK(second->at(0)->ticket->status.node_name == "n2");
  CHECK(first->at(0)->ticket->status.node_name == "n1");
  CHECK(index.tickets_of_order("team-a", "web") != first_web);
}

TEST_CASE("the ticket index follows a ticket that changes order or goes", "[unit]") {
  TicketIndex index;
  index.upsert(shared(in(ticket("a", "n1", "1"), "team-a", "web")));
  index.upsert(shared(in(ticket("b", "n1", "1"), "team-a", "web")));
  CHECK(names(index.tickets_of_order("team-a", "web")) == Names{"a", "b"});
  index.upsert(shared(in(ticket("a", "n1", "1"), "team-a", "batch")));
  CHECK(names(index.tickets_of_order("team-a", "web")) == Names{"b"});
  CHECK(names(index.tickets_of_order("team-a", "batch")) == Names{"a"});
  index.remove(in(ticket("b", "n1", "1"), "team-a", "web"));
  CHECK(names(index.tickets_in("team-a")) == Names{"a"});
  CHECK(names(index.tickets_of_order("team-a", "web")).empty());
  index.remove(in(ticket("missing", "n1", "1"), "team-a", "web"));  // not there: nothing
  index.remove(in(ticket("a", "n1", "1"), "team-a", "batch"));
  CHECK(names(index.tickets_in("team-a")).empty());
  CHECK(names(index.tickets_of_order("team-a", "batch")).empty());
}

TEST_CASE("the ticket index's informer handler adds, replaces and removes", "[unit]") {
  TicketIndex index;
  const auto handler = index.handler();
  const auto a = shared(in(ticket("a", "n1", "1"), "team-a", "web"));
  handler.on_add(a);
  CHECK(names(index.tickets_in("team-a")) == Names{"a"});
  const TicketSnapshot before = index.tickets_in("team-a");
  handler.on_update(a, a);  // a resync: the same object again
  CHECK(index.tickets_in("team-a") == before);
  const auto a2 = shared(in(ticket("a", "n2", "1"), "team-a", "web"));
  handler.on_update(a, a2);
  CHECK(index.tickets_in("team-a")->at(0)->ticket == a2);
  handler.on_delete(kclient::DeletedObject<api::Ticket>{"team-a/a", a2, true});
  CHECK(names(index.tickets_in("team-a")).empty());
}

TEST_CASE("the ticket index gives the entries of one node one shared name", "[unit]") {
  TicketIndex index;
  // A name longer than the small-string buffer, as real node names are.
  const std::string node = "ip-10-0-1-23.eu-west-1.compute.internal";
  index.upsert(shared(in(ticket("a", node, "1"), "team-a", "web")));
  index.upsert(shared(in(ticket("b", node, "1"), "team-b", "web")));
  index.upsert(shared(in(ticket("c", "other-node", "1"), "team-a", "web")));
  const auto a = index.tickets_in("team-a")->at(0);
  const auto b = index.tickets_in("team-b")->at(0);
  const auto c = index.tickets_in("team-a")->at(1);
  CHECK(a->node_name == node);
  CHECK(a->node == b->node);  // the same string object
  CHECK(a->node_name.data() == b->node_name.data());
  CHECK(c->node_name == "other-node");
  CHECK(c->node != a->node);

  // An entry built outside the index keeps its own copy, equal in value.
  const IndexedTicket own(shared(in(ticket("d", node, "1"), "team-a", "web")));
  CHECK(own.node_name == node);
  CHECK(own.node != a->node);
  // A shared name that does not match the ticket is not used.
  const IndexedTicket mismatched(shared(in(ticket("e", "n9", "1"), "team-a", "web")), a->node);
  CHECK(mismatched.node_name == "n9");

  // Names no entry holds any more are dropped once the table has grown: many nodes come and
  // go, and the names still in use keep their identity.
  for (int i = 0; i < 500; ++i) {
    index.upsert(shared(in(ticket("churn", "node-" + std::to_string(i), "1"), "team-c", "web")));
  }
  index.upsert(shared(in(ticket("f", node, "1"), "team-b", "web")));
  CHECK(index.tickets_in("team-b")->at(1)->node == b->node);
  CHECK(index.node_names_held() < 200);
}

}  // namespace
}  // namespace korder::webhook
