#pragma once

// Test-only: applies an RFC 6902 JSON patch (add, remove, test) to a JSON document the way
// Kubernetes' json-patch library does, so tests can check that the controller's patches apply
// to the objects they were built from and produce the intended object.

#include <string>
#include <string_view>

#include "korder/base/expected.h"

namespace korder::ticket::testing {

/// The patched document as compact JSON, or why the patch does not apply (a failed `test`, a
/// missing path, a malformed patch). A `test` of a missing member against `null` passes, as in
/// Kubernetes.
Expected<std::string, std::string> apply_json_patch(std::string_view document,
                                                    std::string_view patch);

}  // namespace korder::ticket::testing
