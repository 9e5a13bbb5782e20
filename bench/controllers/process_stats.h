#pragma once

// What /proc says about a process the bench started: CPU time used and peak resident memory.

#include <sys/types.h>

#include <optional>

namespace korder::bench {

/// A snapshot of one process's resource use.
struct ProcessStats {
  /// utime + stime (user and system CPU), in seconds.
  double cpu_seconds = 0;
  /// VmHWM: the peak resident set size so far, in bytes.
  double peak_rss_bytes = 0;
};

/// Reads /proc/`pid`/stat and /proc/`pid`/status; nullopt when the process is gone or the files
/// do not parse.
std::optional<ProcessStats> read_process_stats(pid_t pid);

}  // namespace korder::bench
