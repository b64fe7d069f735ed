#pragma once
// One component.yaml: the single file Argo CD's ApplicationSet template (through the git files
// generator) and the Tiltfile (through `plan`) both read. Parsing is pure: every problem is a
// finding at the key's line, and unknown keys are reported so that typos do not pass silently.
#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "files.hpp"

namespace ath::values_parity {
using json = nlohmann::json;

struct ImageSpec {
  std::string name;        // image name without registry, hyphenated ("inference-gateway")
  std::string context;     // docker build context, repository-relative
  std::string dockerfile;  // repository-relative; empty: <context>/Dockerfile
  std::string target;      // optional multi-stage target
  std::string repository_key = "image.repository";  // Helm value Tilt sets to the built repository
  std::string tag_key = "image.tag";                // Helm value Tilt sets to the built tag
  std::string pointer;     // "/images/0", for file:line
};

struct SyncStep {
  std::string local;   // repository-relative
  std::string remote;  // path in the container
};

struct RunStep {
  std::string cmd;                   // run in the container
  std::vector<std::string> trigger;  // repository-relative files that trigger it
};

struct LiveUpdateHints {
  std::vector<SyncStep> sync;
  std::vector<RunStep> run;
  std::vector<std::string> fall_back_on;  // changes that need a full image build
};

struct Component {
  std::string file;  // repository-relative component.yaml
  size_t element = 0;    // index in a file that holds a YAML list of components (one app each)
  std::string base;      // JSON pointer of the element in the file ("" or "/1")
  const LoadedFile* loaded = nullptr;       // the file, for positions; owned by the FileSet
  // The element as Argo CD reads it (YAML 1.1, yaml11.hpp); set by the analysis, owned by the
  // FileSet (when YAML 1.1 reads the file as YAML 1.2 does) or by the analysis.
  const json* argo_content = nullptr;
  std::string name;
  std::string namespace_;
  std::string tier;
  std::string chart;     // repository-relative
  std::string language;  // go, node, python or none
  std::string source;    // repository-relative source folder
  std::vector<ImageSpec> images;
  LiveUpdateHints live_update;
  std::vector<std::string> depends_on;  // component names
  std::vector<std::string> labels;
  // Tilt-side deviations (should stay empty): other value files, extra --set values.
  std::optional<std::vector<std::string>> tilt_value_files;
  json tilt_set = json::object();  // dotted key -> value

  std::string app() const { return "apps-" + name; }
  int line_of(const std::string& pointer) const { return loaded ? loaded->pos_of(base + pointer).line : 0; }
  int column_of(const std::string& pointer) const { return loaded ? loaded->pos_of(base + pointer).column : 0; }
};

inline const char* const kLanguages[] = {"go", "node", "python", "none"};

// Parses a loaded component.yaml: one component, or one per item when the file is a YAML list
// (the git files generator makes one app per item). Components that cannot be planned are
// left out, with findings; `failed` counts them.
std::vector<Component> parse_components(const LoadedFile& file, std::vector<Finding>& findings, size_t* failed = nullptr);

// Dotted Helm value key -> JSON pointer ("image.repository" -> "/image/repository").
std::string value_key_pointer(const std::string& dotted);

}  // namespace ath::values_parity
