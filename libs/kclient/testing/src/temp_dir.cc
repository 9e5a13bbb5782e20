#include "korder/kclient/testing/temp_dir.h"

#include <stdlib.h>  // mkdtemp (POSIX)

#include <fstream>
#include <system_error>

#include "korder/base/check.h"

namespace korder::kclient::testing {

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "kclient-test-XXXXXX").string();
  KORDER_CHECK(::mkdtemp(pattern.data()) != nullptr, "TempDir: mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string TempDir::write(std::string_view relative, std::string_view content) const {
  const std::filesystem::path file = path_ / relative;
  std::filesystem::create_directories(file.parent_path());
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << content;
  out.close();
  KORDER_CHECK(out.good(), "TempDir::write failed");
  return file.string();
}

}  // namespace korder::kclient::testing
