#include "core/json_limits.hpp"

#include <utility>
#include <vector>

namespace ath {

nlohmann::json parse_json_bounded(std::string_view text, const std::string& what, std::size_t max_bytes) {
  if (text.size() > max_bytes)
    throw InputLimitError(what + ": " + std::to_string(text.size()) + " bytes is over the limit of " +
                          std::to_string(max_bytes) + "; remove or repair it");
  // The callback sees the depth of every value the SAX parser opens; throwing there stops the
  // parse before the over-deep part is built.
  auto guard = [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json&) {
    if ((event == nlohmann::json::parse_event_t::object_start ||
         event == nlohmann::json::parse_event_t::array_start) &&
        depth >= kMaxNestingDepth)
      throw InputLimitError(what + ": nested deeper than " + std::to_string(kMaxNestingDepth) +
                            " levels; remove or repair it");
    return true;
  };
  try {
    return nlohmann::json::parse(text.begin(), text.end(), guard);
  } catch (const nlohmann::json::exception& e) {
    throw InputLimitError(what + ": not valid JSON (" + e.what() + "); remove or repair it");
  }
}

int json_depth(const nlohmann::json& value) {
  int deepest = 0;
  std::vector<std::pair<const nlohmann::json*, int>> todo{{&value, 1}};
  while (!todo.empty()) {
    auto [v, d] = todo.back();
    todo.pop_back();
    if (d > deepest) deepest = d;
    if (deepest > kMaxNestingDepth) return deepest;
    if (v->is_structured())
      for (const auto& child : *v) todo.emplace_back(&child, d + 1);
  }
  return deepest;
}

void check_nesting_depth(const nlohmann::json& value, const std::string& what) {
  std::vector<std::pair<const nlohmann::json*, int>> todo{{&value, 1}};
  while (!todo.empty()) {
    auto [v, d] = todo.back();
    todo.pop_back();
    if (!v->is_structured()) continue;
    if (d > kMaxNestingDepth)
      throw InputLimitError(what + ": nested deeper than " + std::to_string(kMaxNestingDepth) + " levels");
    for (const auto& child : *v) todo.emplace_back(&child, d + 1);
  }
}

}  // namespace ath
