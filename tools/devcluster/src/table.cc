#include "table.h"

#include <algorithm>

#include "korder/api/time.h"

namespace korder::devcluster {
namespace {

using Cells = std::vector<JsonValue>;

std::string fmt(std::int64_t n, const char* unit) { return std::to_string(n) + unit; }

std::string age_of(const JsonValue& object, TimePoint now,
                   std::initializer_list<std::string_view> path = {"metadata",
                                                                   "creationTimestamp"}) {
  const std::string_view text = string_at(object, path);
  auto t = api::parse_rfc3339(text);
  if (text.empty() || !t) {
    return "<unknown>";
  }
  return human_duration(std::chrono::duration_cast<std::chrono::nanoseconds>(now - *t));
}

JsonValue str(std::string_view text, JsonAllocator& alloc) { return make_string(text, alloc); }

std::string or_none(std::string_view text) { return text.empty() ? "<none>" : std::string(text); }

std::size_t count_members(const JsonValue* v) {
  if (v == nullptr) return 0;
  if (v->IsObject()) return v->MemberCount();
  if (v->IsArray()) return v->Size();
  return 0;
}

Cells pod_cells(const JsonValue& pod, TimePoint now, JsonAllocator& alloc) {
  const JsonValue* containers = find_path(pod, {"spec", "containers"});
  const std::size_t total = count_members(containers);
  std::size_t ready = 0;
  std::int64_t restarts = 0;
  if (const JsonValue* statuses = find_path(pod, {"status", "containerStatuses"});
      statuses && statuses->IsArray()) {
    for (const auto& s : statuses->GetArray()) {
      if (const JsonValue* r = find_member(s, "ready"); r && r->IsBool() && r->GetBool()) {
        ++ready;
      }
      restarts += int_at(s, {"restartCount"}).value_or(0);
    }
  }
  std::string status(string_at(pod, {"status", "reason"}));
  if (status.empty()) {
    status = std::string(string_at(pod, {"status", "phase"}));
  }
  const JsonValue* gates = find_path(pod, {"spec", "schedulingGates"});
  if (gates != nullptr && gates->IsArray() && !gates->Empty()) {
    status = "SchedulingGated";
  }
  if (find_path(pod, {"metadata", "deletionTimestamp"}) != nullptr) {
    status = "Terminating";
  }
  Cells cells;
  cells.push_back(str(string_at(pod, {"metadata", "name"}), alloc));
  cells.push_back(str(std::to_string(ready) + "/" + std::to_string(total), alloc));
  cells.push_back(str(status, alloc));
  cells.push_back(JsonValue(restarts));
  cells.push_back(str(age_of(pod, now), alloc));
  cells.push_back(str(or_none(string_at(pod, {"status", "podIP"})), alloc));
  cells.push_back(str(or_none(string_at(pod, {"spec", "nodeName"})), alloc));
  cells.push_back(str(or_none(string_at(pod, {"status", "nominatedNodeName"})), alloc));
  cells.push_back(str("<none>", alloc));
  return cells;
}

Cells node_cells(const JsonValue& node, TimePoint now, JsonAllocator& alloc) {
  std::string status = "Unknown";
  if (const JsonValue* conditions = find_path(node, {"status", "conditions"});
      conditions && conditions->IsArray()) {
    for (const auto& c : conditions->GetArray()) {
      if (string_at(c, {"type"}) == "Ready") {
        status = string_at(c, {"status"}) == "True" ? "Ready" : "NotReady";
      }
    }
  }
  if (const JsonValue* u = find_path(node, {"spec", "unschedulable"});
      u && u->IsBool() && u->GetBool()) {
    status += ",SchedulingDisabled";
  }
  std::string roles;
  for (const auto& [key, value] : string_map(find_path(node, {"metadata", "labels"}))) {
    constexpr std::string_view kPrefix = "node-role.kubernetes.io/";
    if (key.rfind(kPrefix, 0) == 0) {
      roles += (roles.empty() ? "" : ",") + key.substr(kPrefix.size());
    }
  }
  std::string internal_ip;
  if (const JsonValue* addresses = find_path(node, {"status", "addresses"});
      addresses && addresses->IsArray()) {
    for (const auto& a : addresses->GetArray()) {
      if (string_at(a, {"type"}) == "InternalIP") {
        internal_ip = std::string(string_at(a, {"address"}));
      }
    }
  }
  Cells cells;
  cells.push_back(str(string_at(node, {"metadata", "name"}), alloc));
  cells.push_back(str(status, alloc));
  cells.push_back(str(or_none(roles), alloc));
  cells.push_back(str(age_of(node, now), alloc));
  cells.push_back(str(string_at(node, {"status", "nodeInfo", "kubeletVersion"}), alloc));
  cells.push_back(str(or_none(internal_ip), alloc));
  cells.push_back(str("<none>", alloc));
  cells.push_back(str(or_none(string_at(node, {"status", "nodeInfo", "osImage"})), alloc));
  cells.push_back(str(or_none(string_at(node, {"status", "nodeInfo", "kernelVersion"})), alloc));
  cells.push_back(
      str(or_none(string_at(node, {"status", "nodeInfo", "containerRuntimeVersion"})), alloc));
  return cells;
}

Cells event_cells(const JsonValue& e, TimePoint now, JsonAllocator& alloc) {
  std::string last_seen = age_of(e, now, {"lastTimestamp"});
  if (last_seen == "<unknown>") {
    last_seen = age_of(e, now, {"eventTime"});
  }
  const std::string object = std::string(string_at(e, {"involvedObject", "kind"})) + "/" +
                             std::string(string_at(e, {"involvedObject", "name"}));
  Cells cells;
  cells.push_back(str(last_seen, alloc));
  cells.push_back(str(string_at(e, {"type"}), alloc));
  cells.push_back(str(string_at(e, {"reason"}), alloc));
  cells.push_back(str(object, alloc));
  cells.push_back(str(string_at(e, {"message"}), alloc));
  return cells;
}

Cells service_cells(const JsonValue& s, TimePoint now, JsonAllocator& alloc) {
  std::string ports;
  if (const JsonValue* list = find_path(s, {"spec", "ports"}); list && list->IsArray()) {
    for (const auto& p : list->GetArray()) {
      const std::string port =
          find_member(p, "port") ? api::write_json(*find_member(p, "port")) : "";
      std::string protocol(string_at(p, {"protocol"}));
      ports += (ports.empty() ? "" : ",") + port + "/" + (protocol.empty() ? "TCP" : protocol);
    }
  }
  std::string selector;
  for (const auto& [k, v] : string_map(find_path(s, {"spec", "selector"}))) {
    selector += (selector.empty() ? "" : ",") + k + "=" + v;
  }
  Cells cells;
  cells.push_back(str(string_at(s, {"metadata", "name"}), alloc));
  cells.push_back(str(string_at(s, {"spec", "type"}), alloc));
  cells.push_back(str(or_none(string_at(s, {"spec", "clusterIP"})), alloc));
  cells.push_back(str("<none>", alloc));
  cells.push_back(str(or_none(ports), alloc));
  cells.push_back(str(age_of(s, now), alloc));
  cells.push_back(str(or_none(selector), alloc));
  return cells;
}

JsonValue column_cell(const PrinterColumn& column, const JsonValue& object, TimePoint now,
                      JsonAllocator& alloc) {
  std::vector<const JsonValue*> values = eval_jsonpath(object, column.json_path);
  if (values.empty() || values.front() == nullptr || values.front()->IsNull()) {
    return JsonValue();
  }
  const JsonValue& v = *values.front();
  if (column.type == "date") {
    if (v.IsString()) {
      auto t = api::parse_rfc3339(std::string_view(v.GetString(), v.GetStringLength()));
      if (t) {
        return str(human_duration(std::chrono::duration_cast<std::chrono::nanoseconds>(now - *t)),
                   alloc);
      }
    }
    return deep_copy(v, alloc);
  }
  if ((column.type == "integer" || column.type == "number") && v.IsNumber()) {
    return deep_copy(v, alloc);
  }
  if (column.type == "boolean" && v.IsBool()) {
    return deep_copy(v, alloc);
  }
  if (values.size() > 1) {
    std::string joined;
    for (const JsonValue* item : values) {
      joined += (joined.empty() ? "" : ",") +
                (item->IsString() ? std::string(item->GetString(), item->GetStringLength())
                                  : api::write_json(*item));
    }
    return str(joined, alloc);
  }
  if (v.IsString()) {
    return deep_copy(v, alloc);
  }
  return str(api::write_json(v), alloc);
}

Cells generic_cells(const ResourceInfo& info, const JsonValue& object, TimePoint now,
                    JsonAllocator& alloc) {
  Cells cells;
  cells.push_back(str(string_at(object, {"metadata", "name"}), alloc));
  for (const auto& column : table_columns(info)) {
    if (column.name == "Name") {
      continue;
    }
    if (!column.json_path.empty()) {
      cells.push_back(column_cell(column, object, now, alloc));
    } else if (column.name == "Data") {
      cells.push_back(
          JsonValue(static_cast<std::int64_t>(count_members(find_member(object, "data")) +
                                              count_members(find_member(object, "binaryData")))));
    } else if (column.name == "Secrets") {
      cells.push_back(
          JsonValue(static_cast<std::int64_t>(count_members(find_member(object, "secrets")))));
    } else if (column.name == "Webhooks") {
      cells.push_back(
          JsonValue(static_cast<std::int64_t>(count_members(find_member(object, "webhooks")))));
    } else {
      cells.push_back(JsonValue());
    }
  }
  return cells;
}

Cells cells_for(const ResourceInfo& info, const JsonValue& object, TimePoint now,
                JsonAllocator& alloc) {
  switch (info.rules) {
    case KindRules::Pod:
      return pod_cells(object, now, alloc);
    case KindRules::Node:
      return node_cells(object, now, alloc);
    case KindRules::Event:
      return event_cells(object, now, alloc);
    case KindRules::Service:
      return service_cells(object, now, alloc);
    default:
      return generic_cells(info, object, now, alloc);
  }
}

PrinterColumn col(std::string name, std::string type, int priority = 0, std::string path = {},
                  std::string description = {}) {
  return PrinterColumn{std::move(name),        std::move(type), "",
                       std::move(description), std::move(path), priority};
}

}  // namespace

std::string human_duration(std::chrono::nanoseconds d) {
  const std::int64_t seconds = std::chrono::duration_cast<std::chrono::seconds>(d).count();
  if (seconds < -1) {
    return "<invalid>";
  }
  if (seconds < 0) {
    return "0s";
  }
  if (seconds < 60 * 2) {
    return fmt(seconds, "s");
  }
  const std::int64_t minutes = seconds / 60;
  if (minutes < 10) {
    const std::int64_t s = seconds % 60;
    return s == 0 ? fmt(minutes, "m") : fmt(minutes, "m") + fmt(s, "s");
  }
  if (minutes < 60 * 3) {
    return fmt(minutes, "m");
  }
  const std::int64_t hours = minutes / 60;
  if (hours < 8) {
    const std::int64_t m = minutes % 60;
    return m == 0 ? fmt(hours, "h") : fmt(hours, "h") + fmt(m, "m");
  }
  if (hours < 48) {
    return fmt(hours, "h");
  }
  if (hours < 24 * 8) {
    const std::int64_t h = hours % 24;
    return h == 0 ? fmt(hours / 24, "d") : fmt(hours / 24, "d") + fmt(h, "h");
  }
  if (hours < 24 * 365 * 2) {
    return fmt(hours / 24, "d");
  }
  if (hours < 24 * 365 * 8) {
    const std::int64_t dy = (hours / 24) % 365;
    return dy == 0 ? fmt(hours / 24 / 365, "y") : fmt(hours / 24 / 365, "y") + fmt(dy, "d");
  }
  return fmt(hours / 24 / 365, "y");
}

std::vector<const JsonValue*> eval_jsonpath(const JsonValue& root, std::string_view path) {
  std::vector<const JsonValue*> current{&root};
  std::size_t i = 0;
  if (!path.empty() && path.front() == '{' && path.back() == '}') {
    path = path.substr(1, path.size() - 2);
  }
  while (i < path.size()) {
    std::vector<const JsonValue*> next;
    if (path[i] == '.') {
      ++i;
      const std::size_t end = path.find_first_of(".[", i);
      const std::string_view key =
          path.substr(i, end == std::string_view::npos ? path.size() - i : end - i);
      i = end == std::string_view::npos ? path.size() : end;
      for (const JsonValue* v : current) {
        if (const JsonValue* m = find_member(*v, key)) {
          next.push_back(m);
        }
      }
    } else if (path[i] == '[') {
      const std::size_t close = path.find(']', i);
      if (close == std::string_view::npos) {
        return {};
      }
      const std::string_view inside = path.substr(i + 1, close - i - 1);
      i = close + 1;
      for (const JsonValue* v : current) {
        if (!v->IsArray()) {
          continue;
        }
        if (inside == "*") {
          for (const auto& item : v->GetArray()) next.push_back(&item);
        } else if (inside.rfind("?(@.", 0) == 0) {
          // [?(@.key=="value")]
          const std::size_t eq = inside.find("==");
          if (eq == std::string_view::npos) continue;
          const std::string_view key = inside.substr(4, eq - 4);
          std::string_view want = inside.substr(eq + 2);
          if (!want.empty() && want.back() == ')') want.remove_suffix(1);
          if (want.size() >= 2 && (want.front() == '"' || want.front() == '\'')) {
            want = want.substr(1, want.size() - 2);
          }
          for (const auto& item : v->GetArray()) {
            if (string_at(item, {key}) == want) next.push_back(&item);
          }
        } else {
          std::size_t index = 0;
          bool digits = !inside.empty();
          for (char c : inside) {
            digits = digits && c >= '0' && c <= '9';
            index = index * 10 + static_cast<std::size_t>(c - '0');
          }
          if (digits && index < v->Size()) {
            next.push_back(&(*v)[static_cast<rapidjson::SizeType>(index)]);
          }
        }
      }
    } else {
      return {};
    }
    current = std::move(next);
  }
  return current;
}

std::vector<PrinterColumn> table_columns(const ResourceInfo& info) {
  std::vector<PrinterColumn> out;
  out.push_back(PrinterColumn{"Name", "string", "name",
                              "Name must be unique within a namespace. Is required when creating "
                              "resources, although some resources may allow a client to request "
                              "the generation of an appropriate name automatically.",
                              "", 0});
  const std::string age_path = ".metadata.creationTimestamp";
  switch (info.rules) {
    case KindRules::Pod:
      for (auto c :
           {col("Ready", "string", 0, "",
                "The aggregate readiness state of this pod for accepting traffic."),
            col("Status", "string", 0, "", "The aggregate status of the containers in this pod."),
            col("Restarts", "string", 0, "",
                "The number of times the containers in this pod have been restarted and when the "
                "last container in this pod has restarted."),
            col("Age", "string", 0, age_path),
            col("IP", "string", 1, "", "IP address allocated to the pod."),
            col("Node", "string", 1, "", "Name of the Node this pod is assigned to."),
            col("Nominated Node", "string", 1), col("Readiness Gates", "string", 1)}) {
        out.push_back(std::move(c));
      }
      return out;
    case KindRules::Node:
      for (auto c :
           {col("Status", "string"), col("Roles", "string"), col("Age", "string", 0, age_path),
            col("Version", "string"), col("Internal-IP", "string", 1),
            col("External-IP", "string", 1), col("OS-Image", "string", 1),
            col("Kernel-Version", "string", 1), col("Container-Runtime", "string", 1)}) {
        out.push_back(std::move(c));
      }
      return out;
    case KindRules::Event:
      out.clear();
      for (auto c : {col("Last Seen", "string"), col("Type", "string"), col("Reason", "string"),
                     col("Object", "string"), col("Message", "string")}) {
        out.push_back(std::move(c));
      }
      return out;
    case KindRules::Service:
      for (auto c : {col("Type", "string"), col("Cluster-IP", "string"),
                     col("External-IP", "string"), col("Port(s)", "string"),
                     col("Age", "string", 0, age_path), col("Selector", "string", 1)}) {
        out.push_back(std::move(c));
      }
      return out;
    case KindRules::Namespace:
      out.push_back(col("Status", "string", 0, ".status.phase"));
      break;
    case KindRules::CustomResourceDefinition:
      out.push_back(col("Created At", "string", 0, ".metadata.creationTimestamp"));
      return out;
    case KindRules::CustomResource:
      for (const auto& c : info.columns) {
        out.push_back(c);
      }
      return out;
    default:
      if (info.resource == "configmaps") {
        out.push_back(col("Data", "string"));
      } else if (info.resource == "secrets") {
        out.push_back(col("Type", "string", 0, ".type"));
        out.push_back(col("Data", "string"));
      } else if (info.resource == "serviceaccounts") {
        out.push_back(col("Secrets", "string"));
      } else if (info.resource == "leases") {
        out.push_back(col("Holder", "string", 0, ".spec.holderIdentity"));
      } else if (info.resource.find("webhookconfigurations") != std::string::npos) {
        out.push_back(col("Webhooks", "integer"));
      }
      break;
  }
  out.push_back(col("Age", "date", 0, age_path));
  return out;
}

std::string partial_metadata_json(const StoredObject& object) {
  JsonDocument doc(rapidjson::kObjectType);
  auto& alloc = doc.GetAllocator();
  set_string(doc, "kind", "PartialObjectMetadata", alloc);
  set_string(doc, "apiVersion", "meta.k8s.io/v1", alloc);
  if (const JsonValue* metadata = find_member(object.doc, "metadata")) {
    set_member(doc, "metadata", deep_copy(*metadata, alloc), alloc);
  }
  return api::write_json(doc);
}

std::string table_json(const ResourceInfo& info, const std::vector<ObjectPtr>& items,
                       std::string_view resource_version, std::string_view continue_token,
                       bool with_columns, TimePoint now) {
  JsonDocument doc(rapidjson::kObjectType);
  auto& alloc = doc.GetAllocator();
  set_string(doc, "kind", "Table", alloc);
  set_string(doc, "apiVersion", "meta.k8s.io/v1", alloc);
  JsonValue metadata(rapidjson::kObjectType);
  set_string(metadata, "resourceVersion", resource_version, alloc);
  if (!continue_token.empty()) {
    set_string(metadata, "continue", continue_token, alloc);
  }
  set_member(doc, "metadata", std::move(metadata), alloc);
  if (with_columns) {
    JsonValue columns(rapidjson::kArrayType);
    for (const auto& c : table_columns(info)) {
      JsonValue def(rapidjson::kObjectType);
      set_string(def, "name", c.name, alloc);
      set_string(def, "type", c.type, alloc);
      set_string(def, "format", c.format, alloc);
      set_string(def, "description", c.description, alloc);
      set_member(def, "priority", JsonValue(c.priority), alloc);
      columns.PushBack(std::move(def), alloc);
    }
    set_member(doc, "columnDefinitions", std::move(columns), alloc);
  } else {
    set_member(doc, "columnDefinitions", JsonValue(), alloc);
  }
  JsonValue rows(rapidjson::kArrayType);
  for (const auto& item : items) {
    JsonValue row(rapidjson::kObjectType);
    JsonValue cells(rapidjson::kArrayType);
    for (auto& cell : cells_for(info, item->doc, now, alloc)) {
      cells.PushBack(std::move(cell), alloc);
    }
    set_member(row, "cells", std::move(cells), alloc);
    JsonValue object(rapidjson::kObjectType);
    set_string(object, "kind", "PartialObjectMetadata", alloc);
    set_string(object, "apiVersion", "meta.k8s.io/v1", alloc);
    if (const JsonValue* m = find_member(item->doc, "metadata")) {
      set_member(object, "metadata", deep_copy(*m, alloc), alloc);
    }
    set_member(row, "object", std::move(object), alloc);
    rows.PushBack(std::move(row), alloc);
  }
  set_member(doc, "rows", std::move(rows), alloc);
  return api::write_json(doc);
}

}  // namespace korder::devcluster
