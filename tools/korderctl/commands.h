#pragma once

// korderctl's commands: run a parsed Command and return the exit code.

#include <iosfwd>
#include <string>

#include "cli.h"
#include "korder/base/clock.h"

namespace korder::ctl {

/// Exit codes (documented in `--help`).
inline constexpr int kExitOk = 0;
inline constexpr int kExitDenied = 1;  // a denial, or a quota that does not exist
inline constexpr int kExitUsage = 2;   // usage errors, unreadable files, connection errors

/// Runs `command`, writing results to `out` and one-line errors (`korderctl: ...`) to `err`.
/// `stdin_text` is read only for `check -f -`. Commands that talk to the quota service build a
/// QuotaClient from `command.connection`.
int run_command(const Command& command, const Clock& clock, std::ostream& out, std::ostream& err,
                std::istream& in);

/// The whole program: parses `argc/argv` (and $KORDER_QUOTA_ADDRESS) and runs.
int korderctl_main(int argc, char** argv);

}  // namespace korder::ctl
