// korder-quota-controller: the quota accounting, Quota status and the gRPC quota service.

#include <iostream>

#include "absl/synchronization/mutex.h"
#include "daemon.h"
#include "korder/kclient/common_flags.h"
#include "options.h"

int main(int argc, char** argv) {
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  auto options = korder::quota::parse_options(argc, argv);
  if (!options) {
    for (const std::string& error : options.error()) {
      std::cerr << "korder-quota-controller: " << error << "\n";
    }
    return 2;
  }
  korder::kclient::init_logging(argv[0], options->common.verbosity);
  return korder::quota::run_daemon(*options);
}
