#pragma once

#include <compare>
#include <cstddef>
#include <functional>
#include <iosfwd>
#include <string>
#include <string_view>
#include <utility>

#include "korder/base/error.h"
#include "korder/base/expected.h"

namespace korder::kclient {

/// What a controller enqueues and a reconciler receives: the namespace and name of the object to
/// reconcile, nothing else (controller-runtime's `reconcile.Request`). Reconcilers read the
/// object's current state from the cache; they never act on the event that woke them.
struct Request {
  /// The object's namespace; empty for a cluster-scoped object. (`namespace` is a C++ keyword.)
  std::string namespace_;
  std::string name;

  /// The cache key form (client-go's `MetaNamespaceKeyFunc`): `ns/name`, or `name` for a
  /// cluster-scoped object.
  std::string to_string() const;

  bool operator==(const Request&) const = default;
  auto operator<=>(const Request&) const = default;

  template <typename H>
  friend H AbslHashValue(H h, const Request& r) {
    return H::combine(std::move(h), r.namespace_, r.name);
  }
};

/// Parses a cache key back into a Request, as client-go's `SplitMetaNamespaceKey`: `ns/name` or
/// `name`. Errors: an empty key, an empty name, or more than one `/`
/// (`unexpected key format: "a/b/c"`).
Expected<Request, ParseError> parse_request(std::string_view key);

/// Prints `r.to_string()` (for logs and test failure messages).
std::ostream& operator<<(std::ostream& os, const Request& r);

}  // namespace korder::kclient

/// Requests are keys of hash maps (the work queue's dirty and processing sets).
template <>
struct std::hash<korder::kclient::Request> {
  std::size_t operator()(const korder::kclient::Request& r) const noexcept;
};
