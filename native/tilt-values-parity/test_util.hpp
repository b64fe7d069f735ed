#pragma once
// Scratch folders for the tests: a fresh directory removed at the end, file writing, and a
// copy of the embedded workspace (ATH_VALUES_ROOT) to break on purpose.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace ath::values_parity::testing {

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "tvp-test-XXXXXX").string();
    path = mkdtemp(tmpl.data()) ? std::filesystem::path(tmpl) : std::filesystem::path();
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::filesystem::path write(const std::string& rel, const std::string& text) const {
    auto p = path / rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }
  // <tmp>/values, a copy of the embedded workspace.
  std::filesystem::path copy_values() const {
    std::filesystem::copy(ATH_VALUES_ROOT, path / "values", std::filesystem::copy_options::recursive);
    return path / "values";
  }
};

}  // namespace ath::values_parity::testing
