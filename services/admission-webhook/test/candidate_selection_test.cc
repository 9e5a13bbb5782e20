#include "candidate_selection.h"

#include <catch2/catch.hpp>
#include <map>

#include "korder/api/scheduling_predicates.h"
#include "test_support.h"

namespace korder::webhook {
namespace {

using testing::FakeTicketSource;
using testing::node;
using testing::pod_from_json;
using testing::pod_json;
using testing::ticket;

const TimePoint kNow = TimePoint(std::chrono::seconds(1'800'000'000));

std::uint64_t counter_random() {
  static std::uint64_t n = 0;
  return ++n;
}

Selection select(const FakeTicketSource& source, const api::Pod& pod,
                 const TicketRequest& request = {},
                 const std::function<bool(const api::Ticket&)>& skip = nullptr) {
  return select_candidates(pod, "default", request, source, kNow, skip, counter_random);
}

std::vector<std::string> names(const Selection& selection) {
  std::vector<std::string> out;
  for (const Candidate& c : selection.candidates) {
    out.push_back(c.ticket->metadata.name);
  }
  return out;
}

FakeTicketSource one_node_source() {
  FakeTicketSource source;
  source.add(node("n1", {{"node-type", "compute"}, {"zone", "3"}}));
  return source;
}

TEST_CASE("a Ready unclaimed ticket that covers the pod is a candidate", "[unit]") {
  auto source = one_node_source();
  source.add(ticket("t1", "n1", "1"));
  const auto selection = select(source, pod_from_json(pod_json("500m")));
  CHECK(names(selection) == std::vector<std::string>{"t1"});
  CHECK(selection.reason.empty());
}

TEST_CASE("tickets that are not claimable are never candidates", "[unit]") {
  auto source = one_node_source();
  auto pending = ticket("pending", "n1", "1");
  pending.status.phase = "Pending";
  auto no_node = ticket("no-node", "", "1");
  auto deleting = ticket("deleting", "n1", "1");
  deleting.metadata.deletion_timestamp = kNow;
  auto expired = ticket("expired", "n1", "1", "1Gi", kNow - std::chrono::seconds(1));
  auto claimed = ticket("claimed", "n1", "1");
  claimed.status.claim = api::TicketClaim{};
  claimed.status.claim->token = "abc";
  claimed.status.claim->deadline = kNow + std::chrono::seconds(10);
  auto handed_off = ticket("handed-off", "n1", "1");
  handed_off.status.claim = api::TicketClaim{};
  handed_off.status.claim->pod_uid = "uid-1";
  handed_off.status.claim->deadline = kNow - std::chrono::seconds(10);
  auto done = ticket("done", "n1", "1");
  done.status.phase = "Claimed";
  done.status.claimed_pod = "default/p";
  for (auto* t : {&pending, &no_node, &deleting, &expired, &claimed, &handed_off, &done}) {
    source.add(*t);
  }
  const auto selection = select(source, pod_from_json(pod_json("500m")));
  CHECK(selection.candidates.empty());
  CHECK_THAT(selection.reason, Catch::Contains("7 ticket(s)"));
  CHECK_THAT(selection.reason, Catch::Contains("already claimed"));
  CHECK_THAT(selection.reason, Catch::Contains("not Ready (phase Pending)"));
}

TEST_CASE("a ticket whose claim passed its deadline is claimable again", "[unit]") {
  auto source = one_node_source();
  auto stale = ticket("stale", "n1", "1");
  stale.status.claim = api::TicketClaim{};
  stale.status.claim->token = "old";
  stale.status.claim->deadline = kNow - std::chrono::seconds(1);
  source.add(stale);
  CHECK(names(select(source, pod_from_json(pod_json("500m")))) ==
        std::vector<std::string>{"stale"});
}

TEST_CASE("a ticket too small for the pod's effective requests is refused", "[unit]") {
  auto source = one_node_source();
  source.add(ticket("small-cpu", "n1", "250m"));
  source.add(ticket("small-memory", "n1", "4", "128Mi"));
  const auto selection = select(source, pod_from_json(pod_json("500m", "256Mi")));
  CHECK(selection.candidates.empty());
  CHECK_THAT(selection.reason, Catch::Contains("2 too small for the pod's requests"));
}

TEST_CASE("limits without requests count as requests, as the API server defaults them", "[unit]") {
  auto source = one_node_source();
  source.add(ticket("t1", "n1", "1"));
  const auto pod = pod_from_json(
      R"({"metadata":{"name":"p","annotations":{"korder.dev/required":"true"}},"spec":{"containers":[{"name":"a","resources":{"limits":{"cpu":"2"}}}]}})");
  CHECK(select(source, pod).candidates.empty());
}

TEST_CASE("an extended resource the ticket does not hold is refused", "[unit]") {
  auto source = one_node_source();
  source.add(ticket("t1", "n1", "4"));
  const auto pod = pod_from_json(
      R"({"metadata":{"name":"p"},"spec":{"containers":[{"name":"a","resources":{"requests":{"cpu":"1","nvidia.com/gpu":"1"}}}]}})");
  CHECK(select(source, pod).candidates.empty());
}

TEST_CASE("the pod's nodeSelector must match the ticket's node", "[unit]") {
  auto source = one_node_source();
  source.add(node("n2", {{"node-type", "memory"}}));
  source.add(ticket("on-n1", "n1", "1"));
  source.add(ticket("on-n2", "n2", "1"));
  const auto pod = pod_from_json(
      R"({"metadata":{"name":"p"},"spec":{"nodeSelector":{"node-type":"memory"},"containers":[{"name":"a","resources":{"requests":{"cpu":"1"}}}]}})");
  const auto selection = select(source, pod);
  CHECK(names(selection) == std::vector<std::string>{"on-n2"});
}

TEST_CASE("required node affinity with Gt and matchFields filters tickets by node", "[unit]") {
  auto source = one_node_source();  // n1: zone=3
  source.add(node("n2", {{"zone", "9"}}));
  source.add(ticket("on-n1", "n1", "1"));
  source.add(ticket("on-n2", "n2", "1"));
  const auto gt = pod_from_json(
      R"({"metadata":{"name":"p"},"spec":{"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{"matchExpressions":[{"key":"zone","operator":"Gt","values":["5"]}]}]}}},"containers":[{"name":"a"}]}})");
  CHECK(names(select(source, gt)) == std::vector<std::string>{"on-n2"});
  const auto fields = pod_from_json(
      R"({"metadata":{"name":"p"},"spec":{"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{"matchFields":[{"key":"metadata.name","operator":"In","values":["n1"]}]}]}}},"containers":[{"name":"a"}]}})");
  const auto selection = select(source, fields);
  CHECK(names(selection) == std::vector<std::string>{"on-n1"});
}

TEST_CASE("a ticket on a tainted node needs a toleration", "[unit]") {
  FakeTicketSource source;
  auto tainted = node("gpu-1");
  tainted.spec.taints.push_back(api::Taint{"gpu", "true", "NoSchedule", std::nullopt, {}});
  source.add(tainted);
  source.add(ticket("t1", "gpu-1", "1"));
  const auto plain =
      pod_from_json(R"({"metadata":{"name":"p"},"spec":{"containers":[{"name":"a"}]}})");
  const auto refused = select(source, plain);
  CHECK(refused.candidates.empty());
  CHECK_THAT(refused.reason, Catch::Contains("untolerated taint {gpu: true}"));
  const auto tolerant = pod_from_json(
      R"({"metadata":{"name":"p"},"spec":{"tolerations":[{"key":"gpu","operator":"Exists"}],"containers":[{"name":"a"}]}})");
  CHECK(names(select(source, tolerant)) == std::vector<std::string>{"t1"});
}

TEST_CASE("tickets on cordoned or unknown nodes are refused", "[unit]") {
  FakeTicketSource source;
  auto cordoned = node("n1");
  cordoned.spec.unschedulable = true;
  source.add(cordoned);
  source.add(ticket("cordoned", "n1", "1"));
  source.add(ticket("lost", "gone", "1"));
  const auto selection = select(source, pod_from_json(pod_json("100m")));
  CHECK(selection.candidates.empty());
  CHECK_THAT(selection.reason, Catch::Contains("node(s) were unschedulable"));
  CHECK_THAT(selection.reason, Catch::Contains("node not found"));
}

TEST_CASE("candidates come best fit first, then soonest expiry, then at random", "[unit]") {
  auto source = one_node_source();
  source.add(ticket("big", "n1", "4", "256Mi"));
  source.add(ticket("exact-late", "n1", "500m", "256Mi", kNow + std::chrono::hours(5)));
  source.add(ticket("exact-soon", "n1", "500m", "256Mi", kNow + std::chrono::hours(1)));
  source.add(ticket("medium", "n1", "1", "256Mi"));
  const auto selection = select(source, pod_from_json(pod_json("500m", "256Mi")));
  CHECK(names(selection) == std::vector<std::string>{"exact-soon", "exact-late", "medium", "big"});
  CHECK(selection.candidates[0].score == 0);
  CHECK(selection.candidates[2].score == api::kFitScoreScale / 2);
}

TEST_CASE("ranking scores each holding as fit_score does, however many tickets share one",
          "[unit]") {
  // Twelve distinct holdings (more than the per-selection memo keeps), each on three tickets,
  // plus tickets too small: every candidate carries fit_score's own score, best first.
  auto source = one_node_source();
  const std::vector<std::string> cpus = {"500m", "600m", "700m", "750m", "1",   "1200m",
                                         "1500m", "2",   "2500m", "3",   "3500m", "4"};
  for (std::size_t h = 0; h < cpus.size(); ++h) {
    for (int copy = 0; copy < 3; ++copy) {
      source.add(ticket("t" + std::to_string(h) + "-" + std::to_string(copy), "n1", cpus[h],
                        std::to_string(1 + h % 3) + "Gi"));
    }
  }
  source.add(ticket("tiny", "n1", "100m"));
  const api::Pod pod = pod_from_json(pod_json("500m", "512Mi"));
  const auto wanted = api::FitResources::wanted(api::effective_requests(pod.spec));
  const auto selection =
      select_candidates(pod, "default", {}, source, kNow, nullptr, counter_random, 1000);
  REQUIRE(selection.candidates.size() == 36);
  CHECK(selection.eligible == 36);
  std::int64_t previous = -1;
  for (const Candidate& c : selection.candidates) {
    const auto expected = api::fit_score(api::FitResources::held(c.ticket->spec), wanted);
    REQUIRE(expected.has_value());
    CHECK(c.score == *expected);
    CHECK(c.score >= previous);  // best fit (lowest score) first
    previous = c.score;
  }
}

TEST_CASE("equal tickets are ordered by the random tie-break, one draw per selection", "[unit]") {
  auto source = one_node_source();
  const std::vector<std::string> equal = {"a", "b", "c", "d"};
  for (const std::string& name : equal) {
    source.add(ticket(name, "n1", "1"));
  }
  const auto pod = pod_from_json(pod_json("1", "1Gi"));
  int draws = 0;
  std::uint64_t seed = 0;
  const auto random = [&] {
    ++draws;
    return seed;
  };
  // The same draw gives the same order.
  seed = 42;
  const auto first = names(select_candidates(pod, "default", {}, source, kNow, nullptr, random));
  CHECK(names(select_candidates(pod, "default", {}, source, kNow, nullptr, random)) == first);
  CHECK(draws == 2);
  // Over many draws every equal ticket comes first about as often as the others.
  std::map<std::string, int> firsts;
  for (seed = 0; seed < 4000; ++seed) {
    const auto selection = select_candidates(pod, "default", {}, source, kNow, nullptr, random, 1);
    REQUIRE(selection.candidates.size() == 1);
    ++firsts[selection.candidates[0].ticket->metadata.name];
  }
  for (const std::string& name : equal) {
    INFO(name);
    CHECK(firsts[name] > 800);  // 1000 expected of each
    CHECK(firsts[name] < 1200);
  }
}

TEST_CASE("a limited selection returns the best candidates in order and counts them all",
          "[unit]") {
  auto source = one_node_source();
  source.add(ticket("big", "n1", "4", "256Mi"));
  source.add(ticket("exact-late", "n1", "500m", "256Mi", kNow + std::chrono::hours(5)));
  source.add(ticket("exact-soon", "n1", "500m", "256Mi", kNow + std::chrono::hours(1)));
  source.add(ticket("medium", "n1", "1", "256Mi"));
  source.add(ticket("small", "n1", "100m", "256Mi"));  // too small: not eligible
  const auto pod = pod_from_json(pod_json("500m", "256Mi"));
  for (std::size_t limit : {0, 1}) {
    const auto one =
        select_candidates(pod, "default", {}, source, kNow, nullptr, counter_random, limit);
    CHECK(names(one) == std::vector<std::string>{"exact-soon"});
    CHECK(one.eligible == 4);
  }
  const auto two = select_candidates(pod, "default", {}, source, kNow, nullptr, counter_random, 2);
  CHECK(names(two) == std::vector<std::string>{"exact-soon", "exact-late"});
  CHECK(two.eligible == 4);
  const auto all = select_candidates(pod, "default", {}, source, kNow, nullptr, counter_random, 10);
  CHECK(names(all) == std::vector<std::string>{"exact-soon", "exact-late", "medium", "big"});
  CHECK(all.eligible == 4);
}

TEST_CASE("tickets being claimed by this process are skipped", "[unit]") {
  auto source = one_node_source();
  source.add(ticket("busy", "n1", "1"));
  source.add(ticket("free", "n1", "2"));
  const auto skip = [](const api::Ticket& t) { return t.metadata.name == "busy"; };
  const auto selection = select(source, pod_from_json(pod_json("1")), {}, skip);
  CHECK(names(selection) == std::vector<std::string>{"free"});
}

TEST_CASE("tickets of other namespaces are never candidates", "[unit]") {
  auto source = one_node_source();
  auto other = ticket("other", "n1", "1");
  other.metadata.namespace_ = "team-b";
  source.add(other);
  const auto selection = select(source, pod_from_json(pod_json("1")));
  CHECK(selection.candidates.empty());
  CHECK(selection.reason == "no ticket in namespace default");
}

TEST_CASE("each ticket-request form narrows the candidates", "[unit]") {
  auto source = one_node_source();
  auto a = ticket("a", "n1", "1");
  a.metadata.labels["korder.dev/group"] = "blue";
  a.metadata.labels["tier"] = "gold";
  auto b = ticket("b", "n1", "1");
  b.metadata.labels["korder.dev/order"] = "order-b";
  b.metadata.labels["tier"] = "silver";
  source.add(a);
  source.add(b);
  const auto pod = pod_from_json(pod_json("1"));
  const auto request = [](std::map<std::string, std::string> annotations) {
    return *parse_ticket_request(annotations);
  };
  CHECK(names(select(source, pod, request({{"korder.dev/ticket-request", "name:b"}}))) ==
        std::vector<std::string>{"b"});
  CHECK(names(select(source, pod, request({{"korder.dev/ticket-request", "group:blue"}}))) ==
        std::vector<std::string>{"a"});
  CHECK(names(select(source, pod,
                     request({{"korder.dev/ticket-request", "selector:tier in (silver)"}}))) ==
        std::vector<std::string>{"b"});
  CHECK(names(select(source, pod, request({{"korder.dev/order", "order-b"}}))) ==
        std::vector<std::string>{"b"});
  const auto none =
      select(source, pod,
             request({{"korder.dev/order", "order-a"}, {"korder.dev/ticket-request", "name:b"}}));
  CHECK(none.candidates.empty());
  CHECK(none.reason == "no ticket in namespace default of order order-a named b");
}

TEST_CASE("malformed ticket requests are errors naming the annotation and value", "[unit]") {
  using Map = std::map<std::string, std::string>;
  const auto error = [](Map annotations) { return parse_ticket_request(annotations).error(); };
  CHECK_THAT(error(Map{{"korder.dev/ticket-request", "bogus"}}),
             Catch::Contains("korder.dev/ticket-request") && Catch::Contains("\"bogus\""));
  CHECK_THAT(error(Map{{"korder.dev/ticket-request", "color:red"}}),
             Catch::Contains("unknown form"));
  CHECK_THAT(error(Map{{"korder.dev/ticket-request", "name:"}}), Catch::Contains("empty value"));
  CHECK_THAT(error(Map{{"korder.dev/ticket-request", "selector:a=(b"}}),
             Catch::Contains("invalid selector"));
  CHECK_THAT(error(Map{{"korder.dev/order", ""}}), Catch::Contains("korder.dev/order"));
  CHECK(parse_ticket_request(Map{}).has_value());
}

TEST_CASE("only the exact value true opts a pod in", "[unit]") {
  CHECK(pod_requires_ticket({{"korder.dev/required", "true"}}));
  CHECK_FALSE(pod_requires_ticket({{"korder.dev/required", "True"}}));
  CHECK_FALSE(pod_requires_ticket({{"korder.dev/required", "false"}}));
  CHECK_FALSE(pod_requires_ticket({}));
}

}  // namespace
}  // namespace korder::webhook
