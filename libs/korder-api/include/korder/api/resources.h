#pragma once

// core/v1 compute resources: resource lists and requirements. Codec conventions: see json.h.

#include <map>
#include <string>

#include "korder/api/extras.h"
#include "korder/api/json_fwd.h"
#include "korder/api/quantity.h"

namespace korder::api {

/// core/v1 ResourceList: resource name (`cpu`, `memory`, `nvidia.com/gpu`) → quantity.
/// JSON accepts a string or a number for each quantity; a bad one is an error whose path
/// names the key (`resources.requests[cpu]`). Quantities are written in canonical form
/// (`1000m` is written back as `"1"`, as the API server does).
using ResourceList = std::map<std::string, Quantity>;

/// core/v1 ResourceRequirements. `claims` (dynamic resource allocation) is kept verbatim.
struct ResourceRequirements {
  ResourceList limits;
  ResourceList requests;
  RawJson claims;
  Extras extras;

  bool operator==(const ResourceRequirements&) const = default;
};

DecodeResult from_json_value(const JsonValue& json, ResourceRequirements& out);
JsonValue to_json_value(const ResourceRequirements& in, JsonAllocator& alloc);

}  // namespace korder::api
