#include "korder/kclient/store.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <string>
#include <thread>
#include <vector>

#include "ticket_fixtures.h"

namespace korder::kclient {
namespace {

using test::make_ticket;
using test::sorted_names;
using test::TicketPtr;
using Names = std::vector<std::string>;

Store<api::Ticket> make_store() {
  return Store<api::Ticket>(Indexers<api::Ticket>{{"tickets_by_node", test::ticket_node}});
}

TEST_CASE("a stored object is found by its ns/name key and by its two parts", "[unit][kclient]") {
  auto store = make_store();
  const TicketPtr t = make_ticket("team-a", "t1", "10");
  CHECK(store.upsert(t) == nullptr);

  CHECK(store.get("team-a/t1") == t);
  CHECK(store.get("team-a", "t1") == t);
  CHECK(store.get("team-b/t1") == nullptr);
  CHECK(store.get("t1") == nullptr);
  CHECK(store.size() == 1);
  CHECK(store.list_keys() == Names{"team-a/t1"});
}

TEST_CASE("a cluster-scoped object is keyed by its name alone", "[unit][kclient]") {
  auto store = make_store();
  const TicketPtr t = make_ticket("", "global", "1");
  store.upsert(t);
  CHECK(store.get("global") == t);
  CHECK(store.list_keys() == Names{"global"});
  CHECK(store.by_index(kNamespaceIndex, "") == std::vector<TicketPtr>{t});
}

TEST_CASE("an upsert replaces the object with the same key and returns the old one",
          "[unit][kclient]") {
  auto store = make_store();
  const TicketPtr v1 = make_ticket("ns", "t1", "1", "node-a");
  const TicketPtr v2 = make_ticket("ns", "t1", "2", "node-b");
  store.upsert(v1);

  CHECK(store.upsert(v2) == v1);
  CHECK(store.get("ns/t1") == v2);
  CHECK(store.size() == 1);
  // The index follows the object from node-a to node-b, and node-a is forgotten.
  CHECK(store.by_index("tickets_by_node", "node-a").empty());
  CHECK(store.by_index("tickets_by_node", "node-b") == std::vector<TicketPtr>{v2});
  CHECK(store.index_values("tickets_by_node") == Names{"node-b"});
  // The old snapshot a reader held is unchanged.
  CHECK(v1->metadata.resource_version == "1");
  CHECK(v1->status.node_name == "node-a");
}

TEST_CASE("remove returns the removed object and drops it from every index", "[unit][kclient]") {
  auto store = make_store();
  const TicketPtr t1 = make_ticket("ns", "t1", "1", "node-a");
  const TicketPtr t2 = make_ticket("ns", "t2", "2", "node-a");
  store.upsert(t1);
  store.upsert(t2);

  CHECK(store.remove("ns/t1") == t1);
  CHECK(store.remove("ns/t1") == nullptr);
  CHECK(store.get("ns/t1") == nullptr);
  CHECK(sorted_names(store.by_index("tickets_by_node", "node-a")) == Names{"t2"});
  CHECK(sorted_names(store.by_index(kNamespaceIndex, "ns")) == Names{"t2"});
  CHECK(store.remove(ObjectKeyView{"ns", "t2"}) == t2);
  CHECK(store.index_values("tickets_by_node").empty());
  CHECK(store.index_values(kNamespaceIndex).empty());
}

TEST_CASE("the namespace index is built in and lists objects per namespace", "[unit][kclient]") {
  auto store = make_store();
  store.upsert(make_ticket("a", "t1", "1"));
  store.upsert(make_ticket("a", "t2", "2"));
  store.upsert(make_ticket("b", "t3", "3"));

  CHECK(sorted_names(store.by_index(kNamespaceIndex, "a")) == Names{"t1", "t2"});
  CHECK(sorted_names(store.by_index(kNamespaceIndex, "b")) == Names{"t3"});
  CHECK(store.by_index(kNamespaceIndex, "c").empty());
  CHECK(store.index_names() == Names{"namespace", "tickets_by_node"});
}

TEST_CASE("an object with no index value is in no bucket of that index", "[unit][kclient]") {
  auto store = make_store();
  store.upsert(make_ticket("ns", "pending", "1"));
  CHECK(store.index_values("tickets_by_node").empty());
  CHECK(store.by_index("tickets_by_node", "").empty());
}

TEST_CASE("an index function may give an object several values", "[unit][kclient]") {
  Store<api::Ticket> store(Indexers<api::Ticket>{{"by_label_value", [](const api::Ticket& t) {
                                                    std::vector<std::string> values;
                                                    for (const auto& [key, value] :
                                                         t.metadata.labels) {
                                                      values.push_back(key + "=" + value);
                                                    }
                                                    return values;
                                                  }}});
  api::Ticket t = *make_ticket("ns", "t1", "1");
  t.metadata.labels = {{"app", "shop"}, {"tier", "gold"}};
  const auto ptr = std::make_shared<const api::Ticket>(t);
  store.upsert(ptr);
  CHECK(store.by_index("by_label_value", "app=shop") == std::vector<TicketPtr>{ptr});
  CHECK(store.by_index("by_label_value", "tier=gold") == std::vector<TicketPtr>{ptr});
  store.remove("ns/t1");
  CHECK(store.index_values("by_label_value").empty());
}

TEST_CASE("replace swaps the whole content, rebuilds the indexes and records the version",
          "[unit][kclient]") {
  auto store = make_store();
  const TicketPtr kept_snapshot = make_ticket("ns", "old", "1", "node-a");
  store.upsert(kept_snapshot);
  store.upsert(make_ticket("ns", "t1", "2", "node-a"));

  store.replace(
      {make_ticket("ns", "t1", "5", "node-b"), make_ticket("other", "t2", "6", "node-b"), nullptr},
      "7");

  CHECK(store.resource_version() == "7");
  CHECK(store.size() == 2);
  CHECK(store.get("ns/old") == nullptr);
  CHECK(store.get("ns/t1")->metadata.resource_version == "5");
  CHECK(store.by_index("tickets_by_node", "node-a").empty());
  CHECK(sorted_names(store.by_index("tickets_by_node", "node-b")) == Names{"t1", "t2"});
  CHECK(sorted_names(store.by_index(kNamespaceIndex, "other")) == Names{"t2"});
  // A reader's snapshot of a replaced object outlives the swap.
  CHECK(kept_snapshot->metadata.name == "old");
}

TEST_CASE("replace keeps the later of two objects with the same key", "[unit][kclient]") {
  auto store = make_store();
  store.replace({make_ticket("ns", "t1", "1", "node-a"), make_ticket("ns", "t1", "2", "node-b")},
                "3");
  CHECK(store.size() == 1);
  CHECK(store.get("ns/t1")->metadata.resource_version == "2");
  CHECK(store.index_values("tickets_by_node") == Names{"node-b"});
}

TEST_CASE("readers never see a half-replaced store", "[unit][kclient]") {
  // Two contents of 200 tickets each, told apart by their resourceVersion. Every list() a
  // reader takes while the writer swaps between them must be entirely one or the other.
  auto store = make_store();
  std::vector<TicketPtr> a;
  std::vector<TicketPtr> b;
  for (int i = 0; i < 200; ++i) {
    a.push_back(make_ticket("ns", "t" + std::to_string(i), "a", "node-a"));
    b.push_back(make_ticket("ns", "t" + std::to_string(i), "b", "node-b"));
  }
  store.replace(a, "a");
  std::atomic<bool> done{false};
  std::atomic<int> mixed{0};
  std::atomic<int> reads{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 2; ++r) {
    readers.emplace_back([&] {
      while (!done.load()) {
        const auto items = store.list();
        for (const auto& item : items) {
          if (item->metadata.resource_version != items.front()->metadata.resource_version) {
            ++mixed;
            break;
          }
        }
        if (items.size() != 200) {
          ++mixed;
        }
        ++reads;
      }
    });
  }
  for (int i = 0; i < 200; ++i) {
    store.replace(i % 2 == 0 ? b : a, i % 2 == 0 ? "b" : "a");
  }
  done = true;
  for (auto& t : readers) {
    t.join();
  }
  CHECK(mixed.load() == 0);
  CHECK(reads.load() > 0);
}

}  // namespace
}  // namespace korder::kclient
