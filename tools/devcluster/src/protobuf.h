#pragma once

// Request bodies in Kubernetes' protobuf encoding (`k8s\0` + runtime.Unknown), which kubectl's
// typed clients send (`kubectl create namespace|configmap|secret|serviceaccount|service`).
// Only those kinds are understood; their fields are converted to the JSON the rest of the
// devcluster works with.

#include <string>
#include <string_view>

#include "json_access.h"
#include "korder/base/expected.h"

namespace korder::devcluster {

/// Converts a protobuf-encoded object to JSON. Errors name what is not supported or malformed.
Expected<JsonDocument, std::string> decode_kubernetes_protobuf(std::string_view body);

}  // namespace korder::devcluster
