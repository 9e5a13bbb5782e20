#pragma once

#include <type_traits>
#include <utility>
#include <variant>

#include "korder/base/check.h"

namespace korder {

/// Wraps an error value so that `Expected<T, E>` can be built from it without ambiguity,
/// like C++23 `std::unexpected`.
template <typename E>
class Unexpected {
 public:
  explicit Unexpected(E error) : error_(std::move(error)) {}
  const E& error() const& { return error_; }
  E& error() & { return error_; }
  E&& error() && { return std::move(error_); }

 private:
  E error_;
};

template <typename E>
Unexpected(E) -> Unexpected<E>;

/// A value or an error: the return type of every operation that can fail for reasons outside
/// the program's control (bad input, the network, the API server). Shaped like C++23
/// `std::expected` so moving to it later is a rename. Reading the value of an error (or the
/// error of a value) is a bug and stops the process.
template <typename T, typename E>
class [[nodiscard]] Expected {
 public:
  using value_type = T;
  using error_type = E;

  Expected()
    requires std::is_default_constructible_v<T>
      : storage_(std::in_place_index<0>) {}
  Expected(T value) : storage_(std::in_place_index<0>, std::move(value)) {}  // NOLINT
  template <typename U>
    requires std::is_constructible_v<E, U>
  Expected(Unexpected<U> error)  // NOLINT
      : storage_(std::in_place_index<1>, std::move(error).error()) {}

  bool has_value() const { return storage_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  T& value() & {
    KORDER_CHECK(has_value(), "Expected::value() called on an error");
    return std::get<0>(storage_);
  }
  const T& value() const& {
    KORDER_CHECK(has_value(), "Expected::value() called on an error");
    return std::get<0>(storage_);
  }
  T&& value() && {
    KORDER_CHECK(has_value(), "Expected::value() called on an error");
    return std::get<0>(std::move(storage_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const E& error() const& {
    KORDER_CHECK(!has_value(), "Expected::error() called on a value");
    return std::get<1>(storage_);
  }
  E& error() & {
    KORDER_CHECK(!has_value(), "Expected::error() called on a value");
    return std::get<1>(storage_);
  }
  E&& error() && {
    KORDER_CHECK(!has_value(), "Expected::error() called on a value");
    return std::get<1>(std::move(storage_));
  }

  template <typename U>
  T value_or(U&& fallback) const& {
    return has_value() ? std::get<0>(storage_) : static_cast<T>(std::forward<U>(fallback));
  }

 private:
  std::variant<T, E> storage_;
};

/// `Expected<void, E>`: success carries no value.
template <typename E>
class [[nodiscard]] Expected<void, E> {
 public:
  using value_type = void;
  using error_type = E;

  Expected() = default;
  template <typename U>
    requires std::is_constructible_v<E, U>
  Expected(Unexpected<U> error)  // NOLINT
      : error_(std::move(error).error()), has_error_(true) {}

  bool has_value() const { return !has_error_; }
  explicit operator bool() const { return has_value(); }
  void value() const { KORDER_CHECK(has_value(), "Expected::value() called on an error"); }
  const E& error() const& {
    KORDER_CHECK(has_error_, "Expected::error() called on a value");
    return error_;
  }
  E&& error() && {
    KORDER_CHECK(has_error_, "Expected::error() called on a value");
    return std::move(error_);
  }

 private:
  E error_{};
  bool has_error_ = false;
};

}  // namespace korder
