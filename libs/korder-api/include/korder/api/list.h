#pragma once

// Kubernetes lists (`OrderList`, `PodList`, ...): apiVersion, kind, ListMeta and items.
// The codecs are instantiated in the library for Order, Ticket, Quota, Pod, Node, Namespace,
// Event and Lease; a list of another kind needs an explicit instantiation in src/list.cc.
// Codec conventions: see json.h.

#include <string>
#include <string_view>
#include <vector>

#include "korder/api/extras.h"
#include "korder/api/json_fwd.h"
#include "korder/api/meta.h"

namespace korder::api {

/// A list of objects of one kind. Items keep their own apiVersion/kind as received (custom
/// resource lists carry them, built-in lists usually do not).
template <typename T>
struct List {
  std::string api_version;
  std::string kind;
  ListMeta metadata;
  std::vector<T> items;
  Extras extras;

  bool operator==(const List&) const = default;
};

/// Errors name the item: `items[3].spec.replicas: expected integer, got string`.
template <typename T>
DecodeResult from_json_value(const JsonValue& json, List<T>& out);
/// `metadata` and `items` are always written (`"items":[]` for an empty list).
template <typename T>
JsonValue to_json_value(const List<T>& in, JsonAllocator& alloc);

/// Decodes a List<T> from untrusted JSON text.
template <typename T>
Expected<List<T>, ParseError> parse_list(std::string_view json);
/// Compact JSON of `list`.
template <typename T>
std::string to_json(const List<T>& list);

struct Order;
struct Ticket;
struct Quota;
struct Pod;
struct Node;
struct Namespace;
struct Event;
struct Lease;

using OrderList = List<Order>;
using TicketList = List<Ticket>;
using QuotaList = List<Quota>;
using PodList = List<Pod>;
using NodeList = List<Node>;
using NamespaceList = List<Namespace>;
using EventList = List<Event>;
using LeaseList = List<Lease>;

}  // namespace korder::api
