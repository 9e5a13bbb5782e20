#pragma once

// The parse of a review body on the webhook's hot path: the guarantees of api::parse_json
// (iterative, so deep nesting cannot overflow the stack; NUL bytes, invalid UTF-8, trailing
// garbage and nesting deeper than api::kMaxJsonDepth are errors) at a fraction of its cost:
// UTF-8 is checked in one pass over the bytes before parsing (RapidJSON's own check decodes
// every character of every string through a generic transcoder), and the document's strings
// point into the body instead of being copied (RapidJSON's in-situ parse).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "korder/api/json_fwd.h"
#include "korder/base/error.h"
#include "korder/base/expected.h"

namespace korder::webhook {

/// The offset of the first byte of `text` that does not start or continue a well-formed UTF-8
/// sequence (overlong forms, surrogates and code points above U+10FFFF are ill-formed), or
/// nothing when all of `text` is well-formed.
std::optional<std::size_t> first_invalid_utf8(std::string_view text);

/// Parses `body` in place into `doc`. `body` is modified and must outlive `doc`. Errors are
/// api::parse_json's: `invalid JSON: <reason>`, where = `offset <n>`. Never throws.
Expected<void, ParseError> parse_review_json(std::string& body, api::JsonDocument& doc);

}  // namespace korder::webhook
