#pragma once

// Forward declarations for the JSON codecs, so the object headers (order.h, pod.h, ...) can
// declare their value-level functions without pulling RapidJSON's full headers into every
// translation unit. Code that builds or inspects JSON values includes "korder/api/json.h".

#include <rapidjson/fwd.h>

#include "korder/base/error.h"
#include "korder/base/expected.h"

namespace korder::api {

/// A RapidJSON DOM value (UTF-8, pool-allocated): what the value-level codecs read and build.
using JsonValue = rapidjson::Value;
/// The allocator of a JsonDocument; values built for a document must use its allocator.
using JsonAllocator = rapidjson::MemoryPoolAllocator<rapidjson::CrtAllocator>;
/// A RapidJSON document (a JsonValue that owns its allocator).
using JsonDocument = rapidjson::Document;

/// The result of a value-level decode: nothing on success, else the first problem with its
/// field path relative to the value decoded.
using DecodeResult = Expected<void, ParseError>;

}  // namespace korder::api
