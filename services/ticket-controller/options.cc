#include "options.h"

#include <gflags/gflags.h>

#include <optional>

#include "korder/kclient/common_flags.h"

KORDER_DEFINE_COMMON_FLAGS();
DEFINE_string(guardian_image, "registry.k8s.io/pause:3.10",
              "The image of guardian pods (a pause container that holds a ticket's capacity).");
DEFINE_string(handoff_timeout, "30s",
              "How long a handed-off pod may stay unscheduled after its guardian was deleted "
              "before the ticket reports HandOffLost (Go duration).");
DEFINE_string(claim_deadline, "30s",
              "How long a claim that records no deadline waits for its pod after claimedAt, and "
              "how long a gated pod matching no claim is left alone before it is ungated (Go "
              "duration; the admission webhook's --claim-deadline).");
DEFINE_int32(io_threads, 1, "Threads running network I/O.");

namespace korder::ticket {
namespace {

// A positive whole number of seconds from a Go duration flag, or an error naming the flag.
std::optional<std::chrono::seconds> seconds_flag(const char* flag, const std::string& value,
                                                 std::vector<std::string>& errors) {
  auto parsed = kclient::positive_duration_flag(flag, value, errors);
  if (!parsed) {
    return std::nullopt;
  }
  return std::chrono::ceil<std::chrono::seconds>(*parsed);
}

}  // namespace

Expected<Options, std::vector<std::string>> parse_options() {
  Options options;
  std::vector<std::string> errors;
  auto common = kclient::parse_common_flags();
  if (common) {
    options.common = std::move(common).value();
  } else {
    errors = std::move(common).error();
  }
  if (FLAGS_guardian_image.empty()) {
    errors.push_back("--guardian-image: must not be empty");
  }
  options.plan.guardian_image = FLAGS_guardian_image;
  if (auto timeout = seconds_flag("handoff-timeout", FLAGS_handoff_timeout, errors)) {
    options.plan.handoff_timeout = *timeout;
  }
  if (auto deadline = seconds_flag("claim-deadline", FLAGS_claim_deadline, errors)) {
    options.plan.claim_deadline = *deadline;
  }
  if (FLAGS_io_threads < 1) {
    errors.push_back("--io-threads: must be at least 1, got " + std::to_string(FLAGS_io_threads));
  } else {
    options.io_threads = FLAGS_io_threads;
  }
  if (!errors.empty()) {
    return Unexpected(std::move(errors));
  }
  return options;
}

}  // namespace korder::ticket
