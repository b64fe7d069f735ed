#pragma once
// Resolving an ApplicationSet's goTemplate for one git-files generator element, the way the
// ApplicationSet controller does for the fields our templates use: `{{.field.sub}}`,
// `{{index .path.segments N}}`, pipelines through lower/upper/trim/quote, trim markers.
// Anything else (if, range, variables, other functions) is reported, not guessed. Pure code.
#include <nlohmann/json.hpp>

#include "core/yaml_json.hpp"

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace tvp {
using json = nlohmann::json;

class TemplateError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Renders one template string; throws TemplateError naming the action that failed.
std::string render_template_string(const std::string& text, const json& params);

// The parameters the git files generator gives one file: its content plus `path`
// (path, basename, filename, basenameNormalized, filenameNormalized, segments).
json generator_params(const json& file_content, const std::string& file_path);

// `files[].path` globs of every git generator (repository-relative).
std::vector<std::string> git_file_globs(const json& application_set);

struct TemplateProblem {
  std::string pointer;  // JSON pointer into the ApplicationSet document, for file:line
  std::string message;
};

// What Argo CD deploys for one generated Application, as far as parity is concerned.
struct ArgoApp {
  json application;                       // the rendered Application (template + templatePatch)
  std::string name;                       // metadata.name
  std::string release;                    // helm.releaseName, else the Application name
  std::string namespace_;                 // destination.namespace
  std::string chart;                      // repository-relative chart path
  std::string source_pointer;             // the chart source in the ApplicationSet
  std::vector<std::string> value_files;   // repository-relative, in helm's order
  std::vector<std::string> value_file_pointers;
  std::vector<std::string> inline_values;  // helm.values / valuesObject / parameters present
  json patch;                             // the parsed templatePatch (null when none)
  std::map<std::string, ath::SourcePos> patch_positions;  // inside the patch text
  std::vector<TemplateProblem> problems;  // empty when everything resolved
};

// Rendered templatePatch text -> its parsed document. The patch usually renders the same for
// every element; parsing it once per ApplicationSet keeps `check` close to parse-only cost.
using PatchCache = std::map<std::string, ath::YamlDocument>;

// Renders spec.template (and spec.templatePatch, merged into it) for one element.
ArgoApp render_application(const json& application_set, const json& params, PatchCache* cache = nullptr);

// True when this syncPolicy turns auto-sync on: `automated` is an object whose `enabled` is
// not false (null counts as enabled, as in Argo CD).
bool auto_sync_on(const json& sync_policy);

}  // namespace tvp
