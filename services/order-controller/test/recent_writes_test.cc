#include "recent_writes.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "korder/api/ticket.h"
#include "korder/kclient/testing/fake_clock.h"

namespace korder::order {
namespace {

using Ptr = std::shared_ptr<const api::Ticket>;

Ptr ticket(const std::string& name, const std::string& rv, bool deleting = false) {
  api::Ticket t;
  t.metadata.namespace_ = "ns";
  t.metadata.name = name;
  t.metadata.resource_version = rv;
  if (deleting) {
    t.metadata.deletion_timestamp = TimePoint();
  }
  return std::make_shared<const api::Ticket>(t);
}

std::string key_of(const api::Ticket& t) { return t.metadata.namespace_ + "/" + t.metadata.name; }

std::vector<std::string> names(const std::vector<Ptr>& tickets) {
  std::vector<std::string> out;
  for (const Ptr& t : tickets) {
    out.push_back(t->metadata.name + "@" + t->metadata.resource_version +
                  (t->metadata.deletion_timestamp ? "-deleting" : ""));
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST_CASE("a created object is added until the cache shows it", "[unit]") {
  kclient::testing::FakeClock clock;
  RecentWrites<api::Ticket> writes(clock, std::chrono::seconds(60));
  writes.record("ns/o", "ns/a", "", ticket("a", "5"));
  CHECK(names(writes.merge("ns/o", {}, key_of)) == std::vector<std::string>{"a@5"});
  CHECK(names(writes.merge("ns/o", {ticket("a", "5")}, key_of)) == std::vector<std::string>{"a@5"});
  CHECK(writes.size() == 0);
  CHECK(names(writes.merge("ns/o", {}, key_of)).empty());
}

TEST_CASE("a deleted object is hidden or shown terminating while the cache is behind", "[unit]") {
  kclient::testing::FakeClock clock;
  RecentWrites<api::Ticket> writes(clock, std::chrono::seconds(60));
  writes.record("ns/o", "ns/a", "3", nullptr);
  writes.record("ns/o", "ns/b", "4", ticket("b", "7", true));
  CHECK(names(writes.merge("ns/o", {ticket("a", "3"), ticket("b", "4"), ticket("c", "1")},
                           key_of)) == std::vector<std::string>{"b@7-deleting", "c@1"});
  // The cache processed the removal of a and moved b on: both entries go.
  CHECK(names(writes.merge("ns/o", {ticket("b", "7", true), ticket("c", "1")}, key_of)) ==
        std::vector<std::string>{"b@7-deleting", "c@1"});
  CHECK(writes.size() == 0);
}

TEST_CASE("chained writes keep every replaced version stale", "[unit]") {
  kclient::testing::FakeClock clock;
  RecentWrites<api::Ticket> writes(clock, std::chrono::seconds(60));
  writes.record("ns/o", "ns/a", "1", ticket("a", "2"));
  writes.record("ns/o", "ns/a", "2", ticket("a", "3"));
  CHECK(writes.resolve("ns/o", "ns/a", ticket("a", "1"))->metadata.resource_version == "3");
  CHECK(writes.resolve("ns/o", "ns/a", ticket("a", "2"))->metadata.resource_version == "3");
  CHECK(writes.resolve("ns/o", "ns/a", ticket("a", "9"))->metadata.resource_version == "9");
  CHECK(writes.size() == 0);
}

TEST_CASE("entries expire after their time to live", "[unit]") {
  kclient::testing::FakeClock clock;
  RecentWrites<api::Ticket> writes(clock, std::chrono::seconds(60));
  writes.record("ns/o", "ns/a", "", ticket("a", "5"));
  clock.advance(std::chrono::seconds(61));
  CHECK(names(writes.merge("ns/o", {}, key_of)).empty());
  writes.record("ns/o", "ns/b", "", ticket("b", "5"));
  writes.forget("ns/o");
  CHECK(writes.size() == 0);
}

}  // namespace
}  // namespace korder::order
