#pragma once
// Reading workspace files safely: size, binary and YAML limits checked before anything else
// looks at them, so bad input becomes a finding instead of a crash or a hang.
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/yaml_json.hpp"
#include "finding.hpp"

namespace ath::values_parity {

struct LoadLimits {
  size_t max_bytes = 4u << 20;   // values files are small; a 10 MB file is a mistake
  size_t max_nodes = 500'000;    // after alias expansion
  // Keep every node's source position. Without, LoadedFile::pos_of parses the text again when a
  // finding needs a line: values files are many and rarely reported, so they skip the cost.
  bool positions = true;
};

struct LoadedFile {
  std::string path;                     // repository-relative
  bool exists = false;
  std::vector<ath::YamlDocument> docs;  // empty when the file is empty or unusable
  std::optional<Finding> error;         // set when the file exists but is not usable YAML
  std::string text;                     // the file's text (component files are read twice: YAML 1.2 and 1.1)
  bool positions = true;                // docs carry source positions (LoadLimits::positions)
  // release() dropped docs and text; ensure_loaded reads the file again and then keeps it.
  bool released = false;
  bool keep = false;  // never released (a component file, or a values file more than one app uses)

  bool usable() const { return exists && !error; }
  // The first document, or nullptr when there is none.
  const ath::YamlDocument* first() const { return docs.empty() ? nullptr : &docs.front(); }
  // Where `pointer` is in document `doc` (the nearest known ancestor; {} when unknown), also
  // for a file loaded without positions.
  ath::SourcePos pos_of(const std::string& pointer, size_t doc = 0) const;
};

// Repository-relative path -> file, each read at most once.
using FileSet = std::map<std::string, LoadedFile>;

// Where the first byte that cannot be in a YAML text is (NUL, other control characters,
// invalid UTF-8), as 1-based line and column; nullopt for clean text.
std::optional<ath::SourcePos> find_binary_byte(const std::string& text);

// Parses text already read from `path` (repository-relative, used in findings).
LoadedFile parse_loaded(const std::string& path, std::string text, const LoadLimits& limits);

// Reads repo_root/path. A missing file is `exists == false` without error.
LoadedFile load_file(const std::filesystem::path& repo_root, const std::string& path, const LoadLimits& limits);

// Loads `path` into `files` unless it is there already; returns the entry.
const LoadedFile& ensure_loaded(FileSet& files, const std::filesystem::path& repo_root, const std::string& path,
                                const LoadLimits& limits);

// Drops the parsed documents and text of a usable file that is not `keep` (exists and error
// stay): a values file checked for one app is rarely needed again, and holding every parsed
// file until the end costs more memory than the parse itself. If it is needed again,
// ensure_loaded reads it again and keeps it from then on.
void release(FileSet& files, const std::string& path);

// Lexically normalised '/'-separated relative path ("a/./b/../c" -> "a/c"); nullopt when it
// leaves its base ("../x") or is absolute.
std::optional<std::string> normalize_relative(const std::string& path);

}  // namespace ath::values_parity
