#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace korder {

/// A malformed input: what is wrong (`message`, which names the offending value) and where
/// (`where`: a field path such as `spec.template.spec.duration`, a byte offset, or empty when
/// the whole input is meant).
struct ParseError {
  std::string message;
  std::string where;

  /// `where: message`, or `message` alone when `where` is empty.
  std::string to_string() const;
  /// The same error with `prefix` prepended to `where` (joined with '.').
  ParseError at(const std::string& prefix) const;
};

/// One validation problem with its field path, in Kubernetes' wording:
/// `spec.strategy.schedule: invalid cron expression "61 * * * *": minute 61 out of range 0-59`.
struct FieldError {
  enum class Type { Invalid, Required, NotSupported, Forbidden, TooLong, Duplicate, TooMany };

  Type type = Type::Invalid;
  std::string field;   // e.g. spec.template.spec.resources.requests[cpu]
  std::string detail;  // the human message after the path

  std::string to_string() const;  // "<field>: <detail>"
  bool operator==(const FieldError&) const = default;
};

using FieldErrors = std::vector<FieldError>;

/// Joins errors as "a; b; c" (the form the webhook puts in a denial message).
std::string to_string(const FieldErrors& errors);

std::ostream& operator<<(std::ostream& os, const ParseError& e);
std::ostream& operator<<(std::ostream& os, const FieldError& e);

}  // namespace korder
