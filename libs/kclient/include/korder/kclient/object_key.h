#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "absl/hash/hash.h"

namespace korder::kclient {

/// The cache key of an object, viewed as its two parts: `namespace_` is empty for a
/// cluster-scoped object. A view: it never owns the strings it points into.
struct ObjectKeyView {
  std::string_view namespace_;
  std::string_view name;

  bool operator==(const ObjectKeyView&) const = default;
};

/// Splits a cache key (`ns/name`, or `name` for a cluster-scoped object) at its first `/`, as
/// client-go's `SplitMetaNamespaceKey` does. Never fails: a malformed key simply matches no
/// object.
inline ObjectKeyView split_object_key(std::string_view key) {
  const auto slash = key.find('/');
  if (slash == std::string_view::npos) {
    return {{}, key};
  }
  return {key.substr(0, slash), key.substr(slash + 1)};
}

/// The key parts of a typed object (any korder::api kind: it has `metadata.namespace_` and
/// `metadata.name`). The view points into `object`.
template <typename T>
ObjectKeyView object_key_view(const T& object) {
  return {object.metadata.namespace_, object.metadata.name};
}

/// The cache key of `object` (client-go's `MetaNamespaceKeyFunc`): `ns/name`, or `name` for a
/// cluster-scoped object. Work-queue keys (`Request::to_string()`) use the same form.
template <typename T>
std::string object_key(const T& object) {
  const ObjectKeyView key = object_key_view(object);
  if (key.namespace_.empty()) {
    return std::string(key.name);
  }
  std::string out;
  out.reserve(key.namespace_.size() + 1 + key.name.size());
  out.append(key.namespace_).append("/").append(key.name);
  return out;
}

namespace detail {

/// Hashes cached objects by their key, so a hash set of `std::shared_ptr<const T>` is a map from
/// key to object that stores no key string (the key lives in the object). Transparent: a set can
/// be searched with an ObjectKeyView.
template <typename T>
struct ObjectKeyHash {
  using is_transparent = void;
  std::size_t operator()(ObjectKeyView key) const { return absl::HashOf(key.namespace_, key.name); }
  std::size_t operator()(const std::shared_ptr<const T>& object) const {
    return (*this)(object_key_view(*object));
  }
};

/// Key equality to go with ObjectKeyHash.
template <typename T>
struct ObjectKeyEq {
  using is_transparent = void;
  static ObjectKeyView view(ObjectKeyView key) { return key; }
  static ObjectKeyView view(const std::shared_ptr<const T>& object) {
    return object_key_view(*object);
  }
  template <typename A, typename B>
  bool operator()(const A& a, const B& b) const {
    return view(a) == view(b);
  }
};

}  // namespace detail
}  // namespace korder::kclient
