#pragma once

// Structural OpenAPI v3 schemas of CustomResourceDefinitions, applied as kube-apiserver
// applies them to custom resources: pruning of undeclared fields, defaulting, and validation
// of types, enums, required fields, bounds, lengths, patterns and formats.
//
// Recursion follows the schema, never the data alone, so its depth is bounded by the schema's.

#include <string>
#include <vector>

#include "json_access.h"
#include "korder/base/error.h"

namespace korder::devcluster {

/// Removes from `object` (a whole custom resource) every field `schema` does not declare,
/// honouring `x-kubernetes-preserve-unknown-fields`, `additionalProperties` and
/// `x-kubernetes-embedded-resource`; `apiVersion`, `kind` and `metadata` of the root are kept.
/// Null values of non-nullable fields are dropped too (not reported). Returns the paths of the
/// unknown fields removed (`spec.foo`, `spec.items[0].bar`), for fieldValidation.
std::vector<std::string> prune_unknown_fields(JsonValue& object, const JsonValue& schema,
                                              JsonAllocator& alloc);

/// Applies `default` values top-down: a missing property with a default gets a copy of it,
/// then defaults inside are applied in turn.
void apply_defaults(JsonValue& object, const JsonValue& schema, JsonAllocator& alloc);

/// Validates `object` against `schema`; every problem with its field path, worded as
/// kube-apiserver words OpenAPI validation errors. `skip_root` names root properties not to
/// validate (e.g. `status` on the main resource when the status subresource is on).
FieldErrors validate_against_schema(const JsonValue& object, const JsonValue& schema,
                                    const std::vector<std::string>& skip_root = {});

/// Problems that make a CRD's schema unusable (not structural: a node without a type and
/// without x-kubernetes-preserve-unknown-fields or x-kubernetes-int-or-string), reported at
/// `path` (`spec.versions[0].schema.openAPIV3Schema`).
FieldErrors check_structural(const JsonValue& schema, const std::string& path);

}  // namespace korder::devcluster
