#include "korder/base/error.h"

namespace korder {

std::string ParseError::to_string() const {
  if (where.empty()) {
    return message;
  }
  return where + ": " + message;
}

ParseError ParseError::at(const std::string& prefix) const {
  if (prefix.empty()) {
    return *this;
  }
  if (where.empty()) {
    return ParseError{message, prefix};
  }
  const bool index = where.front() == '[';
  return ParseError{message, prefix + (index ? "" : ".") + where};
}

std::string FieldError::to_string() const { return field + ": " + detail; }

std::string to_string(const FieldErrors& errors) {
  std::string out;
  for (const auto& e : errors) {
    if (!out.empty()) {
      out += "; ";
    }
    out += e.to_string();
  }
  return out;
}

std::ostream& operator<<(std::ostream& os, const ParseError& e) { return os << e.to_string(); }
std::ostream& operator<<(std::ostream& os, const FieldError& e) { return os << e.to_string(); }

}  // namespace korder
