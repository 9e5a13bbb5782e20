#pragma once

// Private to kclient: reading small files (kubeconfigs, certificates, tokens) as values.

#include <string>
#include <string_view>

#include "korder/base/expected.h"

namespace korder::kclient::detail {

/// The whole content of the file at `path`, or why it could not be read (the `strerror` text,
/// e.g. "No such file or directory"; "is a directory").
Expected<std::string, std::string> read_file(const std::string& path);

/// `s` without leading and trailing ASCII whitespace (as Go's strings.TrimSpace for ASCII).
std::string trim_space(std::string_view s);

}  // namespace korder::kclient::detail
