#pragma once

// The small subset of CEL that webhook `matchConditions` may use in the devcluster
// (DESIGN.md §5): the variables `object`, `oldObject` and `request` (JSON, `null` when absent),
// field selection (`object.metadata.name`; reserved words also as `__namespace__`), map and
// list indexing (`object.metadata.annotations['korder.dev/required']`, `list[0]`), `has()` of a
// field selection, `in` (key in map, value in list), `==`, `!=`, `<`, `<=`, `>`, `>=`, `&&`,
// `||`, `!`, unary `-` on numbers, parentheses, list literals, and string ('..' or ".."),
// int, double, bool and null literals. Anything else (calls, macros, arithmetic, `?:`) is a
// compile error that says what is unsupported, so a configuration using it is rejected instead
// of silently matching.
//
// Evaluation follows CEL: selecting or indexing a missing key is an error (`no such key: x`),
// `&&`/`||` absorb an error when the other side decides the result, values of different types
// are not equal (ints and doubles compare by value).

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "json_access.h"
#include "korder/base/expected.h"

namespace korder::devcluster {

/// Values of the variables (`object`, `oldObject`, `request`); a missing or null pointer is
/// CEL `null`.
using CelVariables = std::map<std::string, const JsonValue*, std::less<>>;

/// A compiled expression. Cheap to copy (shares the syntax tree); thread-safe to evaluate.
class CelExpression {
 public:
  struct Node;

  /// Parses `text`. Errors name the position and what is unsupported
  /// (`1:8: unsupported: function call 'size()'`).
  static Expected<CelExpression, std::string> compile(std::string_view text);

  /// Evaluates to a bool; a non-bool result or a runtime error (`no such key: labels`) is an
  /// error.
  Expected<bool, std::string> evaluate_bool(const CelVariables& variables) const;

  const std::string& text() const { return text_; }

 private:
  CelExpression(std::string text, std::shared_ptr<const Node> root)
      : text_(std::move(text)), root_(std::move(root)) {}

  std::string text_;
  std::shared_ptr<const Node> root_;
};

}  // namespace korder::devcluster
