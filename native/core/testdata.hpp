#pragma once
// Reads a fixture from native/*/testdata (ATH_TESTDATA is set by ath_unit_test).
#include <string>

#include "core/yaml_json.hpp"

namespace ath::testing {
inline std::string testdata(const std::string& name) { return read_text_file(std::string(ATH_TESTDATA) + "/" + name); }
}  // namespace ath::testing
