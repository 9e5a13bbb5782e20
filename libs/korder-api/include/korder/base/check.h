#pragma once

// Invariant checks for public headers. glog's CHECK collides with Catch2's CHECK in tests, so
// public headers never include <glog/logging.h>; they use KORDER_CHECK, which reports the
// broken invariant and aborts (a bug, never a runtime condition: see STYLE.md §4).

namespace korder::detail {
[[noreturn]] void check_failed(const char* condition, const char* message, const char* file,
                               int line);
}  // namespace korder::detail

#define KORDER_CHECK(condition, message)                                          \
  do {                                                                            \
    if (!(condition)) [[unlikely]] {                                              \
      ::korder::detail::check_failed(#condition, (message), __FILE__, __LINE__); \
    }                                                                             \
  } while (false)
