#include "core/env.hpp"

#include <spdlog/spdlog.h>

#include <cstdlib>
#include <mutex>
#include <set>

namespace ath {

std::optional<std::string> process_env(const std::string& name) {
  if (const char* v = std::getenv(name.c_str())) return std::string(v);
  return std::nullopt;
}

std::optional<std::string> env_with_alias(const std::string& name, const std::string& old_name, const EnvLookup& env) {
  if (auto v = env(name); v && !v->empty()) return v;
  auto old = env(old_name);
  if (!old || old->empty()) return std::nullopt;
  static std::mutex mu;
  static std::set<std::string> warned;
  std::lock_guard lock(mu);
  if (warned.insert(old_name).second) spdlog::warn("{} is deprecated; set {} instead", old_name, name);
  return old;
}

}  // namespace ath
