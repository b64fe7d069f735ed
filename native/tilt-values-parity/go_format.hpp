#pragma once
// How Go prints the values an ApplicationSet template sees (fmt's %v and %q, strconv's
// shortest float), plus the two string helpers Argo CD applies around templates:
// SanitizeName and os.Expand. Pure code, modelled on Go 1.24's fmt/strconv/os and Argo CD
// v3.4.7; citations at each function.
#include <nlohmann/json.hpp>

#include <functional>
#include <stdexcept>
#include <string>

namespace ath::values_parity {
using json = nlohmann::json;

// A template construct Argo CD evaluates (or rejects) in a way this tool does not model, or an
// error Argo CD raises too. Either way the app cannot be planned with certainty: a finding.
class TemplateError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// fmt.Sprint(float64): the shortest digits, exponent form when the exponent is < -4 or >= 6.
std::string go_float(double v);

// fmt's %v of a decoded YAML/JSON value: strings bare, float64 as go_float, integers (template
// literals) in decimal, maps as map[k:v ...] with sorted keys, lists as [a b], nil as <nil>.
std::string go_sprint(const json& v);

// strconv.Quote for ASCII text; throws TemplateError for other bytes (Go keeps printable
// Unicode, escapes the rest; not modelled).
std::string go_quote(const std::string& s);

// Argo CD's SanitizeName (applicationset/utils/template_functions.go:14, v3.4.7).
std::string sanitize_name(const std::string& name);

// os.Expand with Argo CD's mapping (pkg/apis/application/v1alpha1/types.go:181, v3.4.7):
// `$NAME` and `${NAME}` replaced by lookup(NAME), `$$` kept as `$`.
std::string go_os_expand(const std::string& s, const std::function<std::string(const std::string&)>& lookup);

}  // namespace ath::values_parity
