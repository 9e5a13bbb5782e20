#pragma once

// The order controller's command line (STYLE §8): the common flags of every korder daemon
// (DESIGN.md §8) plus its own, parsed once into a plain struct and validated.

#include <chrono>
#include <string>
#include <vector>

#include "korder/base/expected.h"
#include "korder/kclient/common_options.h"

namespace korder::order {

/// Everything main needs, from the flags.
struct Options {
  kclient::CommonOptions common;
  /// --quota-retry-interval: how long ticket creations wait after a quota denial.
  std::chrono::nanoseconds quota_retry_interval = std::chrono::seconds(30);
  /// --io-threads: threads running the io_context.
  int io_threads = 1;
};

/// Reads the flags (after gflags::ParseCommandLineFlags) into Options and validates them.
/// Errors: one line per problem, naming the flag.
Expected<Options, std::vector<std::string>> parse_options();

}  // namespace korder::order
