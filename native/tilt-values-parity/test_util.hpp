#pragma once
// Scratch folders for the tests: core's TempDir (a fresh directory removed at the end, file
// writing) plus a copy of the embedded workspace (ATH_VALUES_ROOT) to break on purpose.
#include <filesystem>

#include "core/test_util.hpp"

namespace ath::values_parity::testing {

struct TempDir : ath::testing::TempDir {
  // <tmp>/values, a copy of the embedded workspace.
  std::filesystem::path copy_values() const {
    std::filesystem::copy(ATH_VALUES_ROOT, path / "values", std::filesystem::copy_options::recursive);
    return path / "values";
  }
};

}  // namespace ath::values_parity::testing
