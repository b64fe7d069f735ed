#include "core/json_at.hpp"

namespace ath {
using nlohmann::json;

const json* json_at(const json& j, const json::json_pointer& pointer) {
  try {
    return j.contains(pointer) ? &j.at(pointer) : nullptr;
  } catch (const json::exception&) {  // e.g. an array index that is not a number
    return nullptr;
  }
}

const json* json_at(const json& j, const std::string& pointer) {
  return json_at(j, json::json_pointer(pointer));
}

std::string string_at(const json& j, const std::string& pointer) {
  const json* v = json_at(j, pointer);
  return v && v->is_string() ? v->get<std::string>() : "";
}

}  // namespace ath
