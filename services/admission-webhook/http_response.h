#pragma once

// The bytes of the webhook's HTTP/1.x answers, written in one piece: an answer is one buffer,
// so the TLS layer sends it as one record without Beast's serializer walking a buffer sequence
// of status line, each header and body (11k fewer instructions per review, ~4%: bench/README.md).

#include <string>
#include <string_view>

namespace korder::webhook {

/// The reason phrase sent with `status` (Beast's table of the registered codes;
/// `<unknown-status>` for the others).
std::string_view http_reason(int status);

/// A complete HTTP response: status line for `version` (10 or 11), Content-Type, Content-Length
/// and the Connection header that keeps (HTTP/1.0: `keep-alive`) or ends (HTTP/1.1: `close`)
/// the connection as `keep_alive` says, then `body`.
std::string encode_http_response(int status, unsigned version, bool keep_alive,
                                 std::string_view content_type, std::string_view body);

}  // namespace korder::webhook
