#pragma once
// Reading one field of an object from the API server by JSON pointer, when any level may be
// missing or of another type (a user's manifest, an older Argo CD): nullptr instead of a throw.
#include <nlohmann/json.hpp>

#include <string>

namespace ath {

// The value at `pointer`, or nullptr when a level is missing or is not an object/array.
const nlohmann::json* json_at(const nlohmann::json& j, const nlohmann::json::json_pointer& pointer);
// The same for a pointer written as text ("/spec/syncPolicy/automated", "~1" for "/").
const nlohmann::json* json_at(const nlohmann::json& j, const std::string& pointer);
// The string at `pointer`; empty when missing or not a string.
std::string string_at(const nlohmann::json& j, const std::string& pointer);

}  // namespace ath
