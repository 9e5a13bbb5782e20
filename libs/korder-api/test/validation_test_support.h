#pragma once

// Helpers for the validation tests: valid objects to start from, and a table runner that
// mutates a copy and compares the full messages of every error returned.

#include <catch2/catch.hpp>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "korder/api/order.h"
#include "korder/api/quantity.h"
#include "korder/api/quota.h"
#include "korder/api/ticket.h"
#include "korder/base/error.h"

namespace korder::api::testing {

using Messages = std::vector<std::string>;

// The exact messages of k8s.io/apimachinery/pkg/util/validation (Kubernetes 1.28).
inline const std::string kDns1123LabelMsg =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
    "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex "
    "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
inline const std::string kDns1123SubdomainMsg =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
    "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
inline const std::string kNamePartMsg =
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
    "with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
    "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
inline const std::string kLabelValueMsg =
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
    "'my_value',  or '12345', regex used for validation is "
    "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

/// `to_string()` of every error, in order.
inline Messages messages(const FieldErrors& errors) {
  Messages out;
  for (const auto& e : errors) {
    out.push_back(e.to_string());
  }
  return out;
}

/// A quantity from text known to be valid.
inline Quantity qty(std::string_view text) {
  auto q = Quantity::parse(text);
  REQUIRE(q.has_value());
  return *q;
}

/// A minimal valid ticket spec: 24h of 500m CPU and 1Gi.
inline TicketSpec valid_ticket_spec() {
  TicketSpec spec;
  spec.duration = "24h";
  spec.resources.requests = {{"cpu", qty("500m")}, {"memory", qty("1Gi")}};
  return spec;
}

/// A valid OneTime order `my-order` in `default` with 3 replicas.
inline Order valid_order() {
  Order order;
  order.api_version = "core.korder.dev/v1alpha1";
  order.kind = "Order";
  order.metadata.name = "my-order";
  order.metadata.namespace_ = "default";
  order.spec.replicas = 3;
  order.spec.strategy.type = "OneTime";
  order.spec.template_.metadata.labels = {{"app", "my-application"}};
  order.spec.template_.spec = valid_ticket_spec();
  return order;
}

/// A valid ticket of `my-order`, slot r0.
inline Ticket valid_ticket() {
  Ticket ticket;
  ticket.api_version = "core.korder.dev/v1alpha1";
  ticket.kind = "Ticket";
  ticket.metadata.name = "my-order-0123456789ab";
  ticket.metadata.namespace_ = "default";
  ticket.metadata.labels = {
      {"korder.dev/order", "my-order"}, {"korder.dev/slot", "r0"}, {"korder.dev/incarnation", "0"}};
  ticket.spec = valid_ticket_spec();
  return ticket;
}

/// A valid cluster-wide quota `team-quota` with every kind of limit.
inline Quota valid_quota() {
  Quota quota;
  quota.api_version = "core.korder.dev/v1alpha1";
  quota.kind = "Quota";
  quota.metadata.name = "team-quota";
  quota.spec.scope.type = "Cluster";
  quota.spec.hard = {{"orders", "10"},
                     {"tickets", "50"},
                     {"reserved.cpu", "20"},
                     {"reserved.memory", "40Gi"},
                     {"max-duration", "24h"}};
  return quota;
}

/// One row of a validation table: `mutate` turns a valid object into the case, `expected`
/// lists the full message of every error, in order (empty: valid).
template <typename T>
struct Case {
  std::string name;
  std::function<void(T&)> mutate;
  Messages expected;
};

/// Runs every case of `cases` against `validate`, starting each from `valid`.
template <typename T, typename Validate>
void run_cases(const T& valid, const std::vector<Case<T>>& cases, Validate validate) {
  for (const auto& c : cases) {
    T object = valid;
    c.mutate(object);
    INFO("case: " << c.name);
    CHECK(messages(validate(object)) == c.expected);
  }
}

}  // namespace korder::api::testing
