#pragma once
// A Go text/template evaluator for the subset ApplicationSet templates use, with sprig's
// semantics for the functions it knows (modelled on Go 1.24 text/template/{parse,exec,funcs}.go
// and sprig v3.3.0, as Argo CD v3.4.7 builds them): fields, variables, index, if/else if/else,
// with, range, and/or/not, eq/ne, printf, default, lower/upper/trim/replace, quote (variadic),
// toYaml (scalars and flat collections), normalize; the `missingkey` option. Anything else
// (another sprig function, a format verb, a comparison Go rejects) throws TemplateError, so
// the caller reports it instead of guessing. Pure code; the data is a decoded YAML/JSON value
// in which float numbers are Go float64 and integers are template literals (Go int).
#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "go_format.hpp"

namespace ath::values_parity {
using json = nlohmann::json;

enum class MissingKey { Default, Zero, Error };  // "invalid" is Default

struct GoTemplateOptions {
  MissingKey missing_key = MissingKey::Default;
};

// spec.goTemplateOptions -> options; throws TemplateError for an option Go does not know
// (text/template panics on it, so the ApplicationSet controller cannot render).
GoTemplateOptions parse_go_template_options(const json& options);

struct GoTemplateTree;  // a parsed template

// Parses once; the tree is immutable and can render any number of data values.
std::shared_ptr<const GoTemplateTree> parse_go_template(const std::string& text);

// Executes a parsed template against data (Go's Execute with data as dot and $).
std::string execute_go_template(const GoTemplateTree& tree, const json& data, const GoTemplateOptions& options);

// Parse (cached per text) and execute.
std::string render_go_template(const std::string& text, const json& data, const GoTemplateOptions& options = {});

// valyala/fasttemplate with `{{` and `}}` as Argo CD's Replace uses it when goTemplate is false
// (applicationset/utils/utils.go:425-443, v3.4.7): a tag whose trimmed text is a parameter is
// replaced, any other tag stays literally; text without `{{...}}` on one line is untouched; an
// unclosed tag is an error.
std::string render_fasttemplate(const std::string& text, const std::map<std::string, std::string>& params);

}  // namespace ath::values_parity
