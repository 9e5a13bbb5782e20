#include "korder/kclient/relist_diff.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "ticket_fixtures.h"

namespace korder::kclient {
namespace {

using test::make_ticket;
using test::sorted_names;
using test::TicketPtr;
using Names = std::vector<std::string>;

TEST_CASE("a relist into an empty cache adds every listed object", "[unit][kclient]") {
  const auto t1 = make_ticket("ns", "t1", "1");
  const auto t2 = make_ticket("ns", "t2", "2");
  const auto diff = diff_relist<api::Ticket>({}, {t1, t2});
  CHECK(diff.added == std::vector<TicketPtr>{t1, t2});
  CHECK(diff.updated.empty());
  CHECK(diff.deleted.empty());
}

TEST_CASE("an object with an unchanged resourceVersion gives no notification", "[unit][kclient]") {
  const auto cached = make_ticket("ns", "t1", "5");
  const auto listed = make_ticket("ns", "t1", "5");  // a fresh decode of the same version
  CHECK(diff_relist<api::Ticket>({cached}, {listed}).empty());
}

TEST_CASE("an object with a new resourceVersion is an update from the cached to the listed state",
          "[unit][kclient]") {
  const auto cached = make_ticket("ns", "t1", "5");
  const auto listed = make_ticket("ns", "t1", "9");
  const auto diff = diff_relist<api::Ticket>({cached}, {listed});
  REQUIRE(diff.updated.size() == 1);
  CHECK(diff.updated[0].first == cached);
  CHECK(diff.updated[0].second == listed);
  CHECK(diff.added.empty());
  CHECK(diff.deleted.empty());
}

TEST_CASE("an object missing from the fresh list is a tombstone delete of its cached state",
          "[unit][kclient]") {
  // client-go's DeletedFinalStateUnknown: the watch missed the DELETED event, so the handler
  // gets the last state the cache knew, marked as such.
  const auto gone = make_ticket("ns", "gone", "3", "node-a");
  const auto kept = make_ticket("ns", "kept", "4");
  const auto diff = diff_relist<api::Ticket>({gone, kept}, {kept});
  REQUIRE(diff.deleted.size() == 1);
  CHECK(diff.deleted[0].key == "ns/gone");
  CHECK(diff.deleted[0].object == gone);
  CHECK(diff.deleted[0].final_state_unknown);
  CHECK(diff.added.empty());
  CHECK(diff.updated.empty());
}

TEST_CASE("an object deleted and re-created while disconnected is a tombstone then an add",
          "[unit][kclient]") {
  const auto old_incarnation = make_ticket("ns", "t1", "3", "", "uid-old");
  const auto new_incarnation = make_ticket("ns", "t1", "8", "", "uid-new");
  const auto diff = diff_relist<api::Ticket>({old_incarnation}, {new_incarnation});
  REQUIRE(diff.deleted.size() == 1);
  CHECK(diff.deleted[0].object == old_incarnation);
  CHECK(diff.deleted[0].final_state_unknown);
  CHECK(diff.added == std::vector<TicketPtr>{new_incarnation});
  CHECK(diff.updated.empty());
}

TEST_CASE("a relist diff sorts a mixed change set into adds, updates and tombstones",
          "[unit][kclient]") {
  struct Case {
    const char* name;
    std::vector<TicketPtr> cached;
    std::vector<TicketPtr> listed;
    Names added;
    Names updated;
    Names deleted;
  };
  const std::vector<Case> cases = {
      {"nothing at all", {}, {}, {}, {}, {}},
      {"everything deleted",
       {make_ticket("a", "x", "1"), make_ticket("b", "y", "1")},
       {},
       {},
       {},
       {"x", "y"}},
      {"one of each",
       {make_ticket("ns", "same", "1"), make_ticket("ns", "changed", "1"),
        make_ticket("ns", "gone", "1")},
       {make_ticket("ns", "same", "1"), make_ticket("ns", "changed", "2"),
        make_ticket("ns", "new", "2")},
       {"new"},
       {"changed"},
       {"gone"}},
      {"same name in another namespace is another object",
       {make_ticket("a", "t", "1")},
       {make_ticket("b", "t", "1")},
       {"t"},
       {},
       {"t"}},
      {"a later duplicate in the list wins",
       {make_ticket("ns", "t", "1")},
       {make_ticket("ns", "t", "1"), make_ticket("ns", "t", "2")},
       {},
       {"t"},
       {}},
  };
  for (const Case& c : cases) {
    DYNAMIC_SECTION(c.name) {
      const auto diff = diff_relist(c.cached, c.listed);
      Names updated;
      for (const auto& [old_object, new_object] : diff.updated) {
        CHECK(old_object->metadata.name == new_object->metadata.name);
        updated.push_back(new_object->metadata.name);
      }
      Names deleted;
      for (const auto& d : diff.deleted) {
        CHECK(d.final_state_unknown);
        deleted.push_back(d.object->metadata.name);
      }
      std::sort(deleted.begin(), deleted.end());
      CHECK(sorted_names(diff.added) == c.added);
      CHECK(updated == c.updated);
      CHECK(deleted == c.deleted);
    }
  }
}

}  // namespace
}  // namespace korder::kclient
