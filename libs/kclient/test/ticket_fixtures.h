#pragma once

// Small Ticket builders shared by the store, relist-diff, watcher and informer tests.

#include <algorithm>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "korder/api/ticket.h"

namespace korder::kclient::test {

using TicketPtr = std::shared_ptr<const api::Ticket>;

/// A ticket `ns/name` at resourceVersion `rv`, with uid `uid-<name>` unless given, on node
/// `node` (status.nodeName; empty for none).
inline TicketPtr make_ticket(std::string ns, std::string name, std::string rv,
                             std::string node = "", std::string uid = "") {
  api::Ticket t;
  t.api_version = "core.korder.dev/v1alpha1";
  t.kind = "Ticket";
  t.metadata.uid = uid.empty() ? "uid-" + name : std::move(uid);
  t.metadata.namespace_ = std::move(ns);
  t.metadata.name = std::move(name);
  t.metadata.resource_version = std::move(rv);
  t.spec.duration = "1h";
  t.status.node_name = std::move(node);
  return std::make_shared<const api::Ticket>(std::move(t));
}

/// The index function of `tickets_by_node`: the ticket's node, none while it has none.
inline std::vector<std::string> ticket_node(const api::Ticket& t) {
  if (t.status.node_name.empty()) {
    return {};
  }
  return {t.status.node_name};
}

/// The names of `objects`, sorted (stores return objects in no particular order).
template <typename Ptrs>
std::vector<std::string> sorted_names(const Ptrs& objects) {
  std::vector<std::string> names;
  for (const auto& o : objects) {
    names.push_back(o->metadata.name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

// ---- JSON as the API server sends it ----

/// A Ticket's JSON (uid `uid-<name>`).
inline std::string ticket_json(const std::string& name, const std::string& rv) {
  return R"({"apiVersion":"core.korder.dev/v1alpha1","kind":"Ticket","metadata":{"name":")" + name +
         R"(","namespace":"ns","uid":"uid-)" + name + R"(","resourceVersion":")" + rv +
         R"("},"spec":{"duration":"1h"}})";
}

inline std::string list_json(const std::string& rv, const std::vector<std::string>& items,
                             const std::string& continue_token = "") {
  std::string out = R"({"apiVersion":"core.korder.dev/v1alpha1","kind":"TicketList",)"
                    R"("metadata":{"resourceVersion":")" +
                    rv + R"(")";
  if (!continue_token.empty()) {
    out += R"(,"continue":")" + continue_token + R"(")";
  }
  out += R"(},"items":[)";
  for (std::size_t i = 0; i < items.size(); ++i) {
    out += (i == 0 ? "" : ",") + items[i];
  }
  return out + "]}";
}

inline std::string event_json(const std::string& type, const std::string& object) {
  return R"({"type":")" + type + R"(","object":)" + object + "}\n";
}

inline std::string bookmark_json(const std::string& rv) {
  return event_json("BOOKMARK", R"({"kind":"Ticket","apiVersion":"core.korder.dev/v1alpha1",)"
                                R"("metadata":{"resourceVersion":")" +
                                    rv + R"("}})");
}

}  // namespace korder::kclient::test
