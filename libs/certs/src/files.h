#pragma once

// Reading and atomically replacing the PEM files the servers watch.

#include <optional>
#include <string>

#include "korder/base/expected.h"

namespace korder::certs::detail {

/// The whole file; nullopt when it does not exist or cannot be read.
std::optional<std::string> read_file(const std::string& path);

/// Replaces `path` with `content` (mode `mode`) when it differs (creating its directory if
/// needed): writes a temporary file in the
/// same directory, fsyncs it and renames it over `path`, so a reader sees the old or the new
/// file, never a part. Returns whether the file changed. Errors name the path and errno.
Expected<bool, std::string> write_file_atomic(const std::string& path, const std::string& content,
                                              unsigned mode);

}  // namespace korder::certs::detail
