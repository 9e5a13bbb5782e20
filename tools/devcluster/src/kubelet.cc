#include "kubelet.h"

#include <glog/logging.h>

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "korder/api/node.h"
#include "korder/api/pod.h"
#include "korder/api/scheduling_predicates.h"
#include "korder/api/time.h"
#include "scheduler_common.h"

namespace korder::devcluster {
namespace {

using SteadyClock = std::chrono::steady_clock;
using Deadline = SteadyClock::time_point;

constexpr std::string_view kComponent = "kubelet";

bool terminal_phase(std::string_view phase) { return phase == "Succeeded" || phase == "Failed"; }

/// A short stable hex id for simulated container ids.
std::string container_id(std::string_view uid, std::string_view container) {
  const std::size_t h = std::hash<std::string>()(std::string(uid) + "/" + std::string(container));
  static const char* digits = "0123456789abcdef";
  std::string out = "containerd://";
  for (int i = 0; i < 16; ++i) {
    out += digits[(h >> (i * 4)) & 0xF];
  }
  return out;
}

JsonValue ip_list(std::string_view ip, JsonAllocator& alloc) {
  JsonValue list(rapidjson::kArrayType);
  JsonValue entry(rapidjson::kObjectType);
  set_string(entry, "ip", ip, alloc);
  list.PushBack(std::move(entry), alloc);
  return list;
}

/// Container statuses for `containers` (a spec array): running and ready, or (init containers
/// that are not sidecars) completed.
JsonValue container_statuses(const JsonValue* containers, bool init, std::string_view uid,
                             std::string_view now, JsonAllocator& alloc) {
  JsonValue statuses(rapidjson::kArrayType);
  if (containers == nullptr || !containers->IsArray()) {
    return statuses;
  }
  for (const auto& c : containers->GetArray()) {
    const std::string_view name = string_at(c, {"name"});
    const std::string_view image = string_at(c, {"image"});
    const bool runs = !init || string_at(c, {"restartPolicy"}) == "Always";
    JsonValue s(rapidjson::kObjectType);
    set_string(s, "name", name, alloc);
    set_string(s, "image", image, alloc);
    set_string(s, "imageID", std::string(image) + "@sha256:simulated", alloc);
    set_string(s, "containerID", container_id(uid, name), alloc);
    set_member(s, "ready", JsonValue(true), alloc);
    set_member(s, "started", JsonValue(runs), alloc);
    set_member(s, "restartCount", JsonValue(0), alloc);
    JsonValue state(rapidjson::kObjectType);
    JsonValue detail(rapidjson::kObjectType);
    set_string(detail, "startedAt", now, alloc);
    if (runs) {
      set_member(state, "running", std::move(detail), alloc);
    } else {
      set_member(detail, "exitCode", JsonValue(0), alloc);
      set_string(detail, "reason", "Completed", alloc);
      set_string(detail, "finishedAt", now, alloc);
      set_string(detail, "containerID", container_id(uid, name), alloc);
      set_member(state, "terminated", std::move(detail), alloc);
    }
    set_member(s, "state", std::move(state), alloc);
    set_member(s, "lastState", JsonValue(rapidjson::kObjectType), alloc);
    statuses.PushBack(std::move(s), alloc);
  }
  return statuses;
}

/// Marks every container status of `pod` terminated (exit code 137) and not ready.
void terminate_containers(JsonDocument& pod, std::string_view reason, std::string_view now) {
  auto& alloc = pod.GetAllocator();
  for (const char* list : {"containerStatuses", "initContainerStatuses"}) {
    JsonValue* status = find_member(pod, "status");
    JsonValue* statuses = status != nullptr ? find_member(*status, list) : nullptr;
    if (statuses == nullptr || !statuses->IsArray()) {
      continue;
    }
    for (auto& s : statuses->GetArray()) {
      const JsonValue* running = find_path(s, {"state", "running"});
      if (running == nullptr) {
        continue;
      }
      JsonValue terminated(rapidjson::kObjectType);
      set_member(terminated, "exitCode", JsonValue(137), alloc);
      set_string(terminated, "reason", reason, alloc);
      set_string(terminated, "startedAt", string_at(*running, {"startedAt"}), alloc);
      set_string(terminated, "finishedAt", now, alloc);
      JsonValue state(rapidjson::kObjectType);
      set_member(state, "terminated", std::move(terminated), alloc);
      set_member(s, "state", std::move(state), alloc);
      set_member(s, "ready", JsonValue(false), alloc);
      set_member(s, "started", JsonValue(false), alloc);
    }
  }
}

/// Fails `pod` (phase Failed with `reason` and `message`, containers stopped, not ready, and a
/// DisruptionTarget condition).
void fail_pod(JsonDocument& pod, std::string_view reason, std::string_view message,
              std::string_view disruption_reason, std::string_view now) {
  auto& alloc = pod.GetAllocator();
  JsonValue& status = ensure_object(pod, "status", alloc);
  set_string(status, "phase", "Failed", alloc);
  set_string(status, "reason", reason, alloc);
  set_string(status, "message", message, alloc);
  terminate_containers(pod, "Error", now);
  set_pod_condition(pod, "DisruptionTarget", "True", disruption_reason, message, now);
  set_pod_condition(pod, "Ready", "False", "PodFailed", "", now);
  set_pod_condition(pod, "ContainersReady", "False", "PodFailed", "", now);
}

struct TrackedPod {
  std::string namespace_;
  std::string name;
  std::string uid;
  std::string node;
  std::uint64_t rv = 0;
  bool running = false;      // phase Running (started by this kubelet or before)
  bool terminating = false;  // deletionTimestamp set
  bool remove_sent = false;  // the final DELETE went out (finalizers may keep the pod)
  std::int64_t grace_seconds = 0;
  bool ignore_sigterm = false;
  std::optional<Deadline> start_at;
  std::optional<Deadline> remove_at;
  std::optional<Deadline> queued;  // the deadline this pod holds in the queue
  api::ResourceList requests;      // effective requests (kubelet admission)
};

struct NodeInfo {
  api::ResourceList allocatable;
  std::string host_ip;
  int index = 0;
  unsigned next_ip = 0;
};

}  // namespace

struct Kubelet::Impl {
  Impl(net::io_context& ioc, Registry& registry_in, std::chrono::milliseconds delay_in)
      : loop(ioc, registry_in.store(), {"/nodes", "/pods"}),
        registry(registry_in),
        delay(std::max(std::chrono::milliseconds(0), delay_in)) {}

  EventLoop loop;
  Registry& registry;
  const std::chrono::milliseconds delay;
  // Used on the loop's strand only.
  std::map<std::string, NodeInfo> nodes;    // existing nodes
  std::map<std::string, int> node_indexes;  // every node ever seen (stable pod CIDRs)
  std::map<std::string, TrackedPod> pods;   // bound, non-terminated pods
  std::set<std::pair<Deadline, std::string>> due;
  std::set<std::string> node_lost;  // pods to fail: their node was deleted

  Awaitable<std::optional<Deadline>> handle(std::vector<EventPtr> events) {
    for (const auto& event : events) {
      if (event->storage_id == "/nodes") {
        on_node(*event);
      } else {
        on_pod(*event);
      }
    }
    const std::set<std::string> lost = std::move(node_lost);
    node_lost.clear();
    for (const auto& key : lost) {
      co_await fail_node_lost(key);
    }
    while (!due.empty() && due.begin()->first <= SteadyClock::now()) {
      const std::string key = due.begin()->second;
      due.erase(due.begin());
      auto it = pods.find(key);
      if (it == pods.end()) {
        continue;
      }
      it->second.queued.reset();
      co_await act(key);
    }
    if (due.empty()) {
      co_return std::nullopt;
    }
    co_return due.begin()->first;
  }

  // ---- State from events -------------------------------------------------------------------

  void on_node(const StoreEvent& event) {
    const std::string& name = event.object->name;
    if (event.type == EventType::Deleted) {
      nodes.erase(name);
      for (auto& [key, pod] : pods) {
        if (pod.node == name) {
          if (pod.terminating) {
            pod.remove_at = SteadyClock::now();  // nothing left to stop: remove at once
            pod.remove_sent = false;
            schedule(pod, *pod.remove_at);
          } else {
            node_lost.insert(key);
          }
        }
      }
      return;
    }
    auto [index, added] = node_indexes.try_emplace(name, static_cast<int>(node_indexes.size()));
    (void)added;
    NodeInfo& info = nodes[name];
    info.index = index->second;
    api::NodeStatus status;
    if (const JsonValue* s = find_member(event.object->doc, "status");
        s != nullptr && api::from_json_value(*s, status)) {
      info.allocatable = std::move(status.allocatable);
    }
    info.host_ip.clear();
    if (const JsonValue* addresses = find_path(event.object->doc, {"status", "addresses"});
        addresses != nullptr && addresses->IsArray()) {
      for (const auto& a : addresses->GetArray()) {
        if (string_at(a, {"type"}) == "InternalIP") {
          info.host_ip = std::string(string_at(a, {"address"}));
          break;
        }
      }
    }
    if (info.host_ip.empty()) {
      info.host_ip = "10.0.255." + std::to_string(info.index % 250 + 2);
    }
    if (event.type == EventType::Added) {
      for (auto& [key, pod] : pods) {
        if (pod.node == name) {
          plan(pod);  // pods bound before their node existed start now
        }
      }
    }
  }

  void on_pod(const StoreEvent& event) {
    const StoredObject& object = *event.object;
    const std::string key = object_key(object.namespace_, object.name);
    if (event.type == EventType::Deleted) {
      forget(key);
      return;
    }
    auto existing = pods.find(key);
    if (existing != pods.end() && (existing->second.uid != object.uid)) {
      forget(key);
      existing = pods.end();
    }
    if (existing != pods.end() && object.rv <= existing->second.rv) {
      return;  // older than a version this kubelet wrote itself
    }
    const std::string_view node = string_at(object.doc, {"spec", "nodeName"});
    const std::string_view phase = string_at(object.doc, {"status", "phase"});
    if (node.empty() || terminal_phase(phase)) {
      forget(key);
      return;
    }
    TrackedPod& pod = pods[key];
    pod.namespace_ = object.namespace_;
    pod.name = object.name;
    pod.uid = object.uid;
    pod.node = std::string(node);
    pod.rv = object.rv;
    pod.running = phase == "Running";
    pod.terminating = find_path(object.doc, {"metadata", "deletionTimestamp"}) != nullptr;
    pod.grace_seconds = int_at(object.doc, {"metadata", "deletionGracePeriodSeconds"}).value_or(0);
    pod.ignore_sigterm =
        string_at(object.doc, {"metadata", "annotations", kIgnoreSigtermAnnotation}) == "true";
    api::PodSpec spec;
    if (const JsonValue* s = find_member(object.doc, "spec");
        s != nullptr && api::from_json_value(*s, spec)) {
      pod.requests = api::effective_requests(spec);
    }
    plan(pod);
  }

  void forget(const std::string& key) {
    auto it = pods.find(key);
    if (it == pods.end()) {
      return;
    }
    if (it->second.queued) {
      due.erase({*it->second.queued, key});
    }
    pods.erase(it);
    node_lost.erase(key);
  }

  void schedule(TrackedPod& pod, Deadline when) {
    const std::string key = object_key(pod.namespace_, pod.name);
    if (pod.queued) {
      if (*pod.queued <= when) {
        return;
      }
      due.erase({*pod.queued, key});
    }
    pod.queued = when;
    due.insert({when, key});
  }

  /// Decides what this kubelet does next with `pod`.
  void plan(TrackedPod& pod) {
    const Deadline now = SteadyClock::now();
    const bool node_exists = nodes.count(pod.node) != 0;
    if (pod.terminating) {
      if (pod.remove_sent) {
        return;
      }
      Deadline when = now;
      if (pod.running && node_exists) {
        const std::chrono::milliseconds grace = std::chrono::seconds(pod.grace_seconds);
        when = now + (pod.ignore_sigterm ? grace : std::min(grace, delay));
      }
      if (!pod.remove_at || when < *pod.remove_at) {
        pod.remove_at = when;
      }
      schedule(pod, *pod.remove_at);
      return;
    }
    if (pod.running || !node_exists) {
      return;  // running; or waiting for its node to register
    }
    if (!pod.start_at) {
      pod.start_at = now + delay;
    }
    schedule(pod, *pod.start_at);
  }

  /// Takes in a pod this kubelet wrote (the events before it are stale).
  void observe(const ObjectPtr& written) {
    StoreEvent event;
    event.type = EventType::Modified;
    event.storage_id = "/pods";
    event.rv = written->rv;
    event.object = written;
    on_pod(event);
  }

  // ---- Actions -------------------------------------------------------------------------------

  Awaitable<void> act(std::string key) {
    auto it = pods.find(key);
    if (it == pods.end()) {
      co_return;
    }
    TrackedPod& pod = it->second;
    if (pod.terminating) {
      if (pod.remove_at && *pod.remove_at <= SteadyClock::now()) {
        co_await remove(pod.namespace_, pod.name, pod.uid);
      }
      co_return;
    }
    if (!pod.running && pod.start_at && *pod.start_at <= SteadyClock::now() &&
        nodes.count(pod.node) != 0) {
      co_await start(pod.namespace_, pod.name, pod.uid, pod.node);
    }
  }

  Awaitable<void> remove(std::string namespace_, std::string name, std::string uid) {
    ResourcePtr info = registry.catalog().find("", "v1", "pods");
    DeleteOptions options;
    options.grace_period_seconds = 0;
    options.precondition_uid = uid;
    auto removed = co_await registry.remove(*info, namespace_, name, options);
    const std::string key = object_key(namespace_, name);
    if (!removed) {
      VLOG(1) << "kubelet: removing a terminated pod failed"
              << " pod=" << key << " error=" << removed.error().message;
      co_return;
    }
    if (!removed->deleted_now) {
      if (auto it = pods.find(key); it != pods.end() && it->second.uid == uid) {
        it->second.remove_sent = true;  // finalizers keep it; their removal deletes it
      }
    }
  }

  Awaitable<void> start(std::string namespace_, std::string name, std::string uid,
                        std::string node) {
    NodeInfo& info = nodes.at(node);
    // Kubelet admission: a pod that bypassed the scheduler (spec.nodeName) and does not fit
    // next to the pods this kubelet runs is rejected, as the kubelet's predicate admission does.
    api::NodeUsage usage;
    api::ResourceList requests;
    for (const auto& [key, other] : pods) {
      if (other.node == node && other.running && other.uid != uid) {
        usage.add_pod(other.requests);
      } else if (other.uid == uid) {
        requests = other.requests;
      }
    }
    const auto misfit = api::insufficient_resources(info.allocatable, usage, requests);
    if (!misfit.empty()) {
      co_await reject(namespace_, name, uid, node, misfit.front());
      co_return;
    }
    const unsigned n = info.next_ip++;
    const std::string pod_ip = "10." + std::to_string(244 + info.index / 256) + "." +
                               std::to_string(info.index % 256) + "." + std::to_string(n % 253 + 2);
    const std::string host_ip = info.host_ip;
    const std::string now = api::format_rfc3339(registry.clock().now());
    PodChange change = [&](JsonDocument& doc) {
      const std::string_view phase = string_at(doc, {"status", "phase"});
      if (string_at(doc, {"spec", "nodeName"}) != node ||
          find_path(doc, {"metadata", "deletionTimestamp"}) != nullptr ||
          (!phase.empty() && phase != "Pending")) {
        return false;
      }
      auto& alloc = doc.GetAllocator();
      JsonValue& status = ensure_object(doc, "status", alloc);
      set_string(status, "phase", "Running", alloc);
      set_string(status, "hostIP", host_ip, alloc);
      set_member(status, "hostIPs", ip_list(host_ip, alloc), alloc);
      set_string(status, "podIP", pod_ip, alloc);
      set_member(status, "podIPs", ip_list(pod_ip, alloc), alloc);
      if (find_member(status, "startTime") == nullptr) {
        set_string(status, "startTime", now, alloc);
      }
      set_member(status, "containerStatuses",
                 container_statuses(find_path(doc, {"spec", "containers"}), false, uid, now, alloc),
                 alloc);
      const JsonValue* init = find_path(doc, {"spec", "initContainers"});
      if (init != nullptr && init->IsArray() && !init->Empty()) {
        set_member(status, "initContainerStatuses", container_statuses(init, true, uid, now, alloc),
                   alloc);
      }
      set_pod_condition(doc, "PodReadyToStartContainers", "True", "", "", now);
      set_pod_condition(doc, "Initialized", "True", "", "", now);
      set_pod_condition(doc, "Ready", "True", "", "", now);
      set_pod_condition(doc, "ContainersReady", "True", "", "", now);
      if (find_pod_condition(doc, "PodScheduled") == nullptr) {
        set_pod_condition(doc, "PodScheduled", "True", "", "", now);
      }
      return true;
    };
    auto written = co_await update_pod_status(registry, namespace_, name, uid, change);
    if (!written) {
      VLOG(1) << "kubelet: starting a pod failed"
              << " pod=" << namespace_ << "/" << name << " error=" << written.error().message;
      co_return;
    }
    observe(*written);
  }

  Awaitable<void> reject(std::string namespace_, std::string name, std::string uid,
                         std::string node, api::InsufficientResource misfit) {
    const std::string now = api::format_rfc3339(registry.clock().now());
    const std::string reason = "OutOf" + misfit.resource;
    auto amount = [&](const api::Quantity& q) {
      return std::to_string(misfit.resource == api::kResourceCpu ? q.milli_value() : q.value());
    };
    const std::string message =
        "Pod was rejected: Node didn't have enough resource: " + misfit.resource +
        ", requested: " + amount(misfit.requested) + ", used: " + amount(misfit.used) +
        ", capacity: " + amount(misfit.capacity);
    PodChange change = [&](JsonDocument& doc) {
      const std::string_view phase = string_at(doc, {"status", "phase"});
      if (string_at(doc, {"spec", "nodeName"}) != node || (!phase.empty() && phase != "Pending")) {
        return false;
      }
      auto& alloc = doc.GetAllocator();
      JsonValue& status = ensure_object(doc, "status", alloc);
      set_string(status, "phase", "Failed", alloc);
      set_string(status, "reason", reason, alloc);
      set_string(status, "message", message, alloc);
      if (find_member(status, "startTime") == nullptr) {
        set_string(status, "startTime", now, alloc);
      }
      return true;
    };
    auto written = co_await update_pod_status(registry, namespace_, name, uid, change);
    if (!written) {
      VLOG(1) << "kubelet: rejecting a pod failed"
              << " pod=" << namespace_ << "/" << name << " error=" << written.error().message;
      co_return;
    }
    observe(*written);
  }

  Awaitable<void> fail_node_lost(std::string key) {
    auto it = pods.find(key);
    if (it == pods.end() || nodes.count(it->second.node) != 0) {
      co_return;  // gone, or the node came back
    }
    const TrackedPod pod = it->second;
    const std::string now = api::format_rfc3339(registry.clock().now());
    const std::string message =
        "Node " + pod.node + " which was running pod " + pod.name + " is unresponsive";
    PodChange change = [&](JsonDocument& doc) {
      if (terminal_phase(string_at(doc, {"status", "phase"})) ||
          string_at(doc, {"spec", "nodeName"}) != pod.node) {
        return false;
      }
      fail_pod(doc, "NodeLost", message, "DeletionByPodGC", now);
      return true;
    };
    auto written = co_await update_pod_status(registry, pod.namespace_, pod.name, pod.uid, change);
    if (!written) {
      VLOG(1) << "kubelet: failing a pod of a lost node failed"
              << " pod=" << key << " error=" << written.error().message;
      co_return;
    }
    observe(*written);
  }
};

Kubelet::Kubelet(net::io_context& ioc, Registry& registry, std::chrono::milliseconds delay)
    : impl_(std::make_shared<Impl>(ioc, registry, delay)) {}

Kubelet::~Kubelet() { stop(); }

void Kubelet::start() {
  impl_->registry.set_graceful_pod_deletion(true);
  std::shared_ptr<Impl> impl = impl_;
  impl_->loop.start(
      [impl](std::vector<EventPtr> events) { return impl->handle(std::move(events)); });
}

void Kubelet::stop() { impl_->loop.stop(); }

Awaitable<ApiResult<ObjectPtr>> Kubelet::evict(std::string namespace_, std::string name) {
  Registry& registry = impl_->registry;
  ResourcePtr pods = registry.catalog().find("", "v1", "pods");
  ObjectPtr current = registry.store().get(pods->storage_id(), namespace_, name);
  if (current == nullptr) {
    co_return Unexpected(not_found(pods->subject(name)));
  }
  const std::string node(string_at(current->doc, {"spec", "nodeName"}));
  const std::string phase(string_at(current->doc, {"status", "phase"}));
  if (node.empty()) {
    co_return Unexpected(
        conflict(pods->subject(name), "pod " + name +
                                          " is not bound to a node: only a kubelet "
                                          "evicts, and no kubelet runs it"));
  }
  if (terminal_phase(phase)) {
    co_return Unexpected(conflict(pods->subject(name),
                                  "pod " + name + " has already terminated (phase " + phase + ")"));
  }
  const std::string now = api::format_rfc3339(registry.clock().now());
  const std::string message =
      "The node was low on resource: memory. Evicted through the devcluster admin endpoint.";
  bool changed = false;
  PodChange change = [&](JsonDocument& doc) {
    if (terminal_phase(string_at(doc, {"status", "phase"})) ||
        string_at(doc, {"spec", "nodeName"}).empty()) {
      return false;
    }
    fail_pod(doc, "Evicted", message, "TerminationByKubelet", now);
    changed = true;
    return true;
  };
  auto written = co_await update_pod_status(registry, namespace_, name, current->uid, change);
  if (!written) {
    co_return Unexpected(std::move(written).error());
  }
  if (!changed) {
    co_return Unexpected(
        conflict(pods->subject(name), "pod " + name + " changed while being evicted"));
  }
  co_await record_event(registry, *written, "Pod", "Warning", "Evicted", message,
                        std::string(kComponent));
  co_return *written;
}

}  // namespace korder::devcluster
