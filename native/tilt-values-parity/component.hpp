#pragma once
// One component.yaml: the single file Argo CD's ApplicationSet template (through the git files
// generator) and the Tiltfile (through `plan`) both read. Parsing is pure: every problem is a
// finding at the key's line, and unknown keys are reported so that typos do not pass silently.
#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "files.hpp"

namespace tvp {
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
  const ath::YamlDocument* doc = nullptr;  // positions; owned by the FileSet
  json content;                            // the raw mapping (the generator's parameters)
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
  int line_of(const std::string& pointer) const { return doc ? doc->pos_of(pointer).line : 0; }
  int column_of(const std::string& pointer) const { return doc ? doc->pos_of(pointer).column : 0; }
};

inline const char* const kLanguages[] = {"go", "node", "python", "none"};

// Parses a loaded component.yaml; nullopt (with findings) when it cannot be planned.
std::optional<Component> parse_component(const LoadedFile& file, std::vector<Finding>& findings);

// Dotted Helm value key -> JSON pointer ("image.repository" -> "/image/repository").
std::string value_key_pointer(const std::string& dotted);

}  // namespace tvp
