#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace korder::kclient::testing {

/// A fresh, empty directory for one test, removed with everything in it when the object is
/// destroyed. Creation failure stops the test process (a broken machine, not a test result).
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

  /// Writes `content` to `relative` inside the directory (creating parent directories) and
  /// returns the file's absolute path.
  std::string write(std::string_view relative, std::string_view content) const;

 private:
  std::filesystem::path path_;
};

}  // namespace korder::kclient::testing
