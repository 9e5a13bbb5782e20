#pragma once

// The ticket controller's command line (STYLE §8): the common flags of every korder daemon
// (DESIGN.md §8) plus its own, parsed once into a plain struct and validated.

#include <chrono>
#include <string>
#include <vector>

#include "korder/base/expected.h"
#include "korder/kclient/common_options.h"
#include "plan.h"

namespace korder::ticket {

/// Everything main needs, from the flags.
struct Options {
  kclient::CommonOptions common;
  /// --guardian-image, --handoff-timeout, --claim-deadline.
  TicketPlanOptions plan;
  /// --io-threads: threads running the io_context.
  int io_threads = 1;
};

/// Reads the flags (after gflags::ParseCommandLineFlags) into Options and validates them.
/// Errors: one line per problem, naming the flag and the value.
Expected<Options, std::vector<std::string>> parse_options();

}  // namespace korder::ticket
