#pragma once
// What Argo CD deploys for one git files generator element: the generator's parameters
// (applicationset/generators/git.go:221-293, v3.4.7), the template rendered the way
// Render.Replace does it (Go text/template + sprig when goTemplate is true, fasttemplate when
// false; go_template.hpp), templatePatch merged in, and the chart source's release, namespace,
// chart and raw value files extracted. Value files are resolved in value_files.hpp. Pure code.
#include <nlohmann/json.hpp>

#include "core/yaml_json.hpp"
#include "go_template.hpp"

#include <map>
#include <string>
#include <vector>

namespace ath::values_parity {
using json = nlohmann::json;

// spec.goTemplate and spec.goTemplateOptions of an ApplicationSet.
struct RenderMode {
  bool go_template = false;
  GoTemplateOptions options;
};

// Throws TemplateError when goTemplate is true and goTemplateOptions holds an option Go does not
// know.
RenderMode render_mode(const json& application_set);

// Renders one template string as Render.Replace does (utils.go:402-443, v3.4.7).
std::string render_string(const std::string& text, const json& params, const RenderMode& mode);

// The parameters the git files generator gives one element of a file (the file's mapping, or
// one item of its list). goTemplate: the element plus `path` {path, basename, filename,
// basenameNormalized, filenameNormalized, segments}. Otherwise a flat map of strings: the
// element's keys flattened with dots ("a.b", "list.0"), every value printed with Go's %v, plus
// path, path.basename, path.filename, path.*Normalized and path[N]. Throws TemplateError for an
// empty nested collection in flat mode (jeremywohl/flatten's handling is not modelled).
json generator_params(const json& element, const std::string& file_path, bool go_template = true);

struct GeneratorFiles {
  std::vector<std::string> include;  // files[].path without exclude
  std::vector<std::string> exclude;  // files[].path with exclude: true
  std::vector<std::string> unsupported;  // generator features not modelled (pathParamPrefix, values)
};

// The git files generators' patterns (repository-relative).
GeneratorFiles git_file_patterns(const json& application_set);

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
  std::string chart;                      // repository-relative chart path (normalised)
  std::string source_path;                // the chart source's `path` as written ($ARGOCD_APP_SOURCE_PATH)
  std::string source_pointer;             // the chart source in the ApplicationSet
  std::vector<std::string> value_files;   // repository-relative, in helm's order (value_files.hpp)
  std::vector<std::string> value_file_pointers;
  // The chart source as the repo-server sees it, for value-file resolution.
  std::vector<std::string> raw_value_files;  // rendered helm.valueFiles, unresolved
  std::vector<std::string> raw_value_file_pointers;
  std::vector<std::string> refs;             // `ref:` names of the sources
  bool ignore_missing_value_files = false;
  std::string project, repo_url, target_revision;
  std::vector<std::string> inline_values;  // helm.values / valuesObject / parameters present
  json patch;                             // the parsed templatePatch (null when none)
  std::map<std::string, ath::SourcePos> patch_positions;  // inside the patch text
  std::vector<TemplateProblem> problems;  // empty when everything resolved
};

// A rendered templatePatch as Argo CD reads it (YAML 1.1, yaml11.hpp), with its lines.
struct ParsedPatch {
  json value;
  std::map<std::string, ath::SourcePos> positions;
  std::string error;  // set when Argo CD cannot read it (or this tool does not model it)
};
ParsedPatch parse_patch(const std::string& text);

// Rendered templatePatch text -> its parsed document. The patch usually renders the same for
// every element; parsing it once per ApplicationSet keeps `check` close to parse-only cost.
using PatchCache = std::map<std::string, ParsedPatch>;

// Renders spec.template (and spec.templatePatch, merged into it) for one element.
ArgoApp render_application(const json& application_set, const json& params, const RenderMode& mode,
                           PatchCache* cache = nullptr);

}  // namespace ath::values_parity
