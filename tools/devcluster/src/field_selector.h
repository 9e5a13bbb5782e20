#pragma once

// Field selectors (`metadata.name=x,spec.nodeName!=`), as `fields.ParseSelector` reads them,
// matched against stored objects.

#include <string>
#include <string_view>
#include <vector>

#include "json_access.h"
#include "korder/base/expected.h"

namespace korder::devcluster {

/// One `field=value` (or `==`, `!=`) term.
struct FieldRequirement {
  std::string field;
  bool equals = true;
  std::string value;
};

/// The AND of its requirements; empty matches everything.
struct FieldSelector {
  std::vector<FieldRequirement> requirements;
  bool empty() const { return requirements.empty(); }
};

/// Parses the string form; `\` escapes `,`, `=`, `!` and `\` in values. Fields must be in
/// `allowed` or be `metadata.name` / `metadata.namespace`; otherwise the error message is
/// Kubernetes' `field label not supported: <field>`.
Expected<FieldSelector, std::string> parse_field_selector(std::string_view text,
                                                          const std::vector<std::string>& allowed);

/// The value a field selector compares for `field` of `object`: the string at the dotted
/// path, booleans and numbers as text, "" when missing.
std::string field_value(const JsonValue& object, std::string_view field);

/// True when every requirement holds for `object`.
bool matches(const FieldSelector& selector, const JsonValue& object);

}  // namespace korder::devcluster
