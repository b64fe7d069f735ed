#pragma once
// Name checks done before a name reaches kubectl, helm or a URL path.
#include <optional>
#include <string>

namespace ath {

// Each returns nullopt when the name is valid, else a sentence saying what is wrong.
std::optional<std::string> check_dns1123_label(const std::string& name);      // namespaces, most names
std::optional<std::string> check_dns1123_subdomain(const std::string& name);  // object names
std::optional<std::string> check_helm_release_name(const std::string& name);  // at most 53 characters

}  // namespace ath
