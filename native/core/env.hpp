#pragma once
// Environment variables. The project's own variables are named AMEIDE_*; the older names
// (ATH_*, TILT_ARGOCD_*) are still read, with a deprecation warning, so that a developer's shell
// setup keeps working while they move. README.md's environment table lists every variable.
#include <functional>
#include <optional>
#include <string>

namespace ath {

// An environment lookup: process_env reads the process's; tests pass a map.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
std::optional<std::string> process_env(const std::string& name);

// The value of `name` when set and non-empty; else the value of its deprecated alias `old_name`,
// with one warning per process that names the variable to set instead; else nullopt.
std::optional<std::string> env_with_alias(const std::string& name, const std::string& old_name,
                                          const EnvLookup& env = process_env);

}  // namespace ath
