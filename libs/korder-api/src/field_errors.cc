#include "korder/api/field_errors.h"

#include <iterator>
#include <utility>

#include "korder/api/names.h"

namespace korder::api {
namespace {

// The body of every error with a value: `<type>: <value>`, then `: <detail>` when there is one
// (field.Error.ErrorBody).
std::string body(std::string_view type, std::string_view printed_value, std::string_view detail) {
  std::string out(type);
  out += ": ";
  out += printed_value;
  if (!detail.empty()) {
    out += ": ";
    out += detail;
  }
  return out;
}

// The body of errors that never print their value (Required, Forbidden, TooLong).
std::string body_without_value(std::string_view type, std::string_view detail) {
  std::string out(type);
  if (!detail.empty()) {
    out += ": ";
    out += detail;
  }
  return out;
}

}  // namespace

std::string child_path(std::string_view parent, std::string_view name) {
  if (parent.empty()) {
    return std::string(name);
  }
  std::string out(parent);
  out += '.';
  out += name;
  return out;
}

std::string index_path(std::string_view parent, std::size_t index) {
  return std::string(parent) + "[" + std::to_string(index) + "]";
}

std::string key_path(std::string_view parent, std::string_view key) {
  std::string out(parent);
  out += '[';
  out += key;
  out += ']';
  return out;
}

FieldError field_invalid_int(std::string field, std::int64_t value, std::string_view message) {
  return FieldError{FieldError::Type::Invalid, std::move(field),
                    body("Invalid value", std::to_string(value), message)};
}

FieldError field_invalid_printed(std::string field, std::string_view printed,
                                 std::string_view message) {
  return FieldError{FieldError::Type::Invalid, std::move(field),
                    body("Invalid value", printed, message)};
}

FieldError field_required(std::string field, std::string_view detail) {
  return FieldError{FieldError::Type::Required, std::move(field),
                    body_without_value("Required value", detail)};
}

FieldError field_forbidden(std::string field, std::string_view detail) {
  return FieldError{FieldError::Type::Forbidden, std::move(field),
                    body_without_value("Forbidden", detail)};
}

FieldError field_not_supported(std::string field, std::string_view value,
                               const std::vector<std::string_view>& supported) {
  std::string detail;
  if (!supported.empty()) {
    detail = "supported values: ";
    bool first = true;
    for (std::string_view v : supported) {
      if (!first) {
        detail += ", ";
      }
      first = false;
      detail += strconv_quote(v);
    }
  }
  return FieldError{FieldError::Type::NotSupported, std::move(field),
                    body("Unsupported value", strconv_quote(value), detail)};
}

FieldError field_duplicate(std::string field, std::string_view value) {
  return FieldError{FieldError::Type::Duplicate, std::move(field),
                    body("Duplicate value", strconv_quote(value), {})};
}

FieldError field_too_long(std::string field, std::size_t max_bytes) {
  return FieldError{
      FieldError::Type::TooLong, std::move(field),
      body_without_value("Too long", "must have at most " + std::to_string(max_bytes) + " bytes")};
}

void append_errors(FieldErrors& errors, FieldErrors more) {
  errors.insert(errors.end(), std::make_move_iterator(more.begin()),
                std::make_move_iterator(more.end()));
}

}  // namespace korder::api
