// The REST client against the real development cluster: typed and untyped calls, blocking and
// awaitable, namespaced and cluster-scoped, over HTTPS (verified against the cluster's CA) and
// plain HTTP, with the API's errors coming back as ApiError values.

#include <algorithm>
#include <catch2/catch.hpp>
#include <future>
#include <set>
#include <string>
#include <vector>

#include "cluster_client.h"
#include "korder/api/namespace.h"
#include "korder/api/node.h"
#include "korder/kclient/rest_client.h"

namespace korder::kclient::integration {
namespace {

using namespace std::chrono_literals;
using korder::testing::TestCluster;

bool has_cause(const ApiError& error, const std::string& field) {
  return std::any_of(error.causes().begin(), error.causes().end(),
                     [&](const ApiError::Cause& c) { return c.field == field; });
}

DeleteOptions with_preconditions(std::optional<std::string> uid,
                                 std::optional<std::string> resource_version) {
  DeleteOptions options;
  options.preconditions = Preconditions(std::move(uid), std::move(resource_version));
  return options;
}

TEST_CASE("orders go through get, list, create, update, status, patches and delete over HTTPS",
          "[integration]") {
  TestCluster cluster;
  cluster.install_crds();
  ClusterClient c(cluster.kubeconfig());
  REQUIRE(c.config().url.scheme == "https");
  REQUIRE_FALSE(c.config().tls.ca_pem.empty());

  auto created = c->create(make_order("default", "a"));
  REQUIRE(created.has_value());
  CHECK_FALSE(created->metadata.uid.empty());
  CHECK(created->metadata.generation == 1);
  CHECK(created->spec.strategy.refresh_policy == "OnClaim");  // the CRD's default, applied

  auto got = c->get<api::Order>("default", "a");
  REQUIRE(got.has_value());
  CHECK(got->metadata.uid == created->metadata.uid);
  CHECK(got->metadata.resource_version == created->metadata.resource_version);

  REQUIRE(c->create(make_order("default", "other")).has_value());
  auto listed = c->list<api::Order>("default");
  REQUIRE(listed.has_value());
  CHECK(listed->items.size() == 2);
  CHECK_FALSE(listed->metadata.resource_version.empty());

  // update (PUT): a spec change bumps the generation; status written here is ignored.
  api::Order changed = *got;
  changed.spec.replicas = 3;
  changed.status.desired = 99;
  auto updated = c->update(changed);
  REQUIRE(updated.has_value());
  CHECK(updated->spec.replicas == 3);
  CHECK(updated->metadata.generation == 2);
  CHECK(updated->status.desired == 0);
  CHECK(updated->metadata.resource_version != got->metadata.resource_version);

  // update_status (PUT /status): only the status changes, the generation does not.
  api::Order with_status = *updated;
  with_status.status.desired = 3;
  with_status.status.observed_generation = 2;
  with_status.spec.replicas = 7;
  auto status = c->update_status(with_status);
  REQUIRE(status.has_value());
  CHECK(status->status.desired == 3);
  CHECK(status->status.observed_generation == 2);
  CHECK(status->spec.replicas == 3);
  CHECK(status->metadata.generation == 2);

  // JSON merge patch.
  auto merged = c->patch<api::Order>("default", "a", PatchType::Merge,
                                     R"({"metadata":{"labels":{"team":"blue"}}})");
  REQUIRE(merged.has_value());
  CHECK(merged->metadata.labels.at("team") == "blue");

  // JSON patch with a `test` op: applied when the test holds, rejected whole when it does not.
  const std::string test_then_replace = R"([{"op":"test","path":"/spec/replicas","value":3},)"
                                        R"({"op":"replace","path":"/spec/replicas","value":4}])";
  auto json_patched = c->patch<api::Order>("default", "a", PatchType::Json, test_then_replace);
  REQUIRE(json_patched.has_value());
  CHECK(json_patched->spec.replicas == 4);
  auto failed_test = c->patch<api::Order>("default", "a", PatchType::Json, test_then_replace);
  REQUIRE_FALSE(failed_test.has_value());
  CHECK(failed_test.error().code() >= 400);
  CHECK(c->get<api::Order>("default", "a")->spec.replicas == 4);

  // Merge patch of the status subresource.
  PatchOptions status_patch;
  status_patch.subresource = "status";
  auto status_patched = c->patch<api::Order>("default", "a", PatchType::Merge,
                                             R"({"status":{"ready":2}})", status_patch);
  REQUIRE(status_patched.has_value());
  CHECK(status_patched->status.ready == 2);
  CHECK(status_patched->status.desired == 3);

  // Server-side apply with a field manager: creates the object, then changes it.
  PatchOptions apply;
  apply.field_manager = "kclient-integration-test";
  const std::string manifest =
      R"({"apiVersion":"core.korder.dev/v1alpha1","kind":"Order","metadata":{"name":"b",)"
      R"("namespace":"default"},"spec":{"replicas":1,"template":{"spec":{"duration":"2h"}}}})";
  auto applied = c->patch<api::Order>("default", "b", PatchType::Apply, manifest, apply);
  REQUIRE(applied.has_value());
  CHECK(applied->spec.replicas == 1);
  CHECK(applied->spec.template_.spec.duration == "2h");
  std::string reapplied_manifest = manifest;
  reapplied_manifest.replace(reapplied_manifest.find("\"replicas\":1"), 12, "\"replicas\":5");
  auto reapplied =
      c->patch<api::Order>("default", "b", PatchType::Apply, reapplied_manifest, apply);
  REQUIRE(reapplied.has_value());
  CHECK(reapplied->spec.replicas == 5);
  CHECK(reapplied->metadata.uid == applied->metadata.uid);
  auto no_manager = c->patch<api::Order>("default", "b", PatchType::Apply, manifest);
  REQUIRE_FALSE(no_manager.has_value());
  CHECK(no_manager.error().is_invalid());
  CHECK(has_cause(no_manager.error(), "fieldManager"));

  // Delete with preconditions: a wrong uid or a stale resourceVersion is a 409 Conflict and
  // deletes nothing; the right ones delete.
  auto wrong_uid = c->remove<api::Order>("default", "a", with_preconditions("not-the-uid", {}));
  REQUIRE_FALSE(wrong_uid.has_value());
  CHECK(wrong_uid.error().is_conflict());
  CHECK(wrong_uid.error().code() == 409);
  auto stale_rv = c->remove<api::Order>("default", "a",
                                        with_preconditions({}, created->metadata.resource_version));
  REQUIRE_FALSE(stale_rv.has_value());
  CHECK(stale_rv.error().is_conflict());
  auto current = c->get<api::Order>("default", "a");
  REQUIRE(current.has_value());
  DeleteOptions right =
      with_preconditions(current->metadata.uid, current->metadata.resource_version);
  right.propagation_policy = PropagationPolicy::Background;
  REQUIRE(c->remove<api::Order>("default", "a", right).has_value());
  auto gone = c->get<api::Order>("default", "a");
  REQUIRE_FALSE(gone.has_value());
  CHECK(gone.error().is_not_found());
  CHECK(gone.error().details().name == "a");
}

TEST_CASE("API failures come back as NotFound, AlreadyExists and Invalid values with causes",
          "[integration]") {
  TestCluster cluster;
  cluster.install_crds();
  ClusterClient c(cluster.plain_kubeconfig());
  REQUIRE(c.config().url.scheme == "http");

  auto missing = c->get<api::Order>("default", "nope");
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().is_not_found());
  CHECK(missing.error().code() == 404);
  CHECK(missing.error().details().name == "nope");
  CHECK(missing.error().to_string().find("getting orders.core.korder.dev default/nope") == 0);
  auto remove_missing = c->remove<api::Pod>("default", "nope");
  REQUIRE_FALSE(remove_missing.has_value());
  CHECK(remove_missing.error().is_not_found());
  auto no_namespace = c->create(make_pod("no-such-namespace", "p"));
  REQUIRE_FALSE(no_namespace.has_value());
  CHECK(no_namespace.error().is_not_found());

  REQUIRE(c->create(make_order("default", "dup")).has_value());
  auto duplicate = c->create(make_order("default", "dup"));
  REQUIRE_FALSE(duplicate.has_value());
  CHECK(duplicate.error().is_already_exists());
  CHECK_FALSE(duplicate.error().is_conflict());
  CHECK(duplicate.error().code() == 409);
  CHECK(duplicate.error().details().name == "dup");

  api::Order bad_strategy = make_order("default", "bad");
  bad_strategy.spec.strategy.type = "Sometimes";
  auto invalid_order = c->create(bad_strategy);
  REQUIRE_FALSE(invalid_order.has_value());
  CHECK(invalid_order.error().is_invalid());
  CHECK(invalid_order.error().code() == 422);
  CHECK(has_cause(invalid_order.error(), "spec.strategy.type"));
  CHECK(invalid_order.error().message().find("Sometimes") != std::string::npos);

  auto invalid_pod = c->create(make_pod("default", "Not_A_DNS_Name"));
  REQUIRE_FALSE(invalid_pod.has_value());
  CHECK(invalid_pod.error().is_invalid());
  CHECK(has_cause(invalid_pod.error(), "metadata.name"));

  // Errors are values, not retried: a 4xx is final.
  CHECK_FALSE(invalid_pod.error().is_retryable());
}

TEST_CASE("an update carrying a stale resourceVersion is a 409 Conflict", "[integration]") {
  TestCluster cluster;
  cluster.install_crds();
  ClusterClient c(cluster.kubeconfig());
  REQUIRE(c->create(make_order("default", "contended")).has_value());

  auto first_reader = c->get<api::Order>("default", "contended");
  auto second_reader = c->get<api::Order>("default", "contended");
  REQUIRE(first_reader.has_value());
  REQUIRE(second_reader.has_value());

  api::Order first = *first_reader;
  first.spec.replicas = 5;
  REQUIRE(c->update(first).has_value());

  api::Order second = *second_reader;  // still carries the version read before the write
  second.spec.replicas = 6;
  auto stale = c->update(second);
  REQUIRE_FALSE(stale.has_value());
  CHECK(stale.error().is_conflict());
  CHECK(stale.error().reason() == ApiError::Reason::Conflict);
  CHECK(stale.error().code() == 409);
  CHECK_FALSE(stale.error().is_already_exists());

  second.status.desired = 1;
  auto stale_status = c->update_status(second);
  REQUIRE_FALSE(stale_status.has_value());
  CHECK(stale_status.error().is_conflict());

  // Re-read and retry, as a controller does.
  auto fresh = c->get<api::Order>("default", "contended");
  REQUIRE(fresh.has_value());
  CHECK(fresh->spec.replicas == 5);
  fresh->spec.replicas = 6;
  auto retried = c->update(*fresh);
  REQUIRE(retried.has_value());
  CHECK(retried->spec.replicas == 6);
}

TEST_CASE("a list paged by 10 follows continue tokens and sees each of 25 orders once",
          "[integration]") {
  TestCluster cluster;
  cluster.install_crds();
  ClusterClient c(cluster.plain_kubeconfig());
  std::set<std::string> expected;
  for (int i = 0; i < 25; ++i) {
    const std::string name = "order-" + std::to_string(i);
    REQUIRE(c->create(make_order("default", name)).has_value());
    expected.insert(name);
  }
  REQUIRE(c->create(make_order("kube-public", "elsewhere")).has_value());

  std::vector<std::string> seen;
  std::vector<std::size_t> page_sizes;
  ListOptions options;
  options.limit = 10;
  std::string first_continue;
  do {
    auto page = c->list<api::Order>("default", options);
    REQUIRE(page.has_value());
    page_sizes.push_back(page->items.size());
    for (const auto& order : page->items) {
      seen.push_back(order.metadata.name);
    }
    options.continue_token = page->metadata.continue_;
    if (first_continue.empty()) {
      first_continue = options.continue_token;
    }
    REQUIRE(page_sizes.size() <= 5);
  } while (!options.continue_token.empty());

  CHECK(page_sizes == std::vector<std::size_t>{10, 10, 5});
  CHECK(seen.size() == 25);
  CHECK(std::set<std::string>(seen.begin(), seen.end()) == expected);

  ListOptions paged;
  paged.limit = 10;
  auto all = c->list_all<api::Order>("default", paged);
  REQUIRE(all.has_value());
  CHECK(all->items.size() == 25);
  CHECK(all->metadata.continue_.empty());
  auto everywhere = c->list_all<api::Order>("", paged);
  REQUIRE(everywhere.has_value());
  CHECK(everywhere->items.size() == 26);

  // A continue token older than the compacted revision has expired: 410, reason Expired.
  REQUIRE(c->create(make_order("default", "one-more")).has_value());  // a newer revision
  REQUIRE(cluster.admin("/admin/compact").status == 200);
  ListOptions expired;
  expired.limit = 10;
  expired.continue_token = first_continue;
  auto stale_page = c->list<api::Order>("default", expired);
  REQUIRE_FALSE(stale_page.has_value());
  CHECK(stale_page.error().is_gone());
  CHECK(stale_page.error().is_resource_expired());
  CHECK(stale_page.error().code() == 410);
  // The pager falls back to one unpaged list when its token expires; a fresh paged list works.
  auto after_compaction = c->list_all<api::Order>("default", paged);
  REQUIRE(after_compaction.has_value());
  CHECK(after_compaction->items.size() == 26);
}

// ---- Pods through the awaitable calls ------------------------------------------------------

// Creates `pod`, then reads it back: two calls in one coroutine, as io-thread code makes them.
boost::asio::awaitable<RestClient::Result<api::Pod>> create_then_get(RestClient& client,
                                                                     api::Pod pod) {
  auto created = co_await client.async_create(pod);
  if (!created) {
    co_return Unexpected(std::move(created).error());
  }
  co_return co_await client.async_get<api::Pod>(pod.metadata.namespace_, pod.metadata.name);
}

TEST_CASE("pods in a namespace go through the awaitable calls over plain HTTP", "[integration]") {
  TestCluster cluster;
  ClusterClient c(cluster.plain_kubeconfig());

  api::Pod pod = make_pod("default", "p1");
  pod.metadata.labels["app"] = "kclient-it";
  auto created = c.run(create_then_get(c.client(), pod));
  REQUIRE(created.has_value());
  CHECK_FALSE(created->metadata.uid.empty());
  CHECK(created->status.phase == "Pending");
  REQUIRE(c.run(create_then_get(c.client(), make_pod("default", "p2"))).has_value());

  ListOptions by_label;
  by_label.label_selector = "app=kclient-it";
  auto listed = c.run(c->async_list<api::Pod>("default", by_label));
  REQUIRE(listed.has_value());
  REQUIRE(listed->items.size() == 1);
  CHECK(listed->items[0].metadata.name == "p1");
  ListOptions by_field;
  by_field.field_selector = "metadata.name=p2";
  auto by_name = c.run(c->async_list<api::Pod>("default", by_field));
  REQUIRE(by_name.has_value());
  REQUIRE(by_name->items.size() == 1);
  CHECK(by_name->items[0].metadata.name == "p2");

  api::Pod relabelled = *created;
  relabelled.metadata.labels["tier"] = "gold";
  auto updated = c.run(c->async_update(relabelled));
  REQUIRE(updated.has_value());
  CHECK(updated->metadata.labels.at("tier") == "gold");

  api::Pod with_status = *updated;
  with_status.status.message = "held by the kclient integration test";
  auto status = c.run(c->async_update_status(with_status));
  REQUIRE(status.has_value());
  CHECK(status->status.message == "held by the kclient integration test");

  auto strategic = c.run(c->async_patch<api::Pod>("default", "p1", PatchType::StrategicMerge,
                                                  R"({"metadata":{"annotations":{"a":"b"}}})"));
  REQUIRE(strategic.has_value());
  CHECK(strategic->metadata.annotations.at("a") == "b");

  // Untyped: the raw JSON of the same pod.
  auto raw = c.run(c->async_get(resources::pods(), "default", "p1"));
  REQUIRE(raw.has_value());
  CHECK(raw->find(R"("name":"p1")") != std::string::npos);
  CHECK(raw->find(R"("tier":"gold")") != std::string::npos);

  DeleteOptions now;
  now.grace_period_seconds = 0;
  now.propagation_policy = PropagationPolicy::Background;
  now.preconditions = Preconditions(created->metadata.uid, std::nullopt);
  auto removed = c.run(c->async_remove<api::Pod>("default", "p1", now));
  REQUIRE(removed.has_value());
  CHECK(eventually([&] {
    auto pod_now = c->get<api::Pod>("default", "p1");
    return !pod_now && pod_now.error().is_not_found();
  }));
}

TEST_CASE("the blocking facade refuses to run on an io thread instead of deadlocking",
          "[integration]") {
  TestCluster cluster;
  ClusterClient c(cluster.plain_kubeconfig());
  std::promise<RestClient::Result<api::Pod>> from_io_thread;
  boost::asio::post(c.io(), [&] { from_io_thread.set_value(c->get<api::Pod>("default", "x")); });
  auto result = from_io_thread.get_future().get();
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().message().find("io thread") != std::string::npos);
}

TEST_CASE("delete propagation orphans or collects the dependents of an order", "[integration]") {
  TestCluster cluster;
  cluster.install_crds();
  ClusterClient c(cluster.kubeconfig());

  auto owned_pod = [&](const std::string& pod_name, const api::Order& owner) {
    api::Pod pod = make_pod("default", pod_name);
    api::OwnerReference ref;
    ref.api_version = "core.korder.dev/v1alpha1";
    ref.kind = "Order";
    ref.name = owner.metadata.name;
    ref.uid = owner.metadata.uid;
    pod.metadata.owner_references.push_back(ref);
    auto created = c->create(pod);
    REQUIRE(created.has_value());
  };
  auto kept = c->create(make_order("default", "orphaning"));
  auto collected = c->create(make_order("default", "collecting"));
  REQUIRE(kept.has_value());
  REQUIRE(collected.has_value());
  owned_pod("orphan", *kept);
  owned_pod("dependent", *collected);

  DeleteOptions orphan;
  orphan.propagation_policy = PropagationPolicy::Orphan;
  REQUIRE(c->remove<api::Order>("default", "orphaning", orphan).has_value());
  CHECK(eventually([&] { return !c->get<api::Order>("default", "orphaning").has_value(); }));
  CHECK(eventually([&] {
    auto pod = c->get<api::Pod>("default", "orphan");
    return pod && pod->metadata.owner_references.empty();
  }));

  DeleteOptions background;
  background.propagation_policy = PropagationPolicy::Background;
  REQUIRE(c->remove<api::Order>("default", "collecting", background).has_value());
  CHECK(eventually([&] {
    auto pod = c->get<api::Pod>("default", "dependent");
    return !pod && pod.error().is_not_found();
  }));
  CHECK(c->get<api::Pod>("default", "orphan").has_value());
}

TEST_CASE("a cluster-scoped node is created, listed, patched, status-updated and deleted",
          "[integration]") {
  TestCluster cluster;
  ClusterClient c(cluster.kubeconfig());

  api::Node node;
  node.api_version = "v1";
  node.kind = "Node";
  node.metadata.name = "kclient-it-node";
  node.metadata.labels["korder.dev/it"] = "yes";
  auto created = c->create(node);
  REQUIRE(created.has_value());
  CHECK(created->metadata.namespace_.empty());

  ListOptions selected;
  selected.label_selector = "korder.dev/it=yes";
  auto listed = c->list<api::Node>("", selected);
  REQUIRE(listed.has_value());
  REQUIRE(listed->items.size() == 1);
  CHECK(listed->items[0].metadata.name == "kclient-it-node");
  auto all_nodes = c->list<api::Node>("");
  REQUIRE(all_nodes.has_value());
  CHECK(all_nodes->items.size() > 1);  // the cluster's own nodes too

  // A namespace given for a cluster-scoped resource is ignored.
  auto got = c->get<api::Node>("ignored", "kclient-it-node");
  REQUIRE(got.has_value());
  CHECK(got->metadata.uid == created->metadata.uid);

  auto patched = c->patch<api::Node>("", "kclient-it-node", PatchType::Merge,
                                     R"({"spec":{"unschedulable":true}})");
  REQUIRE(patched.has_value());
  CHECK(patched->spec.unschedulable == true);

  api::Node with_status = *patched;
  with_status.status.allocatable["cpu"] = api::Quantity::from_int(4);
  auto status = c->update_status(with_status);
  REQUIRE(status.has_value());
  REQUIRE(status->status.allocatable.count("cpu") == 1);
  CHECK(status->status.allocatable.at("cpu").to_string() == "4");

  auto stale = c->remove<api::Node>("", "kclient-it-node",
                                    with_preconditions({}, created->metadata.resource_version));
  REQUIRE_FALSE(stale.has_value());
  CHECK(stale.error().is_conflict());
  REQUIRE(c->remove<api::Node>("", "kclient-it-node",
                               with_preconditions({}, status->metadata.resource_version))
              .has_value());
  auto gone = c->get<api::Node>("", "kclient-it-node");
  REQUIRE_FALSE(gone.has_value());
  CHECK(gone.error().is_not_found());
}

TEST_CASE("the HTTPS connection is verified against the cluster's CA and host name",
          "[integration]") {
  TestCluster cluster;
  ClusterClient trusted(cluster.kubeconfig());
  REQUIRE(trusted->get<api::Namespace>("", "default").has_value());

  // The same kubeconfig without its CA: the system roots do not know the cluster's CA.
  Config no_ca = trusted.config();
  no_ca.tls.ca_pem.clear();
  // The right CA but another name to verify: the certificate does not match it.
  Config wrong_name = trusted.config();
  wrong_name.tls.server_name = "not-the-api-server.example";
  for (const Config& config : {no_ca, wrong_name}) {
    SystemClock clock;
    kclient::testing::IoThread io;
    auto transport = Transport::create(io.io(), config, clock);
    REQUIRE(transport.has_value());
    RestClientOptions no_retries;
    no_retries.retry.max_retries = 0;
    RestClient client(**transport, clock, nullptr, no_retries);
    auto refused = client.get<api::Namespace>("", "default");
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().is_transport());
  }
}

}  // namespace
}  // namespace korder::kclient::integration
