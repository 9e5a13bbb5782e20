#pragma once

// The korder-devcluster command line (DESIGN.md §5): parsed once into DevClusterOptions.

#include <string>

#include "devcluster.h"
#include "korder/base/expected.h"

namespace korder::devcluster {

/// What main() should do after parsing.
struct CommandLine {
  DevClusterOptions options;
  bool help = false;  // print usage() and exit 0
};

/// Parses argv (flags with `-` or `_`, `--flag value` or `--flag=value`; `--webhook-service-map`
/// may repeat). Errors are one line naming the flag.
Expected<CommandLine, std::string> parse_command_line(int argc, char** argv);

/// The --help text.
std::string usage();

}  // namespace korder::devcluster
