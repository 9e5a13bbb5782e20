#include "korder/api/quota_limits.h"

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "korder/api/field_errors.h"
#include "korder/api/names.h"
#include "validation_internal.h"

namespace korder::api {
namespace {

constexpr std::int64_t kNanosPerUnit = 1'000'000'000;
constexpr std::size_t kMaxMultiplierFractionDigits = 9;

const std::vector<std::string_view>& supported_keys() {
  static const std::vector<std::string_view> keys = {
      QuotaResourceName::MaxDuration, QuotaResourceName::Orders, "reserved.<resource>",
      QuotaResourceName::Tickets};
  return keys;
}

// `orders` and `tickets`: any quantity that is a whole, non-negative number fitting int64.
// Quantity syntax is accepted (`1k`) because DESIGN.md §2 says the values are quantities, as a
// ResourceQuota's counts are.
std::optional<std::int64_t> parse_count(const std::string& text, const std::string& field,
                                        FieldErrors& errors) {
  auto quantity = Quantity::parse_trimmed(text);
  if (!quantity) {
    errors.push_back(field_invalid(field, text, internal::quantity_error_reason(quantity.error())));
    return std::nullopt;
  }
  if (quantity->sign() < 0) {
    errors.push_back(field_invalid(field, text, kIsNegativeErrorMsg));
    return std::nullopt;
  }
  if (quantity->nanos() % kNanosPerUnit != 0) {
    errors.push_back(field_invalid(field, text, "must be an integer"));
    return std::nullopt;
  }
  const Int128 units = quantity->nanos() / kNanosPerUnit;
  if (units > std::numeric_limits<std::int64_t>::max()) {
    errors.push_back(field_invalid(field, text,
                                   "must be less than or equal to " +
                                       std::to_string(std::numeric_limits<std::int64_t>::max())));
    return std::nullopt;
  }
  return static_cast<std::int64_t>(units);
}

std::optional<Quantity> parse_reserved(const std::string& key, const std::string& text,
                                       const std::string& field, FieldErrors& errors) {
  const std::string resource = key.substr(QuotaResourceName::ReservedPrefix.size());
  bool ok = true;
  for (const auto& msg : internal::container_resource_name_errors(resource)) {
    errors.push_back(
        field_invalid(field, key, "resource name " + strconv_quote(resource) + ": " + msg));
    ok = false;
  }
  auto quantity = Quantity::parse_trimmed(text);
  if (!quantity) {
    errors.push_back(field_invalid(field, text, internal::quantity_error_reason(quantity.error())));
    return std::nullopt;
  }
  if (quantity->sign() < 0) {
    errors.push_back(field_invalid(field, text, kIsNegativeErrorMsg));
    return std::nullopt;
  }
  if (!ok) {
    return std::nullopt;
  }
  return *quantity;
}

bool is_decimal_char(char c) { return (c >= '0' && c <= '9') || c == '.'; }

}  // namespace

namespace internal {

ParsedQuotaLimits parse_quota_limits_lenient(const QuotaLimits& limits, const std::string& path,
                                             FieldErrors& errors) {
  ParsedQuotaLimits parsed;
  for (const auto& [key, text] : limits) {
    const std::string field = key_path(path, key);
    if (key == QuotaResourceName::Orders) {
      parsed.orders = parse_count(text, field, errors);
    } else if (key == QuotaResourceName::Tickets) {
      parsed.tickets = parse_count(text, field, errors);
    } else if (key == QuotaResourceName::MaxDuration) {
      parsed.max_duration = validate_positive_duration(text, field, errors);
    } else if (key.compare(0, QuotaResourceName::ReservedPrefix.size(),
                           QuotaResourceName::ReservedPrefix) == 0) {
      if (auto quantity = parse_reserved(key, text, field, errors)) {
        parsed.reserved.emplace(key.substr(QuotaResourceName::ReservedPrefix.size()), *quantity);
      }
    } else {
      errors.push_back(field_not_supported(field, key, supported_keys()));
    }
  }
  return parsed;
}

}  // namespace internal

Expected<ParsedQuotaLimits, FieldErrors> parse_quota_limits(const QuotaLimits& limits,
                                                            const std::string& path) {
  FieldErrors errors;
  ParsedQuotaLimits parsed = internal::parse_quota_limits_lenient(limits, path, errors);
  if (!errors.empty()) {
    return Unexpected(std::move(errors));
  }
  return parsed;
}

QuotaLimits to_quota_limits(const ParsedQuotaLimits& limits) {
  QuotaLimits out;
  if (limits.orders) {
    out.emplace(QuotaResourceName::Orders, std::to_string(*limits.orders));
  }
  if (limits.tickets) {
    out.emplace(QuotaResourceName::Tickets, std::to_string(*limits.tickets));
  }
  for (const auto& [resource, quantity] : limits.reserved) {
    out.emplace(std::string(QuotaResourceName::ReservedPrefix) + resource, quantity.to_string());
  }
  if (limits.max_duration) {
    out.emplace(QuotaResourceName::MaxDuration, limits.max_duration->to_string());
  }
  return out;
}

Expected<Quantity, ParseError> parse_multiplier(std::string_view text) {
  // The schema's pattern: ^(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))$ (no sign, exponent or suffix).
  const auto point = text.find('.');
  bool well_formed = !text.empty() && text != ".";
  for (char c : text) {
    well_formed = well_formed && is_decimal_char(c);
  }
  if (point != std::string_view::npos && text.find('.', point + 1) != std::string_view::npos) {
    well_formed = false;
  }
  if (!well_formed) {
    return Unexpected(
        ParseError{"must be a decimal number of digits and at most one '.' (e.g. 1.5 or 2)", ""});
  }
  if (point != std::string_view::npos && text.size() - point - 1 > kMaxMultiplierFractionDigits) {
    return Unexpected(ParseError{"must have at most 9 digits after the decimal point", ""});
  }
  auto quantity = Quantity::parse(text);
  if (!quantity) {
    return Unexpected(ParseError{internal::quantity_error_reason(quantity.error()), ""});
  }
  if (quantity->sign() <= 0) {
    return Unexpected(ParseError{std::string(kIsNotPositiveErrorMsg), ""});
  }
  return *quantity;
}

}  // namespace korder::api
