#pragma once
// Name checks done before a name reaches kubectl, helm or a URL path.
#include <optional>
#include <string>

namespace ath {

// Each returns nullopt when the name is valid, else a sentence saying what is wrong.
std::optional<std::string> check_dns1123_label(const std::string& name);      // namespaces, most names
std::optional<std::string> check_dns1123_subdomain(const std::string& name);  // object names
// At most 53 characters: maxReleaseNameLen, pkg/chartutil/validate_name.go:61 at helm v3.17.2.
std::optional<std::string> check_helm_release_name(const std::string& name);

}  // namespace ath
