#include "bootstrap.h"

#include <fstream>
#include <sstream>

#include "korder/api/yaml.h"

namespace korder::devcluster {
namespace {

NodeSpec shape(int index) {
  NodeSpec spec;
  spec.name = "dev-node-" + std::to_string(index + 1);
  switch (index % 4) {
    case 0:
    case 1:
      spec.labels = {{"node-type", "compute"},
                     {"topology.kubernetes.io/zone", index % 2 == 0 ? "zone-a" : "zone-b"}};
      spec.allocatable = {
          {"cpu", "8"}, {"memory", "32Gi"}, {"pods", "110"}, {"ephemeral-storage", "100Gi"}};
      break;
    case 2:
      spec.labels = {{"node-type", "general"}, {"topology.kubernetes.io/zone", "zone-a"}};
      spec.allocatable = {
          {"cpu", "4"}, {"memory", "16Gi"}, {"pods", "110"}, {"ephemeral-storage", "100Gi"}};
      break;
    default:
      spec.labels = {{"node-type", "compute"},
                     {"accelerator", "nvidia"},
                     {"topology.kubernetes.io/zone", "zone-b"}};
      spec.allocatable = {{"cpu", "16"},
                          {"memory", "64Gi"},
                          {"pods", "110"},
                          {"ephemeral-storage", "200Gi"},
                          {"nvidia.com/gpu", "2"}};
      break;
  }
  return spec;
}

JsonValue string_object(const std::map<std::string, std::string>& values, JsonAllocator& alloc) {
  JsonValue object(rapidjson::kObjectType);
  for (const auto& [k, v] : values) {
    set_string(object, k, v, alloc);
  }
  return object;
}

JsonValue condition(std::string_view type, std::string_view status, std::string_view reason,
                    std::string_view message, const std::string& now, JsonAllocator& alloc) {
  JsonValue c(rapidjson::kObjectType);
  set_string(c, "type", type, alloc);
  set_string(c, "status", status, alloc);
  set_string(c, "lastHeartbeatTime", now, alloc);
  set_string(c, "lastTransitionTime", now, alloc);
  set_string(c, "reason", reason, alloc);
  set_string(c, "message", message, alloc);
  return c;
}

}  // namespace

std::vector<NodeSpec> default_nodes(int count) {
  std::vector<NodeSpec> out;
  const int n = count < 0 ? 4 : count;
  for (int i = 0; i < n; ++i) {
    out.push_back(shape(i));
  }
  return out;
}

std::vector<std::string> bootstrap_namespaces() {
  return {"default", "kube-system", "kube-public", "kube-node-lease", "korder-system"};
}

JsonDocument node_object(const NodeSpec& spec, int index, const std::string& now) {
  JsonDocument doc(rapidjson::kObjectType);
  auto& alloc = doc.GetAllocator();
  set_string(doc, "apiVersion", "v1", alloc);
  set_string(doc, "kind", "Node", alloc);
  JsonValue metadata(rapidjson::kObjectType);
  set_string(metadata, "name", spec.name, alloc);
  std::map<std::string, std::string> labels = {{"kubernetes.io/os", "linux"},
                                               {"kubernetes.io/arch", "amd64"},
                                               {"kubernetes.io/hostname", spec.name}};
  for (const auto& [k, v] : spec.labels) {
    labels[k] = v;
  }
  set_member(metadata, "labels", string_object(labels, alloc), alloc);
  set_member(doc, "metadata", std::move(metadata), alloc);
  JsonValue node_spec(rapidjson::kObjectType);
  if (!spec.taints.empty()) {
    JsonValue taints(rapidjson::kArrayType);
    for (const auto& t : spec.taints) {
      taints.PushBack(string_object(t, alloc), alloc);
    }
    set_member(node_spec, "taints", std::move(taints), alloc);
  }
  if (spec.unschedulable) {
    set_member(node_spec, "unschedulable", JsonValue(true), alloc);
  }
  set_member(doc, "spec", std::move(node_spec), alloc);
  JsonValue status(rapidjson::kObjectType);
  set_member(status, "capacity", string_object(spec.allocatable, alloc), alloc);
  set_member(status, "allocatable", string_object(spec.allocatable, alloc), alloc);
  JsonValue conditions(rapidjson::kArrayType);
  conditions.PushBack(condition("MemoryPressure", "False", "KubeletHasSufficientMemory",
                                "kubelet has sufficient memory available", now, alloc),
                      alloc);
  conditions.PushBack(condition("DiskPressure", "False", "KubeletHasNoDiskPressure",
                                "kubelet has no disk pressure", now, alloc),
                      alloc);
  conditions.PushBack(condition("PIDPressure", "False", "KubeletHasSufficientPID",
                                "kubelet has sufficient PID available", now, alloc),
                      alloc);
  conditions.PushBack(
      condition("Ready", "True", "KubeletReady", "kubelet is posting ready status", now, alloc),
      alloc);
  set_member(status, "conditions", std::move(conditions), alloc);
  JsonValue addresses(rapidjson::kArrayType);
  JsonValue ip(rapidjson::kObjectType);
  set_string(ip, "type", "InternalIP", alloc);
  set_string(ip, "address",
             "10.0." + std::to_string(index / 250) + "." + std::to_string(index % 250 + 2), alloc);
  addresses.PushBack(std::move(ip), alloc);
  JsonValue host(rapidjson::kObjectType);
  set_string(host, "type", "Hostname", alloc);
  set_string(host, "address", spec.name, alloc);
  addresses.PushBack(std::move(host), alloc);
  set_member(status, "addresses", std::move(addresses), alloc);
  set_member(status, "nodeInfo",
             string_object({{"kubeletVersion", "v1.32.0-korder"},
                            {"kubeProxyVersion", "v1.32.0-korder"},
                            {"osImage", "korder devcluster (simulated)"},
                            {"kernelVersion", "6.1.0-korder"},
                            {"containerRuntimeVersion", "korder-sim://1.0"},
                            {"operatingSystem", "linux"},
                            {"architecture", "amd64"},
                            {"machineID", spec.name},
                            {"systemUUID", spec.name},
                            {"bootID", spec.name}},
                           alloc),
             alloc);
  set_string(status, "phase", "Running", alloc);
  set_member(doc, "status", std::move(status), alloc);
  return doc;
}

Expected<std::vector<JsonDocument>, std::string> load_nodes_file(const std::string& path,
                                                                 const std::string& now) {
  std::ifstream in(path);
  if (!in) {
    return Unexpected("cannot read nodes file " + path);
  }
  std::stringstream text;
  text << in.rdbuf();
  auto json = api::yaml_to_json(text.str());
  if (!json) {
    return Unexpected("nodes file " + path + ": " + json.error().to_string());
  }
  JsonDocument list;
  if (!api::parse_json(*json, list) || !list.IsArray()) {
    return Unexpected("nodes file " + path + ": expected a YAML list of nodes");
  }
  std::vector<JsonDocument> out;
  int index = 0;
  for (const auto& item : list.GetArray()) {
    if (string_at(item, {"kind"}) == "Node") {
      out.push_back(copy_document(item));
      ++index;
      continue;
    }
    NodeSpec spec;
    spec.name = std::string(string_at(item, {"name"}));
    if (spec.name.empty()) {
      return Unexpected("nodes file " + path + ": item " + std::to_string(index) + " has no name");
    }
    spec.labels = string_map(find_member(item, "labels"));
    spec.allocatable = {{"cpu", "4"}, {"memory", "16Gi"}, {"pods", "110"}};
    if (const JsonValue* allocatable = find_member(item, "allocatable")) {
      for (auto it = allocatable->MemberBegin(); it != allocatable->MemberEnd(); ++it) {
        spec.allocatable[std::string(it->name.GetString(), it->name.GetStringLength())] =
            it->value.IsString() ? std::string(it->value.GetString(), it->value.GetStringLength())
                                 : api::write_json(it->value);
      }
    }
    if (const JsonValue* taints = find_member(item, "taints"); taints && taints->IsArray()) {
      for (const auto& t : taints->GetArray()) {
        spec.taints.push_back(string_map(&t));
      }
    }
    if (const JsonValue* u = find_member(item, "unschedulable"); u && u->IsBool()) {
      spec.unschedulable = u->GetBool();
    }
    out.push_back(node_object(spec, index++, now));
  }
  return out;
}

}  // namespace korder::devcluster
