// The informer against the real development cluster: a watch the server drops is resumed from
// its resourceVersion, and a 410 after a disconnection forces a relist that delivers what was
// missed, deletions included (as tombstones).

#include <algorithm>
#include <catch2/catch.hpp>
#include <mutex>
#include <string>
#include <vector>

#include "cluster_client.h"
#include "korder/api/order.h"
#include "korder/kclient/informer.h"
#include "tcp_proxy.h"

namespace korder::kclient::integration {
namespace {

using namespace std::chrono_literals;
using korder::testing::TestCluster;

// What the handlers saw, as `add a`, `update a`, `delete a` or `delete a (tombstone)`. Handlers
// run on the informer's strand; the test thread reads under the lock.
class Recorder {
 public:
  ResourceEventHandler<api::Order> handler() {
    using Ptr = std::shared_ptr<const api::Order>;
    return {[this](const Ptr& o) { record("add " + o->metadata.name); },
            [this](const Ptr&, const Ptr& n) { record("update " + n->metadata.name); },
            [this](const DeletedObject<api::Order>& d) {
              record("delete " + d.object->metadata.name +
                     (d.final_state_unknown ? " (tombstone)" : ""));
            }};
  }

  bool saw(const std::string& line) const {
    std::lock_guard lock(mu_);
    return std::find(log_.begin(), log_.end(), line) != log_.end();
  }

  bool saw_prefix(const std::string& prefix) const {
    std::lock_guard lock(mu_);
    return std::any_of(log_.begin(), log_.end(),
                       [&](const std::string& line) { return line.rfind(prefix, 0) == 0; });
  }

  std::string dump() const {
    std::lock_guard lock(mu_);
    std::string out;
    for (const auto& line : log_) {
      out += line + "; ";
    }
    return out;
  }

 private:
  void record(std::string line) {
    std::lock_guard lock(mu_);
    log_.push_back(std::move(line));
  }

  mutable std::mutex mu_;
  std::vector<std::string> log_;
};

// Short timings through the options production sets.
InformerOptions order_informer_options() {
  InformerOptions options;
  options.resource = resources::orders();
  options.namespace_ = "default";
  options.page_size = 10;
  options.min_watch_timeout = 60s;
  options.backoff.initial_delay = 20ms;
  options.backoff.max_delay = 200ms;
  return options;
}

std::unique_ptr<Informer<api::Order>> started_informer(ClusterClient& c, Recorder& recorder) {
  auto informer = std::make_unique<Informer<api::Order>>(c.client(), c.io(), c.clock(),
                                                         order_informer_options());
  informer->add_event_handler(recorder.handler());
  informer->start();
  REQUIRE(informer->wait_for_sync(10s));
  // The watch is open once its first event (the server's initial bookmark) has arrived.
  REQUIRE(eventually([&] { return informer->stats().events > 0; }));
  return informer;
}

TEST_CASE("an informer's watch survives the server dropping it and resumes from its version",
          "[integration]") {
  TestCluster cluster;
  cluster.install_crds();
  ClusterClient c(cluster.plain_kubeconfig());
  REQUIRE(c->create(make_order("default", "before")).has_value());

  Recorder recorder;
  auto informer = started_informer(c, recorder);
  CHECK(recorder.saw("add before"));
  const ReflectorStats synced = informer->stats();
  CHECK(synced.watch_calls == 1);

  REQUIRE(cluster.admin("/admin/drop-watches").status == 200);
  // Likely made while no watch is open: the next watch starts from the last version seen.
  REQUIRE(c->create(make_order("default", "during")).has_value());
  REQUIRE(eventually([&] { return informer->stats().watch_calls >= 2; }));
  REQUIRE(c->create(make_order("default", "after")).has_value());
  REQUIRE(c->patch<api::Order>("default", "before", PatchType::Merge,
                               R"({"metadata":{"labels":{"seen":"after-drop"}}})")
              .has_value());

  INFO("handlers saw: " << recorder.dump());
  CHECK(eventually([&] {
    return recorder.saw("add during") && recorder.saw("add after") && recorder.saw("update before");
  }));
  auto before = informer->store().get("default/before");
  REQUIRE(before != nullptr);
  CHECK(before->metadata.labels.count("seen") == 1);
  CHECK(informer->store().get("default/after") != nullptr);
  // Resumed from the history, without a relist.
  const ReflectorStats after = informer->stats();
  CHECK(after.relists == 0);
  CHECK(after.list_calls == synced.list_calls);
  CHECK_FALSE(recorder.saw_prefix("delete"));
}

TEST_CASE("a 410 after a disconnection forces a relist that delivers a missed delete",
          "[integration]") {
  TestCluster cluster({"--history", "50"});
  cluster.install_crds();
  REQUIRE_FALSE(cluster.ca_file().empty());
  ClusterClient direct(cluster.kubeconfig());
  for (const char* name : {"kept", "deleted-in-gap", "changed-in-gap"}) {
    REQUIRE(direct->create(make_order("default", name)).has_value());
  }

  // The informer reaches the cluster (over HTTPS, verified) through a proxy the test can cut.
  TcpProxy proxy(korder::testing::port_of(cluster.https_url()));
  ClusterClient proxied(write_kubeconfig(cluster.dir() + "/kubeconfig-proxied",
                                         "https://127.0.0.1:" + std::to_string(proxy.port()),
                                         cluster.ca_file()));
  Recorder recorder;
  auto informer = started_informer(proxied, recorder);
  CHECK(informer->store().list().size() == 3);

  proxy.cut();
  REQUIRE(eventually([&] { return informer->stats().errors > 0; }));

  // While the informer cannot see the cluster: a delete, a change and an addition, then the
  // history it would resume from is compacted away.
  auto doomed = direct->get<api::Order>("default", "deleted-in-gap");
  REQUIRE(doomed.has_value());
  REQUIRE(direct->remove<api::Order>("default", "deleted-in-gap").has_value());
  REQUIRE(direct
              ->patch<api::Order>("default", "changed-in-gap", PatchType::Merge,
                                  R"({"spec":{"replicas":7}})")
              .has_value());
  REQUIRE(direct->create(make_order("default", "added-in-gap")).has_value());
  REQUIRE(cluster.admin("/admin/compact").status == 200);
  CHECK_FALSE(recorder.saw_prefix("delete"));

  proxy.restore();
  INFO("handlers saw: " << recorder.dump());
  REQUIRE(eventually([&] {
    return recorder.saw("delete deleted-in-gap (tombstone)") && recorder.saw("add added-in-gap") &&
           recorder.saw("update changed-in-gap");
  }));
  const auto& store = informer->store();
  CHECK(store.get("default/deleted-in-gap") == nullptr);
  REQUIRE(store.get("default/added-in-gap") != nullptr);
  auto changed = store.get("default/changed-in-gap");
  REQUIRE(changed != nullptr);
  CHECK(changed->spec.replicas == 7);
  CHECK(store.get("default/kept") != nullptr);
  CHECK(store.list().size() == 3);
  CHECK_FALSE(recorder.saw_prefix("delete kept"));
  CHECK(informer->stats().relists >= 1);

  // And it watches again afterwards: a plain delete now arrives as a DELETED event.
  REQUIRE(direct->remove<api::Order>("default", "kept").has_value());
  CHECK(eventually([&] { return recorder.saw("delete kept"); }));
  CHECK(store.get("default/kept") == nullptr);
}

}  // namespace
}  // namespace korder::kclient::integration
