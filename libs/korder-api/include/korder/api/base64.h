#pragma once

#include <string>
#include <string_view>

#include "korder/base/error.h"
#include "korder/base/expected.h"

namespace korder::api {

/// Standard base64 (RFC 4648 §4, `+/` alphabet, `=` padding), as Go's `base64.StdEncoding`
/// writes a `[]byte` in JSON (an AdmissionReview's `response.patch`, a Secret's data).
std::string base64_encode(std::string_view bytes);

/// Decodes standard, padded base64 as Go's `base64.StdEncoding` does: `\r` and `\n` are
/// ignored, and so are non-zero bits left over in the last symbol (StdEncoding is not Strict);
/// any other character outside the alphabet or a missing or misplaced `=` is an error naming
/// the byte offset (`illegal base64 data at input byte 4`).
Expected<std::string, ParseError> base64_decode(std::string_view text);

}  // namespace korder::api
