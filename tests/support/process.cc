#include "process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <utility>

namespace korder::testing {
namespace {

[[noreturn]] void exec_child(const std::vector<std::string>& argv,
                             const std::map<std::string, std::string>& env) {
  for (const auto& [key, value] : env) {
    setenv(key.c_str(), value.c_str(), 1);
  }
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& arg : argv) {
    args.push_back(const_cast<char*>(arg.c_str()));
  }
  args.push_back(nullptr);
  execvp(args[0], args.data());
  const std::string message = "exec " + argv[0] + " failed\n";
  (void)!write(2, message.data(), message.size());
  _exit(127);
}

int decode_status(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : -1; }

}  // namespace

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "korder-test-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("mkdtemp(" + pattern + ") failed");
  }
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

CommandResult run_command(const std::vector<std::string>& argv,
                          const std::map<std::string, std::string>& env,
                          std::chrono::milliseconds timeout, const std::string& input) {
  if (argv.empty()) {
    throw std::invalid_argument("run_command: empty argv");
  }
  int out_pipe[2];
  int err_pipe[2];
  int in_pipe[2];
  // Close-on-exec, so a command started concurrently from another thread never inherits
  // (and holds open) this one's pipe ends.
  if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0 ||
      pipe2(in_pipe, O_CLOEXEC) != 0) {
    throw std::runtime_error("pipe failed");
  }
  const pid_t pid = fork();
  if (pid < 0) {
    throw std::runtime_error("fork failed");
  }
  if (pid == 0) {
    setpgid(0, 0);  // its own group: the timeout kills its children too
    dup2(in_pipe[0], 0);
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    for (int fd : {in_pipe[0], in_pipe[1], out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]}) {
      close(fd);
    }
    exec_child(argv, env);
  }
  close(in_pipe[0]);
  close(out_pipe[1]);
  close(err_pipe[1]);
  // Feed stdin from a thread so a child that writes a lot before reading cannot deadlock us.
  std::thread feeder([fd = in_pipe[1], &input] {
    std::size_t sent = 0;
    while (sent < input.size()) {
      const ssize_t n = write(fd, input.data() + sent, input.size() - sent);
      if (n <= 0) {
        break;
      }
      sent += static_cast<std::size_t>(n);
    }
    close(fd);
  });
  CommandResult result;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  bool open[2] = {true, true};
  bool killed = false;
  while (open[0] || open[1]) {
    if (!killed && std::chrono::steady_clock::now() >= deadline) {
      ::kill(-pid, SIGKILL);
      killed = true;
    }
    pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
    poll(fds, 2, 50);
    char buffer[65536];
    for (int i = 0; i < 2; ++i) {
      if (open[i] && (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
        const ssize_t n = read(fds[i].fd, buffer, sizeof(buffer));
        if (n <= 0) {
          open[i] = false;
        } else {
          (i == 0 ? result.out : result.err).append(buffer, static_cast<std::size_t>(n));
        }
      }
    }
  }
  feeder.join();
  close(out_pipe[0]);
  close(err_pipe[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  result.exit_code = killed ? -1 : decode_status(status);
  return result;
}

Process::Process(std::vector<std::string> argv, std::map<std::string, std::string> env,
                 std::string output_file)
    : argv_(std::move(argv)), output_file_(std::move(output_file)) {
  if (argv_.empty()) {
    throw std::invalid_argument("Process: empty argv");
  }
  const int fd = open(output_file_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    throw std::runtime_error("cannot open " + output_file_);
  }
  const pid_t pid = fork();
  if (pid < 0) {
    close(fd);
    throw std::runtime_error("fork failed");
  }
  if (pid == 0) {
    setpgid(0, 0);
    const int null_fd = open("/dev/null", O_RDONLY);
    dup2(null_fd, 0);
    dup2(fd, 1);
    dup2(fd, 2);
    close(fd);
    close(null_fd);
    exec_child(argv_, env);
  }
  close(fd);
  pid_ = pid;
}

Process::~Process() {
  if (running()) {
    kill();
  }
}

void Process::reap(bool block) {
  if (pid_ <= 0 || exit_code_) {
    return;
  }
  int status = 0;
  const pid_t r = waitpid(pid_, &status, block ? 0 : WNOHANG);
  if (r == pid_) {
    exit_code_ = decode_status(status);
  }
}

bool Process::running() {
  reap(false);
  return pid_ > 0 && !exit_code_;
}

std::optional<int> Process::exit_code() {
  reap(false);
  return exit_code_;
}

int Process::terminate(std::chrono::milliseconds grace) {
  if (running()) {
    ::kill(pid_, SIGTERM);
    eventually([this] { return !running(); }, grace);
    if (running()) {
      kill();
    }
  }
  ::kill(-pid_, SIGKILL);  // anything it left in its group
  return exit_code_.value_or(-1);
}

void Process::kill() {
  if (pid_ > 0 && !exit_code_) {
    ::kill(-pid_, SIGKILL);
    ::kill(pid_, SIGKILL);
    reap(true);
  }
}

std::string Process::output() const { return read_file(output_file_); }

bool Process::wait_for_output(const std::string& text, std::chrono::milliseconds timeout) {
  bool exited = false;
  const bool found = eventually(
      [&] {
        if (output().find(text) != std::string::npos) {
          return true;
        }
        exited = !running();
        return exited;
      },
      timeout);
  return found && output().find(text) != std::string::npos;
}

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return condition();
}

std::string source_dir() { return KORDER_SOURCE_DIR; }

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  if (!out) {
    throw std::runtime_error("cannot write " + path);
  }
}

}  // namespace korder::testing
