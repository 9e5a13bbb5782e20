#pragma once

// Processes for integration and end-to-end tests: temporary directories, commands run to
// completion (kubectl), and long-running processes (the development cluster, the daemons) with
// their output captured in a file. Every child runs in its own process group so a test that
// fails never leaves one behind.

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace korder::testing {

/// A fresh directory under the temp directory, removed with its contents on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

/// What a finished command did.
struct CommandResult {
  int exit_code = -1;  // -1: killed at the timeout or by a signal
  std::string out;
  std::string err;
};

/// Runs `argv` (PATH is searched) with `env` added to the environment, feeding `input` to its
/// stdin, killing its process group after `timeout`.
CommandResult run_command(const std::vector<std::string>& argv,
                          const std::map<std::string, std::string>& env,
                          std::chrono::milliseconds timeout, const std::string& input = "");

/// A process running in the background with stdout and stderr appended to `output_file`.
/// Destruction kills it (SIGKILL) if it still runs.
class Process {
 public:
  Process(std::vector<std::string> argv, std::map<std::string, std::string> env,
          std::string output_file);
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  /// True until the process has exited (and been reaped).
  bool running();
  /// SIGTERM, then waits up to `grace` for the exit (SIGKILL after). Returns the exit code
  /// (-1 when it died of a signal).
  int terminate(std::chrono::milliseconds grace = std::chrono::seconds(10));
  /// SIGKILL at once (a crash), and reaps it.
  void kill();
  /// The exit code once exited (nullopt while running; -1 for a signal).
  std::optional<int> exit_code();
  /// Everything it printed so far.
  std::string output() const;
  /// Waits until its output contains `text`; false at the timeout or when it exited first.
  bool wait_for_output(const std::string& text, std::chrono::milliseconds timeout);
  const std::vector<std::string>& argv() const { return argv_; }

 private:
  void reap(bool block);

  std::vector<std::string> argv_;
  std::string output_file_;
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
};

/// Polls `condition` every few milliseconds until it holds or `timeout` passes; returns its
/// last value.
bool eventually(const std::function<bool()>& condition,
                std::chrono::milliseconds timeout = std::chrono::seconds(10));

/// The repository root.
std::string source_dir();

/// A whole file (empty when it cannot be read).
std::string read_file(const std::string& path);

/// Writes a whole file; throws std::runtime_error on failure.
void write_file(const std::string& path, const std::string& text);

}  // namespace korder::testing
