#pragma once

// The typed form of a quota's limit map (`spec.hard`, a time window's `hard`, an allocation's
// `hard`, and the status maps): the one place where the keys and values of QuotaLimits are
// interpreted, shared by validation and the quota controller.
//
// Keys (DESIGN.md §2): `orders`, `tickets`, `max-duration`, and `reserved.<resource>` where
// <resource> is a resource a ticket may request (cpu, memory, ephemeral-storage,
// hugepages-<size>, or a domain-qualified extended resource such as nvidia.com/gpu).
// Values are text (int-or-string in the schema):
// - `orders`, `tickets`: a non-negative whole number, written as an integer or as any quantity
//   that is whole (`10`, `"10"`, `1k`, `2e1`); `1.5` and `500m` are rejected.
// - `reserved.*`: a non-negative quantity (`20`, `500m`, `40Gi`).
// - `max-duration`: a positive Go duration (`24h`, `1h30m`).
// Values may carry surrounding ASCII whitespace, as Kubernetes' quantity decoding allows.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "korder/api/duration.h"
#include "korder/api/quantity.h"
#include "korder/api/quota.h"
#include "korder/base/error.h"
#include "korder/base/expected.h"

namespace korder::api {

/// A QuotaLimits map, parsed. Absent members were not set in the map.
struct ParsedQuotaLimits {
  std::optional<std::int64_t> orders;
  std::optional<std::int64_t> tickets;
  /// Key: the resource name without `reserved.` (`cpu`, `nvidia.com/gpu`).
  std::map<std::string, Quantity> reserved;
  std::optional<Duration> max_duration;

  bool operator==(const ParsedQuotaLimits&) const = default;
};

/// Parses `limits`, found at `path` (e.g. `spec.hard`, `spec.timeWindows[0].hard`). On error
/// returns every problem, each at `<path>[<key>]`:
///   spec.hard[foo]: Unsupported value: "foo": supported values: "max-duration", "orders",
///     "reserved.<resource>", "tickets"
///   spec.hard[orders]: Invalid value: "1.5": must be an integer
///   spec.hard[reserved.cpu]: Invalid value: "-1": must be greater than or equal to 0
///   spec.hard[max-duration]: Invalid value: "3x": time: unknown unit "x" in duration "3x"
///   spec.hard[reserved.pods]: Invalid value: "reserved.pods": resource name "pods": must be a
///     standard resource for containers
Expected<ParsedQuotaLimits, FieldErrors> parse_quota_limits(const QuotaLimits& limits,
                                                            const std::string& path);

/// The canonical QuotaLimits of `limits`: counts as decimal integers, quantities in Kubernetes'
/// canonical form (`20000m` → `20`, `1024Mi` → `1Gi`), max-duration as Go prints it
/// (`24h0m0s`). parse_quota_limits(to_quota_limits(p)) gives back `p`.
QuotaLimits to_quota_limits(const ParsedQuotaLimits& limits);

/// Parses a time window's `multiplier`: digits with at most one decimal point (`2`, `1.5`,
/// `.5`, `2.`; the schema's pattern), at most 9 digits after the point (so the value is exact),
/// and greater than zero. Errors (`where` empty): `must be a decimal number of digits and at
/// most one '.' (e.g. 1.5 or 2)`, `must have at most 9 digits after the decimal point`,
/// `must be greater than zero`.
Expected<Quantity, ParseError> parse_multiplier(std::string_view text);

}  // namespace korder::api
