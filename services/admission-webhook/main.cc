// korder-admission-webhook: claims Ready tickets for business pods and validates korder objects.

#include <iostream>

#include "absl/synchronization/mutex.h"
#include "daemon.h"
#include "korder/kclient/common_flags.h"
#include "options.h"

int main(int argc, char** argv) {
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  auto options = korder::webhook::parse_options(argc, argv);
  if (!options) {
    for (const std::string& error : options.error()) {
      std::cerr << "korder-admission-webhook: " << error << "\n";
    }
    return 2;
  }
  korder::kclient::init_logging(argv[0], options->common.verbosity);
  return korder::webhook::run_daemon(*options);
}
