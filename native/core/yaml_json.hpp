#pragma once
// YAML <-> JSON conversion (yaml-cpp <-> nlohmann::json), with source positions kept so that
// reports can name file:line:col.
#include <nlohmann/json.hpp>

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace ath {
using json = nlohmann::json;

struct SourcePos {
  int line = 0;    // 1-based; 0 when unknown
  int column = 0;  // 1-based
};

// A parse or conversion error, printed as "file:line:col: message".
class YamlError : public std::runtime_error {
 public:
  YamlError(std::string file, SourcePos pos, std::string message);
  const std::string& file() const { return file_; }
  SourcePos pos() const { return pos_; }
  const std::string& message() const { return message_; }

 private:
  std::string file_;
  SourcePos pos_;
  std::string message_;
};

struct YamlDocument {
  json value;                                // null for an empty document
  SourcePos start;                           // where the document begins
  std::map<std::string, SourcePos> positions;  // JSON Pointer ("/spec/template") -> position
  SourcePos pos_of(const std::string& pointer) const;  // nearest known ancestor's position
};

struct YamlLimits {
  // Aliases can expand a small file into a huge tree ("billion laughs"); conversion stops after
  // this many nodes. 0 means 100,000 plus four per input byte: without aliases a document cannot
  // have more nodes than bytes, so only an alias expansion reaches the limit.
  size_t max_nodes = 0;
  bool keep_positions = true;
};

// Parses a (multi-document) YAML stream. Plain scalars resolve as in YAML 1.2's core schema
// (null, true/false, integers, floats); quoted scalars and `!!str` stay strings.
std::vector<YamlDocument> parse_yaml_stream(const std::string& text, const std::string& file,
                                            const YamlLimits& limits = {});
// The first document of a file, or null when it has none.
YamlDocument parse_yaml_document(const std::string& text, const std::string& file,
                                 const YamlLimits& limits = {});
// Reads and parses a file; a read error is a YamlError at 0:0.
std::vector<YamlDocument> load_yaml_file(const std::string& path, const YamlLimits& limits = {});

// Emits one document as block YAML in which every string (value or key) reads back as itself:
// strings that would read back as another type, or hold control characters, are double-quoted
// with escapes. Throws InputLimitError naming the string's JSON Pointer for a string it cannot
// write faithfully: one that is not UTF-8, or holds a Unicode noncharacter (U+FFFE, U+FDD0...).
std::string to_yaml(const json& value);
// Emits a stream, documents separated by "---".
std::string to_yaml_stream(const std::vector<json>& docs);

// True when a plain (unquoted) YAML scalar with this text would not read back as a string.
bool plain_scalar_is_typed(const std::string& text);

// Reads a whole file; throws std::runtime_error naming the file on failure.
std::string read_text_file(const std::string& path);

}  // namespace ath
