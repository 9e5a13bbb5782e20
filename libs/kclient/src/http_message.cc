#include "korder/kclient/http_message.h"

#include <algorithm>
#include <cctype>

namespace korder::kclient {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

std::string_view HttpResponse::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) {
      return value;
    }
  }
  return {};
}

std::optional<std::chrono::seconds> parse_retry_after(std::string_view value) {
  const auto first = value.find_first_not_of(" \t");
  if (first == std::string_view::npos) {
    return std::nullopt;
  }
  value = value.substr(first, value.find_last_not_of(" \t") - first + 1);
  // More than 9 digits is not a delay anyone means; it also keeps the sum below in range.
  if (value.empty() || value.size() > 9) {
    return std::nullopt;
  }
  long long seconds = 0;
  for (char c : value) {
    if (c < '0' || c > '9') {
      return std::nullopt;
    }
    seconds = seconds * 10 + (c - '0');
  }
  return std::chrono::seconds(seconds);
}

}  // namespace korder::kclient
