// korder-order-controller: turns Orders into Tickets (DESIGN.md §1, §2). main only wires: parse
// the flags, validate them, run the daemon, return its exit code.
#include <gflags/gflags.h>

#include <iostream>

#include "absl/synchronization/mutex.h"
#include "daemon.h"
#include "korder/kclient/common_flags.h"
#include "options.h"

int main(int argc, char** argv) {
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  gflags::SetUsageMessage(
      "Turns korder Orders into Tickets.\nUsage: korder-order-controller [--kubeconfig FILE] "
      "[--leader-elect] [--concurrency N] ...");
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  auto options = korder::order::parse_options();
  if (!options) {
    for (const std::string& error : options.error()) {
      std::cerr << korder::order::kBinaryName << ": " << error << "\n";
    }
    return 2;
  }
  korder::kclient::init_logging(argv[0], options->common.verbosity);
  return korder::order::run_daemon(*options);
}
