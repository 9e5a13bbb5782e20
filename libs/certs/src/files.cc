#include "files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace korder::certs::detail {
namespace {

std::string errno_text(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

}  // namespace

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Expected<bool, std::string> write_file_atomic(const std::string& path, const std::string& content,
                                              unsigned mode) {
  if (auto current = read_file(path); current && *current == content) {
    return false;
  }
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  std::error_code ec;
  if (!parent.empty() && !std::filesystem::exists(parent, ec)) {
    std::filesystem::create_directories(parent, ec);
    if (ec) {
      return Unexpected("cannot create directory " + parent.string() + ": " + ec.message());
    }
  }
  const std::string temp = path + ".tmp";
  const int fd =
      ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, static_cast<mode_t>(mode));
  if (fd < 0) {
    return Unexpected(errno_text("cannot create", temp));
  }
  // The mode of a file that existed is not changed by open(): set it.
  ::fchmod(fd, static_cast<mode_t>(mode));
  std::size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      const std::string error = errno_text("cannot write", temp);
      ::close(fd);
      ::unlink(temp.c_str());
      return Unexpected(error);
    }
    written += static_cast<std::size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  const bool closed = ::close(fd) == 0;
  if (!synced || !closed) {
    const std::string error = errno_text("cannot write", temp);
    ::unlink(temp.c_str());
    return Unexpected(error);
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    const std::string error = errno_text("cannot replace", path);
    ::unlink(temp.c_str());
    return Unexpected(error);
  }
  return true;
}

}  // namespace korder::certs::detail
