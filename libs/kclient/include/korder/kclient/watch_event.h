#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "korder/base/expected.h"
#include "korder/kclient/api_error.h"

namespace korder::kclient {

/// The `type` of a watch event, spelled like the wire value (`ADDED` → `Added`). `WatchDecoder`
/// never yields `Error`: an ERROR event comes back as the ApiError of its Status. The value
/// exists so that code writing watch streams (test servers) can name it.
enum class WatchEventType { Added, Modified, Deleted, Bookmark, Error };

/// The wire spelling (`ADDED`, `MODIFIED`, `DELETED`, `BOOKMARK`, `ERROR`).
std::string_view to_string(WatchEventType type);

/// One event of a watch stream (metav1.WatchEvent): its type and the object, as compact JSON text
/// (decode it with korder::api). For `Bookmark` the object carries only its kind, apiVersion and
/// `metadata.resourceVersion`; for `Deleted` it is the object's last state.
struct WatchEvent {
  WatchEventType type = WatchEventType::Added;
  std::string object;

  bool operator==(const WatchEvent&) const = default;
};

/// Splits a watch response body into events (client-go's `StreamWatcher` + JSON framing): the
/// body is one JSON document per line, `{"type":"ADDED","object":{...}}\n`, and bytes arrive in
/// chunks that may split an event anywhere or hold several. Pure (no I/O, no Boost), so the
/// transport feeds it whatever it reads.
///
/// `next()` returns the next complete event, nothing when more bytes are needed, or an error:
///  - an `ERROR` event becomes the ApiError of its Status (410 `Expired` → `is_gone()`), as
///    client-go's reflector does with `apierrors.FromObject`: the watch is over, and on Gone the
///    caller relists;
///  - a line that is not a watch event (bad JSON, a missing or unknown `type`, an `object` that
///    is not a JSON object) is an `Unknown` error naming the problem;
///  - a line longer than `max_line_bytes` is an `Unknown` error; the rest of that line is
///    skipped.
/// After an error the decoder stays usable and resumes at the next line, but a caller normally
/// ends the watch. Empty lines are ignored. Not thread-safe: one per stream.
class WatchDecoder {
 public:
  /// The default bound on one event: larger than any object the API server stores (etcd's
  /// request limit is 1.5 MiB; a Table row adds little).
  static constexpr std::size_t kDefaultMaxLineBytes = 16 * 1024 * 1024;

  explicit WatchDecoder(std::size_t max_line_bytes = kDefaultMaxLineBytes);

  /// Appends bytes read from the stream.
  void feed(std::string_view bytes);

  /// The next event, `std::nullopt` if no complete line is buffered, or an error (see above).
  Expected<std::optional<WatchEvent>, ApiError> next();

  /// Bytes buffered that do not yet form a complete line (for tests and end-of-stream checks:
  /// a stream that ends with a partial event was cut).
  std::size_t buffered_bytes() const { return buffer_.size() - consumed_; }

 private:
  /// Decodes one complete line (without its '\n').
  Expected<WatchEvent, ApiError> decode_line(std::string_view line) const;
  /// Drops consumed bytes once they dominate the buffer (amortised O(1) per byte).
  void compact();

  std::size_t max_line_bytes_;
  std::string buffer_;
  std::size_t consumed_ = 0;    // bytes of buffer_ already returned as lines
  std::size_t scanned_ = 0;     // bytes of buffer_ known to hold no '\n' (from consumed_)
  bool skipping_line_ = false;  // inside an over-long line: drop bytes until the next '\n'
};

}  // namespace korder::kclient
