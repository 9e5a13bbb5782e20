#include "korder/kclient/watcher.h"

#include <catch2/catch.hpp>
#include <deque>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "ticket_fixtures.h"

namespace korder::kclient::watcher {
namespace {

using test::make_ticket;
using test::sorted_names;
using test::TicketPtr;
using Names = std::vector<std::string>;
using TState = State<api::Ticket>;
using TOutcome = Outcome<api::Ticket>;
using TStep = Step<api::Ticket>;

ListPage<api::Ticket> page(std::vector<TicketPtr> objects, std::string rv,
                           std::string continue_token = "") {
  return {std::move(objects), std::move(rv), std::move(continue_token)};
}

WatchItem<api::Ticket> item(WatchEventType type, TicketPtr object) {
  std::string rv = object->metadata.resource_version;
  return {type, std::move(object), std::move(rv)};
}

WatchItem<api::Ticket> bookmark(std::string rv) {
  return {WatchEventType::Bookmark, nullptr, std::move(rv)};
}

ApiError gone() {
  return ApiError::from_status_json(
      R"json({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)json"
      R"json("message":"too old resource version: 5 (500)","reason":"Expired","code":410})json");
}

// A fake API: each step the machine asks for an action; the script says which action it must
// be and what the API answers. Events and errors are recorded as short strings.
struct ScriptedRun {
  struct Line {
    Action expected;
    TOutcome outcome;
  };
  std::deque<Line> script;
  TState state = Empty{};
  std::vector<std::string> log;

  void run() {
    while (!script.empty()) {
      Line line = std::move(script.front());
      script.pop_front();
      REQUIRE(next_action(state) == line.expected);
      TStep s = step(std::move(state), std::move(line.outcome));
      if (s.event) {
        log.push_back(describe(*s.event));
      }
      if (s.error) {
        log.push_back(s.error->is_gone() ? "error: gone" : "error: " + s.error->message());
      }
      state = std::move(s.next);
    }
  }

  static std::string describe(const Event<api::Ticket>& event) {
    if (const auto* r = std::get_if<Restarted<api::Ticket>>(&event)) {
      std::string out = "restarted@" + r->resource_version + ":";
      for (const auto& name : sorted_names(r->objects)) {
        out += " " + name;
      }
      return out;
    }
    if (const auto* a = std::get_if<Applied<api::Ticket>>(&event)) {
      return "applied " + a->object->metadata.name + "@" + a->object->metadata.resource_version;
    }
    const auto& d = std::get<Deleted<api::Ticket>>(event);
    return "deleted " + d.object->metadata.name + "@" + d.object->metadata.resource_version;
  }
};

TEST_CASE("a new watcher lists, then watches from the list's resourceVersion", "[unit][kclient]") {
  TState state = Empty{};
  CHECK(next_action(state) == Action(ListRequest{""}));

  TStep listed = step(std::move(state), TOutcome(page({make_ticket("ns", "t1", "3")}, "10")));
  REQUIRE(listed.event.has_value());
  const auto& restarted = std::get<Restarted<api::Ticket>>(*listed.event);
  CHECK(restarted.resource_version == "10");
  CHECK(sorted_names(restarted.objects) == Names{"t1"});
  CHECK_FALSE(listed.error.has_value());
  CHECK(std::get<InitListed>(listed.next) == InitListed{"10"});
  CHECK(next_action(listed.next) == Action(WatchRequest{"10"}));

  TStep opened = step(std::move(listed.next), TOutcome(WatchOpened{}));
  CHECK_FALSE(opened.event.has_value());
  CHECK(std::get<Watching>(opened.next) == Watching{"10"});
  CHECK(next_action(opened.next) == Action(NextEventRequest{}));
}

TEST_CASE("a paginated list is buffered and delivered as one restart with the last page's version",
          "[unit][kclient]") {
  ScriptedRun run;
  run.script = {
      {ListRequest{""},
       page({make_ticket("ns", "a", "1"), make_ticket("ns", "b", "2")}, "20", "c1")},
      {ListRequest{"c1"}, page({make_ticket("ns", "c", "3")}, "20", "c2")},
      {ListRequest{"c2"}, page({}, "20")},
      {WatchRequest{"20"}, WatchOpened{}},
  };
  run.run();
  CHECK(run.log == Names{"restarted@20: a b c"});
  CHECK(std::get<Watching>(run.state) == Watching{"20"});
}

TEST_CASE("an expired continue token restarts the list from the first page", "[unit][kclient]") {
  ScriptedRun run;
  run.script = {
      {ListRequest{""}, page({make_ticket("ns", "a", "1")}, "20", "c1")},
      {ListRequest{"c1"}, gone()},
      {ListRequest{""}, page({make_ticket("ns", "b", "2")}, "30")},
  };
  run.run();
  // Objects of the abandoned list are not delivered.
  CHECK(run.log == Names{"error: gone", "restarted@30: b"});
  CHECK(std::get<InitListed>(run.state) == InitListed{"30"});
}

TEST_CASE("a failed list page is retried with the same continue token", "[unit][kclient]") {
  ScriptedRun run;
  run.script = {
      {ListRequest{""}, ApiError::transport("connecting to 127.0.0.1:1: Connection refused")},
      {ListRequest{""}, page({make_ticket("ns", "a", "1")}, "20", "c1")},
      {ListRequest{"c1"}, ApiError::from_response(500, "")},
      {ListRequest{"c1"}, page({make_ticket("ns", "b", "2")}, "20")},
  };
  run.run();
  REQUIRE(run.log.size() == 3);
  CHECK(run.log[2] == "restarted@20: a b");
}

TEST_CASE("watch events are applied and advance the resourceVersion", "[unit][kclient]") {
  ScriptedRun run;
  run.script = {
      {ListRequest{""}, page({}, "10")},
      {WatchRequest{"10"}, WatchOpened{}},
      {NextEventRequest{}, item(WatchEventType::Added, make_ticket("ns", "a", "11"))},
      {NextEventRequest{}, item(WatchEventType::Modified, make_ticket("ns", "a", "12"))},
      {NextEventRequest{}, item(WatchEventType::Deleted, make_ticket("ns", "a", "13"))},
  };
  run.run();
  CHECK(run.log == Names{"restarted@10:", "applied a@11", "applied a@12", "deleted a@13"});
  CHECK(std::get<Watching>(run.state) == Watching{"13"});
}

TEST_CASE("a bookmark advances the resourceVersion without an event", "[unit][kclient]") {
  TStep s = step(TState(Watching{"10"}), TOutcome(bookmark("42")));
  CHECK_FALSE(s.event.has_value());
  CHECK_FALSE(s.error.has_value());
  CHECK(std::get<Watching>(s.next) == Watching{"42"});
}

TEST_CASE("an event whose object did not decode is skipped but its version counts",
          "[unit][kclient]") {
  TStep s = step(TState(Watching{"10"}),
                 TOutcome(WatchItem<api::Ticket>{WatchEventType::Modified, nullptr, "11"}));
  CHECK_FALSE(s.event.has_value());
  CHECK_FALSE(s.error.has_value());
  CHECK(std::get<Watching>(s.next) == Watching{"11"});
}

TEST_CASE("an event without a resourceVersion keeps the last one", "[unit][kclient]") {
  TStep s = step(TState(Watching{"10"}),
                 TOutcome(WatchItem<api::Ticket>{WatchEventType::Bookmark, nullptr, ""}));
  CHECK(std::get<Watching>(s.next) == Watching{"10"});
}

TEST_CASE("a watch the server ends resumes from the last version seen without a relist",
          "[unit][kclient]") {
  ScriptedRun run;
  run.script = {
      {ListRequest{""}, page({}, "10")},
      {WatchRequest{"10"}, WatchOpened{}},
      {NextEventRequest{}, item(WatchEventType::Added, make_ticket("ns", "a", "11"))},
      {NextEventRequest{}, bookmark("15")},
      {NextEventRequest{}, WatchEnded{}},
      {WatchRequest{"15"}, WatchOpened{}},
  };
  run.run();
  CHECK(run.log == Names{"restarted@10:", "applied a@11"});
  CHECK(std::get<Watching>(run.state) == Watching{"15"});
}

TEST_CASE("a dropped watch connection is an error and resumes from the last version seen",
          "[unit][kclient]") {
  TStep s = step(TState(Watching{"17"}),
                 TOutcome(ApiError::transport("reading from 127.0.0.1:6443: end of stream")));
  REQUIRE(s.error.has_value());
  CHECK(s.error->is_transport());
  CHECK(std::get<InitListed>(s.next) == InitListed{"17"});
}

TEST_CASE("410 Gone in the watch stream sends the watcher back to a full relist",
          "[unit][kclient]") {
  ScriptedRun run;
  run.script = {
      {ListRequest{""}, page({make_ticket("ns", "a", "1")}, "10")},
      {WatchRequest{"10"}, WatchOpened{}},
      {NextEventRequest{}, gone()},
      {ListRequest{""}, page({make_ticket("ns", "b", "30")}, "40")},
      {WatchRequest{"40"}, WatchOpened{}},
  };
  run.run();
  CHECK(run.log == Names{"restarted@10: a", "error: gone", "restarted@40: b"});
}

TEST_CASE("410 Gone answering the watch request itself also relists", "[unit][kclient]") {
  TStep s = step(TState(InitListed{"5"}), TOutcome(ApiError::from_response(410, "")));
  REQUIRE(s.error.has_value());
  CHECK(s.error->is_gone());
  CHECK(std::holds_alternative<Empty>(s.next));
}

TEST_CASE("a watch request that fails otherwise is retried from the same version",
          "[unit][kclient]") {
  TStep s = step(TState(InitListed{"5"}), TOutcome(ApiError::from_response(503, "")));
  REQUIRE(s.error.has_value());
  CHECK(std::get<InitListed>(s.next) == InitListed{"5"});
}

TEST_CASE("resource_version reports the version each state has reached", "[unit][kclient]") {
  CHECK(resource_version<api::Ticket>(Empty{}).empty());
  CHECK(resource_version<api::Ticket>(InitPage<api::Ticket>{"c", {}}).empty());
  CHECK(resource_version<api::Ticket>(InitListed{"3"}) == "3");
  CHECK(resource_version<api::Ticket>(Watching{"4"}) == "4");
}

}  // namespace
}  // namespace korder::kclient::watcher
