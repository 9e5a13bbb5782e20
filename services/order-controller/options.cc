#include "options.h"

#include <gflags/gflags.h>

#include "korder/kclient/common_flags.h"

KORDER_DEFINE_COMMON_FLAGS();
DEFINE_string(quota_retry_interval, "30s",
              "How long ticket creations wait after a quota denied one (Go duration).");
DEFINE_int32(io_threads, 1, "Threads running network I/O.");

namespace korder::order {

Expected<Options, std::vector<std::string>> parse_options() {
  Options options;
  std::vector<std::string> errors;
  auto common = kclient::parse_common_flags();
  if (common) {
    options.common = std::move(common).value();
  } else {
    errors = std::move(common).error();
  }
  if (auto retry = kclient::positive_duration_flag("quota-retry-interval",
                                                   FLAGS_quota_retry_interval, errors)) {
    options.quota_retry_interval = *retry;
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

}  // namespace korder::order
