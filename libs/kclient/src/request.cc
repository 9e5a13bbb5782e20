#include "korder/kclient/request.h"

#include <ostream>

namespace korder::kclient {

std::string Request::to_string() const {
  if (namespace_.empty()) {
    return name;
  }
  return namespace_ + "/" + name;
}

Expected<Request, ParseError> parse_request(std::string_view key) {
  const auto invalid = [key] {
    return Unexpected(ParseError{"unexpected key format: \"" + std::string(key) + "\"", ""});
  };
  const auto slash = key.find('/');
  if (slash == std::string_view::npos) {
    if (key.empty()) {
      return invalid();
    }
    return Request{"", std::string(key)};
  }
  if (key.find('/', slash + 1) != std::string_view::npos || slash + 1 == key.size()) {
    return invalid();
  }
  return Request{std::string(key.substr(0, slash)), std::string(key.substr(slash + 1))};
}

std::ostream& operator<<(std::ostream& os, const Request& r) { return os << r.to_string(); }

}  // namespace korder::kclient

std::size_t std::hash<korder::kclient::Request>::operator()(
    const korder::kclient::Request& r) const noexcept {
  const std::size_t h1 = std::hash<std::string>{}(r.namespace_);
  const std::size_t h2 = std::hash<std::string>{}(r.name);
  // boost::hash_combine's mixing step.
  return h1 ^ (h2 + 0x9e3779b97f4a7c15ULL + (h1 << 6) + (h1 >> 2));
}
