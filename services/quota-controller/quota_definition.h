#pragma once

// A Quota as the quota controller uses it: the spec parsed once (scope, limits, windows,
// allocations), with the validation problems that stop it from being enforced.

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "korder/api/label_selector.h"
#include "korder/api/quota.h"
#include "korder/api/quota_limits.h"
#include "korder/base/error.h"
#include "object_summary.h"
#include "windows.h"

namespace korder::quota {

/// `spec.scope.type`.
enum class ScopeType { Cluster, NamespaceSelector, NamespaceList, ObjectSelector };

/// The wire spelling (`Cluster`, ...).
std::string_view to_string(ScopeType type);

/// A parsed Quota. Immutable once built; shared (read-only) between the index and snapshots.
struct QuotaDefinition {
  std::string name;
  std::int64_t generation = 0;
  ScopeType scope_type = ScopeType::Cluster;
  /// NamespaceSelector: selects Namespaces by their labels. ObjectSelector: selects Orders and
  /// Tickets by theirs. Unused otherwise.
  api::Selector selector;
  /// NamespaceList: the namespaces.
  std::set<std::string> namespaces;
  /// `spec.hard`.
  api::ParsedQuotaLimits hard;
  std::vector<TimeWindow> windows;
  /// `spec.allocations[]` by namespace, and the namespaces in spec order (for status).
  std::map<std::string, api::ParsedQuotaLimits> allocations;
  std::vector<std::string> allocation_order;
  /// Why the quota cannot be enforced (validate_quota's errors); empty when valid. An invalid
  /// quota covers nothing and limits nothing; its status says why.
  FieldErrors errors;

  bool valid() const { return errors.empty(); }

  /// True when the scope is decided by the object's namespace alone (every scope type but
  /// ObjectSelector).
  bool namespace_scoped() const { return scope_type != ScopeType::ObjectSelector; }

  /// True when `other` covers exactly the same objects and tracks the same allocation
  /// namespaces (so usage computed for one holds for the other).
  bool same_accounting(const QuotaDefinition& other) const;
};

/// Parses `quota`. Never fails: problems end up in `errors` (validate_quota's, with field
/// paths), and the definition then covers nothing.
std::shared_ptr<const QuotaDefinition> parse_quota_definition(const api::Quota& quota);

/// True when a valid `quota` covers an object in namespace `namespace_labels`'s namespace
/// `ns` with labels `object_labels`.
bool covers(const QuotaDefinition& quota, std::string_view ns, const Labels& namespace_labels,
            const Labels& object_labels);

}  // namespace korder::quota
