#include "core/names.hpp"

#include <regex>

namespace ath {

namespace {
const std::regex& label_re() {
  static const std::regex re("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  return re;
}
const std::regex& subdomain_re() {
  static const std::regex re("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  return re;
}

std::optional<std::string> check(const std::string& name, size_t max_len, const std::regex& re, const char* what) {
  if (name.empty()) return std::string("must not be empty");
  if (name.size() > max_len)
    return "'" + name + "' is " + std::to_string(name.size()) + " characters long; a " + what + " may have at most " +
           std::to_string(max_len);
  if (!std::regex_match(name, re))
    return "'" + name + "' is not a valid " + what +
           ": use lower-case letters, digits and '-', starting and ending with a letter or digit";
  return std::nullopt;
}
}  // namespace

std::optional<std::string> check_dns1123_label(const std::string& name) {
  return check(name, 63, label_re(), "DNS-1123 label");
}

std::optional<std::string> check_dns1123_subdomain(const std::string& name) {
  return check(name, 253, subdomain_re(), "DNS-1123 subdomain");
}

std::optional<std::string> check_helm_release_name(const std::string& name) {
  return check(name, 53, subdomain_re(), "Helm release name");
}

}  // namespace ath
