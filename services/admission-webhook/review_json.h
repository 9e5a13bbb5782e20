#pragma once

// The parse of a review body on the webhook's hot path: the guarantees of api::parse_json
// (iterative, so deep nesting cannot overflow the stack; NUL bytes, invalid UTF-8, trailing
// garbage and nesting deeper than api::kMaxJsonDepth are errors) and its document, at a
// fraction of its cost: UTF-8 is checked in one pass over the bytes before parsing (RapidJSON's
// own check decodes every character of every string through a generic transcoder), and the
// document's strings point into the body instead of being copied (in-situ parse). Two paths:
// - a tokenizer of our own for the forms reviews hold (objects, arrays, strings, integers,
//   literals), iterative, scanning strings 16 bytes at a time with SSE2, and calling the same
//   handler as RapidJSON's parse, so the document is the same; it gives up on anything else;
// - RapidJSON's iterative in-situ parse, for everything the first gives up on: floating-point
//   numbers, very long integers, surrogate or U+0000 escapes, and every error, whose message
//   and offset therefore always come from RapidJSON.

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

/// Which members of a review the document must hold.
enum class ReviewMembers {
  kAll,
  /// Those a pod review is decoded from: of `request.object.metadata` and `.spec` only the
  /// members the object model's ObjectMeta and PodSpec codecs read, and of each of the spec's
  /// `containers` and `initContainers` only those the Container codec reads
  /// (api::decoded_member_names); everything else whole. The members left out are still
  /// checked (syntax, UTF-8, depth), never built: managedFields, env, probes, volumes and the
  /// like are most of a pod's bytes. The document may hold them all even so (when the fast
  /// path gives up, RapidJSON's builds everything).
  kPodCodecs,
};

/// Parses `body` in place into `doc`: the fast path, else RapidJSON's. `body` is modified and
/// must outlive `doc`. Errors are api::parse_json's: `invalid JSON: <reason>`, where =
/// `offset <n>`; which body is an error does not depend on `members`. Never throws.
Expected<void, ParseError> parse_review_json(std::string& body, api::JsonDocument& doc,
                                             ReviewMembers members = ReviewMembers::kAll);

/// The fast path alone: true when it parsed `body` in place into `doc` (the document RapidJSON
/// would build, less the members `members` leaves out); false when it gave up (any error, or a
/// form it leaves to RapidJSON), with `doc` as it was and `body` possibly modified.
bool parse_review_json_fast(std::string& body, api::JsonDocument& doc,
                            ReviewMembers members = ReviewMembers::kAll);

/// RapidJSON's path alone (the reference: every error and its offset come from here).
Expected<void, ParseError> parse_review_json_rapidjson(std::string& body, api::JsonDocument& doc);

}  // namespace korder::webhook
