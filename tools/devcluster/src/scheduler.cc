#include "scheduler.h"

#include <glog/logging.h>

#include <algorithm>
#include <functional>
#include <set>

#include "korder/api/json.h"
#include "korder/api/time.h"
#include "scheduler_common.h"

namespace korder::devcluster {
namespace {

constexpr std::string_view kSchedulerName = "default-scheduler";
constexpr std::string_view kTaintNotReady = "node.kubernetes.io/not-ready";
constexpr std::string_view kTaintUnreachable = "node.kubernetes.io/unreachable";
// Passed by name: g++ 12 destroys a braced temporary inside a co_await expression twice.
const WriteOptions kNoOptions;

/// The order of the scheduling queue: higher priority first, then older, then by key.
struct QueueKey {
  std::int64_t neg_priority = 0;
  std::string created;  // RFC 3339 in UTC with whole seconds: sorts as text
  std::string key;
  auto operator<=>(const QueueKey&) const = default;
};

struct PendingPod {
  QueueKey order;
  std::string namespace_;
  std::string name;
  std::string uid;
  std::size_t spec_hash = 0;
  api::PodSpec spec;
  api::ResourceList requests;
  bool unschedulable = false;  // tried and failed; waits for a cluster change
};

struct BoundPod {
  std::string node;
  api::ResourceList requests;
};

/// The share (0..1) of `resource` left free on `node` after placing `requests` there.
double free_share(const SchedulerNode& node, const api::ResourceList& requests,
                  std::string_view resource) {
  auto alloc = node.node.status.allocatable.find(std::string(resource));
  if (alloc == node.node.status.allocatable.end() || alloc->second.sign() <= 0) {
    return 0;
  }
  const double capacity = static_cast<double>(alloc->second.milli_value());
  double used = 0;
  if (auto it = node.usage.requested.find(std::string(resource));
      it != node.usage.requested.end()) {
    used += static_cast<double>(it->second.milli_value());
  }
  if (auto it = requests.find(std::string(resource)); it != requests.end()) {
    used += static_cast<double>(it->second.milli_value());
  }
  return std::max(0.0, (capacity - used) / capacity);
}

bool terminal_phase(std::string_view phase) {
  return phase == api::PodPhase::Succeeded || phase == api::PodPhase::Failed;
}

/// What in a node can change a scheduling decision.
bool same_for_scheduling(const api::Node& a, const api::Node& b) {
  return a.metadata.labels == b.metadata.labels && a.metadata.name == b.metadata.name &&
         a.spec.unschedulable == b.spec.unschedulable && a.spec.taints == b.spec.taints &&
         a.status.allocatable == b.status.allocatable;
}

}  // namespace

api::Node with_lifecycle_taints(api::Node node) {
  if (api::node_ready(node)) {
    return node;
  }
  std::string_view key = kTaintNotReady;
  for (const auto& c : node.status.conditions) {
    if (c.type == "Ready") {
      if (c.status == "Unknown") {
        key = kTaintUnreachable;
      }
      break;
    }
  }
  for (const auto& t : node.spec.taints) {
    if (t.key == key && t.effect == api::kTaintEffectNoSchedule) {
      return node;
    }
  }
  api::Taint taint;
  taint.key = std::string(key);
  taint.effect = std::string(api::kTaintEffectNoSchedule);
  node.spec.taints.push_back(std::move(taint));
  return node;
}

Expected<std::string, std::string> choose_node(const api::PodSpec& spec,
                                               const api::ResourceList& requests,
                                               const std::vector<const SchedulerNode*>& nodes) {
  if (nodes.empty()) {
    return Unexpected(std::string("no nodes available to schedule pods"));
  }
  api::PlacementConstraints constraints = api::placement_constraints(spec);
  std::map<std::string, int> reasons;
  const SchedulerNode* best = nullptr;
  double best_score = -1;
  for (const SchedulerNode* candidate : nodes) {
    if (auto admitted = api::node_admits(constraints, candidate->node); !admitted) {
      ++reasons[admitted.error()];
      continue;
    }
    auto insufficient =
        api::insufficient_resources(candidate->node.status.allocatable, candidate->usage, requests);
    if (!insufficient.empty()) {
      for (const auto& r : insufficient) {
        ++reasons[r.reason];
      }
      continue;
    }
    const double score = (free_share(*candidate, requests, api::kResourceCpu) +
                          free_share(*candidate, requests, api::kResourceMemory)) /
                         2;
    if (best == nullptr || score > best_score ||
        (score == best_score && candidate->node.metadata.name < best->node.metadata.name)) {
      best = candidate;
      best_score = score;
    }
  }
  if (best != nullptr) {
    return best->node.metadata.name;
  }
  // kube-scheduler's FitError: a histogram of reasons, each `<count> <reason>`, sorted as text.
  std::vector<std::string> histogram;
  for (const auto& [reason, count] : reasons) {
    histogram.push_back(std::to_string(count) + " " + reason);
  }
  std::sort(histogram.begin(), histogram.end());
  std::string message = "0/" + std::to_string(nodes.size()) + " nodes are available: ";
  for (std::size_t i = 0; i < histogram.size(); ++i) {
    message += (i == 0 ? "" : ", ") + histogram[i];
  }
  return Unexpected(message + ".");
}

struct Scheduler::Impl {
  Impl(net::io_context& ioc, Registry& registry_in)
      : loop(ioc, registry_in.store(), {"/nodes", "/pods"}), registry(registry_in) {}

  EventLoop loop;
  Registry& registry;
  // Everything below is used on the loop's strand only.
  std::map<std::string, SchedulerNode> nodes;                 // by name
  std::map<std::string, BoundPod> bound;                      // non-terminated bound pods
  std::map<std::string, std::set<std::string>> pods_on_node;  // node → pod keys
  std::set<std::string> dirty_nodes;                          // usage to recompute
  std::map<std::string, PendingPod> pending;                  // by pod key
  std::set<QueueKey> active;                                  // pending pods to try now
  std::set<std::string> gated;                                // gated pods to mark
  std::map<std::string, std::uint64_t> seen_rv;               // newest pod version seen
  bool retry_all = false;

  Awaitable<std::optional<std::chrono::steady_clock::time_point>> handle(
      std::vector<EventPtr> events) {
    for (const auto& event : events) {
      if (event->storage_id == "/nodes") {
        on_node(*event);
      } else {
        on_pod(*event);
      }
    }
    co_await schedule_pass();
    co_return std::nullopt;
  }

  // ---- State from events -------------------------------------------------------------------

  void on_node(const StoreEvent& event) {
    const std::string& name = event.object->name;
    if (event.type == EventType::Deleted) {
      nodes.erase(name);
      return;
    }
    api::Node node;
    if (auto decoded = api::from_json_value(event.object->doc, node); !decoded) {
      LOG(WARNING) << "scheduler: node not understood"
                   << " node=" << name << " error=" << decoded.error().to_string();
      nodes.erase(name);
      return;
    }
    node = with_lifecycle_taints(std::move(node));
    auto it = nodes.find(name);
    if (it != nodes.end() && same_for_scheduling(it->second.node, node)) {
      it->second.node = std::move(node);
      return;
    }
    SchedulerNode& entry = nodes[name];
    entry.node = std::move(node);
    dirty_nodes.insert(name);
    retry_all = true;
  }

  void on_pod(const StoreEvent& event) {
    const StoredObject& object = *event.object;
    const std::string key = object_key(object.namespace_, object.name);
    if (event.type == EventType::Deleted) {
      drop_pending(key);
      unbind(key);
      gated.erase(key);
      seen_rv.erase(key);
      return;
    }
    std::uint64_t& seen = seen_rv[key];
    if (object.rv <= seen) {
      return;  // older than what this scheduler already wrote itself
    }
    seen = object.rv;
    api::Pod pod;
    if (auto decoded = api::from_json_value(object.doc, pod); !decoded) {
      LOG(WARNING) << "scheduler: pod not understood"
                   << " pod=" << key << " error=" << decoded.error().to_string();
      drop_pending(key);
      unbind(key);
      return;
    }
    if (!pod.spec.node_name.empty()) {
      drop_pending(key);
      gated.erase(key);
      if (terminal_phase(pod.status.phase)) {
        unbind(key);
      } else {
        set_bound(key, pod.spec.node_name, api::effective_requests(pod.spec));
      }
      return;
    }
    unbind(key);
    const bool terminating = find_path(object.doc, {"metadata", "deletionTimestamp"}) != nullptr;
    const bool foreign =
        !pod.spec.scheduler_name.empty() && pod.spec.scheduler_name != kSchedulerName;
    if (terminating || foreign || terminal_phase(pod.status.phase)) {
      drop_pending(key);
      gated.erase(key);
      return;
    }
    if (!pod.spec.scheduling_gates.empty()) {
      drop_pending(key);
      const JsonValue* condition = find_pod_condition(object.doc, "PodScheduled");
      if (condition == nullptr || string_at(*condition, {"reason"}) != "SchedulingGated") {
        gated.insert(key);
      }
      return;
    }
    gated.erase(key);
    const JsonValue* spec_json = find_member(object.doc, "spec");
    const std::size_t spec_hash =
        std::hash<std::string>()(spec_json != nullptr ? api::write_json(*spec_json) : "");
    auto it = pending.find(key);
    if (it != pending.end() && it->second.uid == object.uid && it->second.spec_hash == spec_hash) {
      return;  // a status write (often this scheduler's own): nothing to reconsider
    }
    drop_pending(key);
    PendingPod entry;
    entry.order.neg_priority = -static_cast<std::int64_t>(pod.spec.priority.value_or(0));
    entry.order.created = std::string(string_at(object.doc, {"metadata", "creationTimestamp"}));
    entry.order.key = key;
    entry.namespace_ = object.namespace_;
    entry.name = object.name;
    entry.uid = object.uid;
    entry.spec_hash = spec_hash;
    entry.requests = api::effective_requests(pod.spec);
    entry.spec = std::move(pod.spec);
    active.insert(entry.order);
    pending.emplace(key, std::move(entry));
  }

  void drop_pending(const std::string& key) {
    auto it = pending.find(key);
    if (it == pending.end()) {
      return;
    }
    active.erase(it->second.order);
    pending.erase(it);
  }

  void set_bound(const std::string& key, const std::string& node, api::ResourceList requests) {
    auto it = bound.find(key);
    if (it != bound.end() && it->second.node == node && it->second.requests == requests) {
      return;
    }
    if (it != bound.end()) {
      unbind(key);
    }
    bound[key] = BoundPod{node, std::move(requests)};
    pods_on_node[node].insert(key);
    dirty_nodes.insert(node);
  }

  void unbind(const std::string& key) {
    auto it = bound.find(key);
    if (it == bound.end()) {
      return;
    }
    const std::string node = it->second.node;
    bound.erase(it);
    auto on_node = pods_on_node.find(node);
    if (on_node != pods_on_node.end()) {
      on_node->second.erase(key);
      if (on_node->second.empty()) {
        pods_on_node.erase(on_node);
      }
    }
    dirty_nodes.insert(node);
    retry_all = true;  // capacity was freed
  }

  void refresh_usage() {
    for (const auto& name : dirty_nodes) {
      auto node = nodes.find(name);
      if (node == nodes.end()) {
        continue;
      }
      api::NodeUsage usage;
      if (auto keys = pods_on_node.find(name); keys != pods_on_node.end()) {
        for (const auto& key : keys->second) {
          usage.add_pod(bound.at(key).requests);
        }
      }
      node->second.usage = std::move(usage);
    }
    dirty_nodes.clear();
  }

  // ---- Scheduling -----------------------------------------------------------------------------

  Awaitable<void> schedule_pass() {
    if (retry_all) {
      retry_all = false;
      for (auto& [key, pod] : pending) {
        if (pod.unschedulable) {
          pod.unschedulable = false;
          active.insert(pod.order);
        }
      }
    }
    while (!active.empty()) {
      refresh_usage();
      const QueueKey next = *active.begin();
      active.erase(active.begin());
      auto it = pending.find(next.key);
      if (it == pending.end()) {
        continue;
      }
      std::vector<const SchedulerNode*> candidates;
      candidates.reserve(nodes.size());
      for (const auto& [name, node] : nodes) {
        candidates.push_back(&node);
      }
      auto chosen = choose_node(it->second.spec, it->second.requests, candidates);
      if (chosen) {
        co_await bind(it->second, *chosen);
      } else {
        it->second.unschedulable = true;
        co_await mark_unschedulable(it->second, chosen.error());
      }
    }
    const std::set<std::string> to_mark = std::move(gated);
    gated.clear();
    for (const auto& key : to_mark) {
      co_await mark_gated(key);
    }
  }

  Awaitable<void> bind(PendingPod pod, std::string node) {
    JsonDocument binding(rapidjson::kObjectType);
    auto& alloc = binding.GetAllocator();
    set_string(binding, "apiVersion", "v1", alloc);
    set_string(binding, "kind", "Binding", alloc);
    JsonValue& metadata = ensure_object(binding, "metadata", alloc);
    set_string(metadata, "name", pod.name, alloc);
    set_string(metadata, "uid", pod.uid, alloc);
    JsonValue& target = ensure_object(binding, "target", alloc);
    set_string(target, "apiVersion", "v1", alloc);
    set_string(target, "kind", "Node", alloc);
    set_string(target, "name", node, alloc);
    auto bound_pod =
        co_await registry.bind(pod.namespace_, pod.name, std::move(binding), kNoOptions);
    const std::string key = pod.order.key;
    if (!bound_pod) {
      // The pod changed or went away since this pass began (its event follows), or admission
      // refused the binding: wait for the next change instead of spinning.
      VLOG(1) << "scheduler: binding failed"
              << " pod=" << key << " node=" << node << " error=" << bound_pod.error().message;
      if (auto it = pending.find(key); it != pending.end()) {
        it->second.unschedulable = true;
      }
      co_return;
    }
    observe(bound_pod->object);
    const std::string message = "Successfully assigned " + key + " to " + node;
    co_await record_event(registry, bound_pod->object, "Pod", "Normal", "Scheduled", message,
                          std::string(kSchedulerName));
  }

  /// Takes in an object this scheduler wrote: it carries every change up to it, so the events
  /// before it (still queued) are stale and get skipped.
  void observe(const ObjectPtr& written) {
    StoreEvent event;
    event.type = EventType::Modified;
    event.storage_id = "/pods";
    event.rv = written->rv;
    event.object = written;
    on_pod(event);
  }

  Awaitable<void> mark_unschedulable(PendingPod pod, std::string message) {
    bool changed = false;
    const std::string now = api::format_rfc3339(registry.clock().now());
    PodChange change = [&](JsonDocument& doc) {
      if (!string_at(doc, {"spec", "nodeName"}).empty() ||
          find_path(doc, {"metadata", "deletionTimestamp"}) != nullptr) {
        return false;
      }
      const JsonValue* current = find_pod_condition(doc, "PodScheduled");
      if (current != nullptr && string_at(*current, {"status"}) == "False" &&
          string_at(*current, {"reason"}) == "Unschedulable" &&
          string_at(*current, {"message"}) == message) {
        return false;
      }
      set_pod_condition(doc, "PodScheduled", "False", "Unschedulable", message, now);
      changed = true;
      return true;
    };
    auto written = co_await update_pod_status(registry, pod.namespace_, pod.name, pod.uid, change);
    if (!written) {
      VLOG(1) << "scheduler: marking a pod unschedulable failed"
              << " pod=" << pod.order.key << " error=" << written.error().message;
      co_return;
    }
    if (changed) {
      observe(*written);
      co_await record_event(registry, *written, "Pod", "Warning", "FailedScheduling", message,
                            std::string(kSchedulerName));
    }
  }

  Awaitable<void> mark_gated(std::string key) {
    const std::size_t slash = key.find('/');
    const std::string now = api::format_rfc3339(registry.clock().now());
    PodChange change = [&](JsonDocument& doc) {
      const JsonValue* gates = find_path(doc, {"spec", "schedulingGates"});
      if (gates == nullptr || !gates->IsArray() || gates->Empty() ||
          !string_at(doc, {"spec", "nodeName"}).empty()) {
        return false;
      }
      const JsonValue* current = find_pod_condition(doc, "PodScheduled");
      if (current != nullptr && string_at(*current, {"reason"}) == "SchedulingGated") {
        return false;
      }
      set_pod_condition(doc, "PodScheduled", "False", "SchedulingGated",
                        "Scheduling is blocked due to non-empty scheduling gates", now);
      return true;
    };
    const std::string no_uid;
    const std::string namespace_ = key.substr(0, slash);
    const std::string name = key.substr(slash + 1);
    auto written = co_await update_pod_status(registry, namespace_, name, no_uid, change);
    if (!written) {
      VLOG(1) << "scheduler: marking a gated pod failed"
              << " pod=" << key << " error=" << written.error().message;
      co_return;
    }
    observe(*written);
  }
};

Scheduler::Scheduler(net::io_context& ioc, Registry& registry)
    : impl_(std::make_shared<Impl>(ioc, registry)) {}

Scheduler::~Scheduler() { stop(); }

void Scheduler::start() {
  std::shared_ptr<Impl> impl = impl_;
  impl_->loop.start(
      [impl](std::vector<EventPtr> events) { return impl->handle(std::move(events)); });
}

void Scheduler::stop() { impl_->loop.stop(); }

}  // namespace korder::devcluster
