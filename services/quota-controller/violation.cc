#include "violation.h"

namespace korder::quota {

std::string format_violation(const Violation& violation) {
  std::string out = "quota \"" + violation.quota + "\"";
  if (violation.scope == LimitScope::Allocation) {
    out += " (allocation of namespace \"" + violation.namespace_ + "\")";
  } else if (violation.scope == LimitScope::Unallocated) {
    out += " (unallocated remainder)";
  }
  out += ": " + violation.resource + ": requested " + violation.requested;
  if (!violation.used.empty()) {
    out += ", used " + violation.used;
  }
  out += ", limit " + violation.limit;
  return out;
}

std::string format_denial_message(const std::vector<Violation>& violations) {
  if (violations.empty()) {
    return "";
  }
  std::string out = kQuotaExceededPrefix;
  for (std::size_t i = 0; i < violations.size(); ++i) {
    if (i > 0) {
      out += "; ";
    }
    out += format_violation(violations[i]);
  }
  return out;
}

}  // namespace korder::quota
