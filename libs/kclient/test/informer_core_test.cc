#include "korder/kclient/informer_core.h"

#include <catch2/catch.hpp>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "ticket_fixtures.h"

namespace korder::kclient {
namespace {

using test::list_json;
using test::ticket_json;
using Names = std::vector<std::string>;
using Ptr = std::shared_ptr<const api::Ticket>;

std::string at(const Ptr& t) { return t->metadata.name + "@" + t->metadata.resource_version; }

// Records every handler call as `add t1@5`, `update t1@5->12`, `delete t2@6 (tombstone)`.
ResourceEventHandler<api::Ticket> recording(Names& log) {
  return {[&log](const Ptr& t) { log.push_back("add " + at(t)); },
          [&log](const Ptr& o, const Ptr& n) {
            log.push_back("update " + at(o) + "->" + n->metadata.resource_version);
          },
          [&log](const DeletedObject<api::Ticket>& d) {
            log.push_back("delete " + d.key + "@" + d.object->metadata.resource_version +
                          (d.final_state_unknown ? " (tombstone)" : ""));
          }};
}

WatchEvent event(WatchEventType type, const std::string& name, const std::string& rv) {
  // The decoder hands over the object's JSON without the newline framing.
  return {type, ticket_json(name, rv)};
}

ApiError gone() { return ApiError::from_response(410, ""); }

// Drives a core through the calls a reflector makes, checking each is the call it asked for.
struct Driver {
  InformerCore<api::Ticket> core;
  Names log;
  int synced_calls = 0;

  Driver() {
    core.add_event_handler(recording(log));
    core.set_on_synced([this] { ++synced_calls; });
  }

  ReflectorReport list(const std::string& body) {
    REQUIRE(std::holds_alternative<watcher::ListRequest>(core.next_action()));
    return core.apply(RawListPage{body});
  }
  void open_watch(const std::string& rv) {
    REQUIRE(core.next_action() == watcher::Action(watcher::WatchRequest{rv}));
    REQUIRE_FALSE(core.apply(watcher::WatchOpened{}).error.has_value());
  }
  ReflectorReport receive(RawOutcome outcome) {
    REQUIRE(core.next_action() == watcher::Action(watcher::NextEventRequest{}));
    return core.apply(std::move(outcome));
  }
};

TEST_CASE("the first list fills the store, is delivered as adds and marks the informer synced",
          "[unit][kclient]") {
  Driver d;
  CHECK_FALSE(d.core.has_synced());
  const auto report = d.list(list_json("10", {ticket_json("t1", "5"), ticket_json("t2", "6")}));
  CHECK_FALSE(report.error.has_value());
  CHECK(d.core.has_synced());
  CHECK(d.synced_calls == 1);
  CHECK(d.log == Names{"add t1@5", "add t2@6"});
  CHECK(d.core.store().size() == 2);
  CHECK(d.core.store().resource_version() == "10");
}

TEST_CASE("watch events become adds, updates and deletes of the cache", "[unit][kclient]") {
  Driver d;
  d.list(list_json("10", {ticket_json("t1", "5")}));
  d.open_watch("10");
  d.receive(event(WatchEventType::Added, "t2", "11"));
  d.receive(event(WatchEventType::Modified, "t1", "12"));
  d.receive(event(WatchEventType::Deleted, "t2", "13"));

  CHECK(d.log == Names{"add t1@5", "add t2@11", "update t1@5->12", "delete ns/t2@13"});
  CHECK(d.core.store().get("ns/t2") == nullptr);
  CHECK(d.core.store().get("ns/t1")->metadata.resource_version == "12");
  CHECK(d.core.store().resource_version() == "13");
}

TEST_CASE("a MODIFIED event for an object not in the cache is delivered as an add",
          "[unit][kclient]") {
  // The informer decides add or update by its cache, as client-go does, not by the event type.
  Driver d;
  d.list(list_json("10", {}));
  d.open_watch("10");
  d.receive(event(WatchEventType::Modified, "t1", "11"));
  d.receive(event(WatchEventType::Added, "t1", "12"));
  CHECK(d.log == Names{"add t1@11", "update t1@11->12"});
}

TEST_CASE("a relist after 410 Gone delivers a tombstone for what was deleted meanwhile",
          "[unit][kclient]") {
  Driver d;
  d.list(list_json(
      "10", {ticket_json("same", "1"), ticket_json("changed", "2"), ticket_json("gone", "3")}));
  d.open_watch("10");
  const auto report = d.receive(gone());
  REQUIRE(report.error.has_value());
  CHECK(report.error->is_gone());
  d.log.clear();

  d.list(list_json(
      "50", {ticket_json("same", "1"), ticket_json("changed", "40"), ticket_json("new", "45")}));
  CHECK(d.log == Names{"delete ns/gone@3 (tombstone)", "add new@45", "update changed@2->40"});
  CHECK(d.core.store().size() == 3);
  CHECK(d.core.store().resource_version() == "50");
  CHECK(d.synced_calls == 1);  // synced once, not again on relists
}

TEST_CASE("bookmarks and undecodable objects advance the store's resourceVersion",
          "[unit][kclient]") {
  Driver d;
  d.list(list_json("10", {}));
  d.open_watch("10");
  d.receive(WatchEvent{WatchEventType::Bookmark,
                       R"({"kind":"Ticket","metadata":{"resourceVersion":"20"}})"});
  CHECK(d.core.store().resource_version() == "20");

  const auto report = d.receive(WatchEvent{
      WatchEventType::Added,
      R"({"metadata":{"name":"bad","namespace":"ns","resourceVersion":"21"},"spec":{"duration":1}})"});
  REQUIRE(report.decode_failures.size() == 1);
  CHECK(report.decode_failures[0].key == "ns/bad");
  CHECK_FALSE(report.error.has_value());
  CHECK(d.core.store().resource_version() == "21");
  CHECK(d.log.empty());
}

TEST_CASE("a list body that is not a list is an error and the list is retried", "[unit][kclient]") {
  Driver d;
  const auto report = d.list("<html>proxy error</html>");
  REQUIRE(report.error.has_value());
  CHECK_FALSE(d.core.has_synced());
  CHECK(std::holds_alternative<watcher::ListRequest>(d.core.next_action()));
}

TEST_CASE("an exception escaping a handler is reported and the other handlers still run",
          "[unit][kclient]") {
  InformerCore<api::Ticket> core;
  Names log;
  core.add_event_handler(
      {[](const Ptr&) { throw std::runtime_error("handler bug"); }, nullptr, nullptr});
  core.add_event_handler(recording(log));
  const auto report = core.apply(RawListPage{list_json("1", {ticket_json("t1", "1")})});
  CHECK(report.handler_failures == std::vector<std::string>{"handler bug"});
  CHECK(log == Names{"add t1@1"});
  CHECK(core.has_synced());
}

TEST_CASE("resync re-delivers every cached object as an update, but only once synced",
          "[unit][kclient]") {
  Driver d;
  CHECK(d.core.resync().empty());
  CHECK(d.log.empty());
  d.list(list_json("10", {ticket_json("t1", "5")}));
  d.log.clear();
  CHECK(d.core.resync().empty());
  CHECK(d.log == Names{"update t1@5->5"});
}

TEST_CASE("for_each_object hands every reported object to one function", "[unit][kclient]") {
  InformerCore<api::Ticket> core;
  Names seen;
  core.add_event_handler(for_each_object<api::Ticket>([&seen](const api::Ticket& t) {
    seen.push_back(t.metadata.name + "@" + t.metadata.resource_version);
  }));
  core.apply(RawListPage{list_json("10", {ticket_json("a", "1")})});
  core.apply(watcher::WatchOpened{});
  core.apply(WatchEvent{WatchEventType::Modified, ticket_json("a", "2")});
  core.apply(WatchEvent{WatchEventType::Deleted, ticket_json("a", "3")});
  core.resync();  // empty cache: nothing
  CHECK(seen == Names{"a@1", "a@1", "a@2", "a@3"});
}

}  // namespace
}  // namespace korder::kclient
