#include "korder/kclient/bearer_token_source.h"

#include <utility>

#include "glog/logging.h"
#include "read_file.h"

namespace korder::kclient {

BearerTokenSource::BearerTokenSource(Clock& clock, std::string path,
                                     std::chrono::nanoseconds refresh)
    : clock_(clock), path_(std::move(path)), refresh_(refresh) {}

Expected<std::string, ConfigError> BearerTokenSource::token() {
  absl::MutexLock lock(&mu_);
  const SteadyTimePoint now = clock_.steady_now();
  if (read_at_ && now - *read_at_ < refresh_) {
    return token_;
  }
  std::string problem;
  if (auto content = detail::read_file(path_); !content) {
    problem = "cannot read: " + content.error();
  } else if (std::string fresh = detail::trim_space(*content); fresh.empty()) {
    problem = "empty";
  } else {
    token_ = std::move(fresh);
    read_at_ = now;
    return token_;
  }
  if (token_.empty()) {
    return Unexpected(ConfigError{"token file " + path_ + ": " + problem});
  }
  // Keep serving the last good token and retry after another refresh period (client-go retries
  // on every call, which floods the log while the file is missing).
  read_at_ = now;
  LOG(WARNING) << "bearer token file unreadable, keeping the last token read"
               << " path=" << path_ << " problem=" << problem;
  return token_;
}

void BearerTokenSource::invalidate() {
  absl::MutexLock lock(&mu_);
  read_at_.reset();
}

}  // namespace korder::kclient
