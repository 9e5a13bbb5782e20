#include "korder/kclient/event_recorder.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "absl/synchronization/notification.h"
#include "korder/api/meta.h"
#include "korder/kclient/testing/eventually.h"
#include "korder/kclient/testing/fake_clock.h"
#include "korder/kclient/testing/recording_event_sink.h"

namespace korder::kclient {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;
using testing::FakeClock;
using testing::RecordingEventSink;

struct Order {
  api::ObjectMeta metadata;
};

api::ObjectReference order_ref(std::string ns, std::string name) {
  Order order;
  order.metadata.namespace_ = std::move(ns);
  order.metadata.name = std::move(name);
  order.metadata.uid = "uid-" + order.metadata.name;
  order.metadata.resource_version = "7";
  return object_reference(order, "core.korder.dev/v1alpha1", "Order");
}

EventRecorderOptions options() {
  EventRecorderOptions o;
  o.component = "korder-order-controller";
  o.instance = "order-7d9f_1b4e";
  return o;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_CASE("an event becomes a core/v1 Event about the object", "[unit][kclient]") {
  FakeClock clock;
  MetricsRegistry metrics;
  RecordingEventSink sink;
  EventRecorder recorder(sink, clock, metrics, options());
  recorder.start();
  recorder.normal(order_ref("team-a", "nightly"), "TicketCreated", "created ticket nightly-1a2b");
  recorder.stop();

  // client-go's name: <object>.<hex of the Unix time in nanoseconds>.
  CHECK(sink.writes() == std::vector<std::string>{"create team-a/nightly.17a6101701650000"});
  const api::Event event = sink.events().at("team-a/nightly.17a6101701650000");
  CHECK(event.api_version == "v1");
  CHECK(event.kind == "Event");
  CHECK(event.involved_object.kind == "Order");
  CHECK(event.involved_object.api_version == "core.korder.dev/v1alpha1");
  CHECK(event.involved_object.namespace_ == "team-a");
  CHECK(event.involved_object.name == "nightly");
  CHECK(event.involved_object.uid == "uid-nightly");
  CHECK(event.type == "Normal");
  CHECK(event.reason == "TicketCreated");
  CHECK(event.message == "created ticket nightly-1a2b");
  CHECK(event.source.component == "korder-order-controller");
  CHECK(event.reporting_component == "korder-order-controller");
  CHECK(event.reporting_instance == "order-7d9f_1b4e");
  CHECK(event.first_timestamp == clock.now());
  CHECK(event.last_timestamp == clock.now());
  CHECK(event.count == 1);
  CHECK(contains(metrics.expose(), "korder_events_written_total{operation=\"create\"} 1\n"));
}

TEST_CASE("an event about a cluster-scoped object goes to the default namespace",
          "[unit][kclient]") {
  FakeClock clock;
  MetricsRegistry metrics;
  RecordingEventSink sink;
  EventRecorder recorder(sink, clock, metrics, options());
  recorder.start();
  recorder.warning(order_ref("", "team-quota"), "QuotaExceeded", "over");
  recorder.stop();
  CHECK(sink.writes() == std::vector<std::string>{"create default/team-quota.17a6101701650000"});
}

TEST_CASE("a repeated event increments the count of the existing Event", "[unit][kclient]") {
  FakeClock clock;
  MetricsRegistry metrics;
  RecordingEventSink sink;
  EventRecorder recorder(sink, clock, metrics, options());
  const TimePoint first = clock.now();
  recorder.start();
  recorder.warning(order_ref("ns", "o"), "CreateFailed", "quota exceeded");
  clock.advance(seconds(30));
  recorder.warning(order_ref("ns", "o"), "CreateFailed", "quota exceeded");
  clock.advance(seconds(30));
  recorder.warning(order_ref("ns", "o"), "CreateFailed", "quota exceeded");
  recorder.stop();

  const std::string name = "ns/o.17a6101701650000";
  CHECK(sink.writes() == std::vector<std::string>{"create " + name, "patch " + name + " count=2",
                                                  "patch " + name + " count=3"});
  const api::Event event = sink.events().at(name);
  CHECK(event.count == 3);
  CHECK(event.first_timestamp == first);
  CHECK(event.last_timestamp == first + minutes(1));
  CHECK(contains(metrics.expose(), "korder_events_written_total{operation=\"patch\"} 2\n"));
}

TEST_CASE("Event names stay unique when events come at the same instant", "[unit][kclient]") {
  FakeClock clock;
  MetricsRegistry metrics;
  RecordingEventSink sink;
  EventRecorder recorder(sink, clock, metrics, options());
  recorder.start();
  recorder.normal(order_ref("ns", "o"), "A", "x");
  recorder.normal(order_ref("ns", "o"), "B", "x");
  recorder.stop();
  CHECK(sink.writes() ==
        std::vector<std::string>{"create ns/o.17a6101701650000", "create ns/o.17a6101701650001"});
}

TEST_CASE("events that differ in message, reason or type are separate Events", "[unit][kclient]") {
  FakeClock clock;
  MetricsRegistry metrics;
  RecordingEventSink sink;
  EventRecorder recorder(sink, clock, metrics, options());
  recorder.start();
  recorder.normal(order_ref("ns", "o"), "Scaled", "to 3");
  recorder.normal(order_ref("ns", "o"), "Scaled", "to 4");
  recorder.normal(order_ref("ns", "o"), "Paused", "to 4");
  recorder.warning(order_ref("ns", "o"), "Paused", "to 4");
  recorder.stop();
  const auto writes = sink.writes();
  REQUIRE(writes.size() == 4);
  for (const std::string& write : writes) {
    CHECK(write.rfind("create ", 0) == 0);
  }
}

TEST_CASE("an identical event after the dedupe window is a new Event", "[unit][kclient]") {
  FakeClock clock;
  MetricsRegistry metrics;
  RecordingEventSink sink;
  EventRecorder recorder(sink, clock, metrics, options());
  recorder.start();
  recorder.normal(order_ref("ns", "o"), "Synced", "ok");
  clock.advance(minutes(9));
  recorder.normal(order_ref("ns", "o"), "Synced", "ok");
  clock.advance(minutes(11));
  recorder.normal(order_ref("ns", "o"), "Synced", "ok");
  recorder.stop();
  CHECK(sink.writes() == std::vector<std::string>{"create ns/o.17a6101701650000",
                                                  "patch ns/o.17a6101701650000 count=2",
                                                  "create ns/o.17a6112e66f7e000"});
}

TEST_CASE("a repeated event whose Event expired is created again with the running count",
          "[unit][kclient]") {
  FakeClock clock;
  MetricsRegistry metrics;
  RecordingEventSink sink;
  EventRecorder recorder(sink, clock, metrics, options());
  recorder.normal(order_ref("ns", "o"), "Synced", "ok");
  recorder.start();
  // Expire the Event once the recorder wrote it, then repeat the event.
  REQUIRE(testing::eventually([&] { return !sink.events().empty(); }));
  sink.expire("ns", "o.17a6101701650000");
  recorder.normal(order_ref("ns", "o"), "Synced", "ok");
  recorder.stop();
  CHECK(sink.writes() == std::vector<std::string>{"create ns/o.17a6101701650000",
                                                  "patch ns/o.17a6101701650000 count=2",
                                                  "create ns/o.17a6101701650000"});
  CHECK(sink.events().at("ns/o.17a6101701650000").count == 2);
}

TEST_CASE("each object may burst 25 events, then one per 5 minutes", "[unit][kclient]") {
  FakeClock clock;
  MetricsRegistry metrics;
  RecordingEventSink sink;
  EventRecorder recorder(sink, clock, metrics, options());
  recorder.start();
  for (int i = 0; i < 30; ++i) {
    recorder.normal(order_ref("ns", "noisy"), "Tick", "tick " + std::to_string(i));
  }
  recorder.normal(order_ref("ns", "quiet"), "Tick", "tick");  // its own bucket
  recorder.stop();
  CHECK(sink.writes().size() == 26);
  CHECK(contains(metrics.expose(), "korder_events_dropped_total{cause=\"rate_limited\"} 5\n"));

  EventRecorder later(sink, clock, metrics, options());  // a fresh bucket: burst again
  later.start();
  for (int i = 0; i < 25; ++i) {
    later.normal(order_ref("ns", "noisy"), "Tock", "tock " + std::to_string(i));
  }
  // The bucket refills on the clock as the writer sees it: let it write these first.
  REQUIRE(testing::eventually([&] { return sink.writes().size() == 26 + 25; }));
  clock.advance(minutes(5));
  later.normal(order_ref("ns", "noisy"), "Tock", "after 5 minutes");
  later.normal(order_ref("ns", "noisy"), "Tock", "too soon");
  later.stop();
  const auto writes = sink.writes();
  CHECK(writes.size() == 26 + 26);
  CHECK(contains(metrics.expose(), "korder_events_dropped_total{cause=\"rate_limited\"} 6\n"));
}

TEST_CASE("a full queue drops new events and counts them", "[unit][kclient]") {
  FakeClock clock;
  MetricsRegistry metrics;
  RecordingEventSink sink;
  EventRecorderOptions o = options();
  o.queue_capacity = 3;
  EventRecorder recorder(sink, clock, metrics, o);
  for (int i = 0; i < 5; ++i) {  // not started: nothing drains the queue
    recorder.normal(order_ref("ns", "o" + std::to_string(i)), "Created", "x");
  }
  CHECK(contains(metrics.expose(), "korder_events_dropped_total{cause=\"queue_full\"} 2\n"));
  recorder.start();
  recorder.stop();
  CHECK(sink.writes().size() == 3);
}

// A sink that holds the recorder's thread inside its first write until released.
class StuckSink final : public EventSink {
 public:
  explicit StuckSink(EventSink& inner) : inner_(inner) {}
  Expected<api::Event, ApiError> create(const api::Event& event) override {
    if (!entered.HasBeenNotified()) {
      entered.Notify();
    }
    release.WaitForNotification();
    return inner_.create(event);
  }
  Expected<api::Event, ApiError> patch_count(const std::string& ns, const std::string& name,
                                             std::int32_t count, TimePoint at) override {
    return inner_.patch_count(ns, name, count, at);
  }
  absl::Notification entered;
  absl::Notification release;

 private:
  EventSink& inner_;
};

TEST_CASE("recording never waits for a slow API server", "[unit][kclient]") {
  FakeClock clock;
  MetricsRegistry metrics;
  RecordingEventSink sink;
  StuckSink stuck(sink);
  EventRecorderOptions o = options();
  o.queue_capacity = 2;
  EventRecorder recorder(stuck, clock, metrics, o);
  recorder.start();
  recorder.normal(order_ref("ns", "a"), "Created", "x");
  stuck.entered.WaitForNotification();  // the writer is stuck in the API call
  for (int i = 0; i < 10; ++i) {        // these return at once: queued or dropped
    recorder.normal(order_ref("ns", "b" + std::to_string(i)), "Created", "x");
  }
  CHECK(contains(metrics.expose(), "korder_events_dropped_total{cause=\"queue_full\"} 8\n"));
  stuck.release.Notify();
  recorder.stop();
  CHECK(sink.writes().size() == 3);
}

TEST_CASE("an event with an unknown type or a failed write is dropped and counted",
          "[unit][kclient]") {
  FakeClock clock;
  MetricsRegistry metrics;
  RecordingEventSink sink;
  EventRecorder recorder(sink, clock, metrics, options());
  recorder.event(order_ref("ns", "o"), "Info", "Whatever", "x");
  sink.fail_next(ApiError::from_response(500, "", "POST"));
  recorder.start();
  recorder.normal(order_ref("ns", "o"), "Created", "x");
  recorder.stop();
  CHECK(sink.writes() == std::vector<std::string>{"create ns/o.17a6101701650000"});
  CHECK(sink.events().empty());
  const std::string text = metrics.expose();
  CHECK(contains(text, "korder_events_dropped_total{cause=\"invalid\"} 1\n"));
  CHECK(contains(text, "korder_events_dropped_total{cause=\"write_failed\"} 1\n"));
  CHECK(contains(text, "korder_events_written_total{operation=\"create\"} 0\n"));
}

}  // namespace
}  // namespace korder::kclient
