#pragma once

// ResourceTraits for korder's kinds, so RestClient's typed calls work with them:
// `client.get<api::Order>("default", "my-order")`. A kind is added with one line here (and, for
// lists, an instantiation of api::parse_list in korder-api's list_json.cc).

#include <string>
#include <string_view>

#include "korder/api/event.h"
#include "korder/api/lease.h"
#include "korder/api/list.h"
#include "korder/api/namespace.h"
#include "korder/api/node.h"
#include "korder/api/order.h"
#include "korder/api/pod.h"
#include "korder/api/quota.h"
#include "korder/api/ticket.h"
#include "korder/base/error.h"
#include "korder/base/expected.h"
#include "korder/kclient/resource_ref.h"
#include "korder/kclient/rest_client.h"

namespace korder::kclient {

/// The traits of a kind: its resource, its decoders (object and list) and its encoder.
template <typename T, const ResourceRef& (*Resource)(),
          Expected<T, ParseError> (*Parse)(std::string_view)>
struct BasicResourceTraits {
  static const ResourceRef& resource() { return Resource(); }
  static Expected<T, ParseError> parse(std::string_view json) { return Parse(json); }
  static Expected<api::List<T>, ParseError> parse_list(std::string_view json) {
    return api::parse_list<T>(json);
  }
  static std::string encode(const T& object) { return api::to_json(object); }
};

template <>
struct ResourceTraits<api::Order>
    : BasicResourceTraits<api::Order, &resources::orders, &api::parse_order> {};
template <>
struct ResourceTraits<api::Ticket>
    : BasicResourceTraits<api::Ticket, &resources::tickets, &api::parse_ticket> {};
template <>
struct ResourceTraits<api::Quota>
    : BasicResourceTraits<api::Quota, &resources::quotas, &api::parse_quota> {};
template <>
struct ResourceTraits<api::Pod> : BasicResourceTraits<api::Pod, &resources::pods, &api::parse_pod> {
};
template <>
struct ResourceTraits<api::Node>
    : BasicResourceTraits<api::Node, &resources::nodes, &api::parse_node> {};
template <>
struct ResourceTraits<api::Namespace>
    : BasicResourceTraits<api::Namespace, &resources::namespaces, &api::parse_namespace> {};
template <>
struct ResourceTraits<api::Event>
    : BasicResourceTraits<api::Event, &resources::events, &api::parse_event> {};
template <>
struct ResourceTraits<api::Lease>
    : BasicResourceTraits<api::Lease, &resources::leases, &api::parse_lease> {};

}  // namespace korder::kclient
