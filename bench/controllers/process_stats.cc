#include "process_stats.h"

#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

namespace korder::bench {
namespace {

std::optional<double> cpu_seconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) {
    return std::nullopt;
  }
  // The command name (field 2) is in parentheses and may hold spaces: fields count from the
  // last ')'. After it come field 3 (state) ... field 14 (utime), field 15 (stime).
  const std::size_t close = line.rfind(')');
  if (close == std::string::npos) {
    return std::nullopt;
  }
  std::istringstream fields(line.substr(close + 1));
  std::string skip;
  for (int field = 3; field < 14; ++field) {
    fields >> skip;
  }
  long long utime = 0;
  long long stime = 0;
  if (!(fields >> utime >> stime)) {
    return std::nullopt;
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

std::optional<double> peak_rss_bytes(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) {
      std::istringstream value(line.substr(6));
      double kib = 0;
      if (value >> kib) {
        return kib * 1024;
      }
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<ProcessStats> read_process_stats(pid_t pid) {
  const auto cpu = cpu_seconds(pid);
  const auto rss = peak_rss_bytes(pid);
  if (!cpu || !rss) {
    return std::nullopt;
  }
  return ProcessStats{*cpu, *rss};
}

}  // namespace korder::bench
