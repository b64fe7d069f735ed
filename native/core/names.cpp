#include "core/names.hpp"

namespace ath {

namespace {

bool alnum_lower(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// [a-z0-9]([-a-z0-9]*[a-z0-9])?, i.e. a DNS-1123 label's characters; checked by hand because
// std::regex costs more than the rest of a component's checks (names are checked per app).
bool label_chars(const std::string& s, size_t begin, size_t end) {
  if (begin == end || !alnum_lower(s[begin]) || !alnum_lower(s[end - 1])) return false;
  for (size_t i = begin; i < end; ++i)
    if (!alnum_lower(s[i]) && s[i] != '-') return false;
  return true;
}

// Labels joined by '.' when `dots`, else one label.
bool valid_chars(const std::string& s, bool dots) {
  if (!dots) return label_chars(s, 0, s.size());
  for (size_t start = 0;;) {
    size_t dot = s.find('.', start);
    size_t end = dot == std::string::npos ? s.size() : dot;
    if (!label_chars(s, start, end)) return false;
    if (dot == std::string::npos) return true;
    start = dot + 1;
  }
}

std::optional<std::string> check(const std::string& name, size_t max_len, bool dots, const char* what) {
  if (name.empty()) return std::string("must not be empty");
  if (name.size() > max_len)
    return "'" + name + "' is " + std::to_string(name.size()) + " characters long; a " + what + " may have at most " +
           std::to_string(max_len);
  if (!valid_chars(name, dots))
    return "'" + name + "' is not a valid " + what +
           ": use lower-case letters, digits and '-', starting and ending with a letter or digit";
  return std::nullopt;
}
}  // namespace

std::optional<std::string> check_dns1123_label(const std::string& name) { return check(name, 63, false, "DNS-1123 label"); }

std::optional<std::string> check_dns1123_subdomain(const std::string& name) {
  return check(name, 253, true, "DNS-1123 subdomain");
}

std::optional<std::string> check_helm_release_name(const std::string& name) {
  return check(name, 53, true, "Helm release name");
}

}  // namespace ath
