#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "korder/base/clock.h"
#include "korder/base/expected.h"
#include "korder/kclient/config.h"

namespace korder::kclient {

/// The bearer token kept in a file that the kubelet rotates (a projected service-account token),
/// re-read when the copy in memory is older than `refresh` (client-go's
/// `NewCachedFileTokenSource`: about once a minute). The token is trimmed of surrounding
/// whitespace. If a re-read fails or finds the file empty, the last good token is kept (the old
/// token stays valid for a while after rotation), a warning is logged, and the read is retried
/// one `refresh` later.
/// Thread-safe; time comes from the injected clock.
class BearerTokenSource {
 public:
  static constexpr std::chrono::nanoseconds kDefaultRefresh = std::chrono::minutes(1);

  /// Reads `path` lazily, on the first `token()`. `clock` must outlive the source.
  BearerTokenSource(Clock& clock, std::string path,
                    std::chrono::nanoseconds refresh = kDefaultRefresh);

  /// The current token: cached, or read from the file when the cache is older than `refresh` or
  /// was invalidated. Errors only when no token was ever read:
  /// `token file /path: cannot read: No such file or directory`, `token file /path: empty`.
  Expected<std::string, ConfigError> token();

  /// Makes the next `token()` read the file again (the transport calls it after a 401, as
  /// client-go resets its token source).
  void invalidate();

  const std::string& path() const { return path_; }

 private:
  Clock& clock_;
  const std::string path_;
  const std::chrono::nanoseconds refresh_;
  absl::Mutex mu_;
  std::string token_ ABSL_GUARDED_BY(mu_);
  std::optional<SteadyTimePoint> read_at_ ABSL_GUARDED_BY(mu_);  // unset: read on next call
};

}  // namespace korder::kclient
