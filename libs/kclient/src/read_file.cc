#include "read_file.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

namespace korder::kclient::detail {

Expected<std::string, std::string> read_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return Unexpected(std::string("is a directory"));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Unexpected(std::string(std::strerror(errno)));
  }
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) {
    return Unexpected(std::string("read error"));
  }
  return content.str();
}

std::string trim_space(std::string_view s) {
  constexpr std::string_view kSpace = " \t\n\v\f\r";
  const auto first = s.find_first_not_of(kSpace);
  if (first == std::string_view::npos) {
    return "";
  }
  const auto last = s.find_last_not_of(kSpace);
  return std::string(s.substr(first, last - first + 1));
}

}  // namespace korder::kclient::detail
