// korder-ticket-controller: holds each Ticket's capacity with a guardian pod, expires and cleans
// up tickets, and hands claimed capacity to business pods (DESIGN.md §1-§3). main only wires:
// parse the flags, validate them, run the daemon, return its exit code.
#include <gflags/gflags.h>

#include <iostream>

#include "absl/synchronization/mutex.h"
#include "daemon.h"
#include "korder/kclient/common_flags.h"
#include "options.h"

int main(int argc, char** argv) {
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  gflags::SetUsageMessage(
      "Holds korder Tickets' capacity with guardian pods and hands it to claiming pods.\n"
      "Usage: korder-ticket-controller [--kubeconfig FILE] [--leader-elect] [--concurrency N] "
      "[--guardian-image IMAGE] [--handoff-timeout 30s] ...");
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  auto options = korder::ticket::parse_options();
  if (!options) {
    for (const std::string& error : options.error()) {
      std::cerr << korder::ticket::kBinaryName << ": " << error << "\n";
    }
    return 2;
  }
  korder::kclient::init_logging(argv[0], options->common.verbosity);
  return korder::ticket::run_daemon(*options);
}
