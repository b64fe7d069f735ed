#pragma once
// component.yaml as Argo CD's git files generator reads it: sigs.k8s.io/yaml.Unmarshal
// (applicationset/generators/git.go:227, v3.4.7), i.e. go-yaml v2's YAML 1.1 scalar rules
// (resolve.go: on/off/yes/no/y/n are booleans, 010 is octal, 0x1F hex, 1_000 an int), then
// through JSON, so every number arrives as a float64. Positions are kept for findings.
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace ath::values_parity {
using json = nlohmann::json;

// A plain scalar whose meaning under YAML 1.1 differs from its text as Go prints it
// (`off` -> false, `1.0` -> 1, `010` -> 8), so the template sees something else than written.
struct Yaml11Change {
  std::string pointer;  // JSON pointer of the value
  int line = 0;         // 1-based
  int column = 0;
  std::string text;     // as written
  std::string seen;     // as the template prints it
  std::string kind;     // "boolean", "number", "null"
};

struct Yaml11Document {
  json value;  // null, bool, float numbers, strings, maps, lists
  std::vector<Yaml11Change> changes;
};

// The value of a plain scalar under go-yaml v2 then JSON: null, bool, double or the text.
json yaml11_resolve_plain(const std::string& text);

// True when a plain scalar with this text would not read back as a string under YAML 1.1.
bool yaml11_plain_is_typed(const std::string& text);

// True when go-yaml v2 resolves this plain text as a timestamp (resolve.go parseTimestamp). It
// still decodes into a string (decode.go keeps timestamps as text in an interface{}), but the
// encoder quotes it.
bool yaml11_plain_is_timestamp(const std::string& text);

// True when go-yaml v2's encoder double-quotes this single-line text (encode.go stringv): it
// would resolve to another tag than !!str (timestamps included) or is a base-60 float.
bool yaml11_marshal_quotes(const std::string& text);

// Decodes the first document. Throws TemplateError for what is not modelled (merge keys,
// explicit tags other than !!str, float or null map keys, duplicate keys, .inf/.nan) and for
// YAML that does not parse.
Yaml11Document decode_yaml11(const std::string& text);

// False when no plain token of `text` could read differently under YAML 1.1 (no y/n/yes/no/on/off
// words, nothing starting with a digit, sign or '.', no merge key, no tag): then the YAML 1.2
// value is what Argo CD reads, and it holds no numbers (so none to make float64).
bool yaml11_may_differ(const std::string& text);

// decode_yaml11 without a second parse when it cannot matter (!yaml11_may_differ): the YAML 1.2
// value already parsed (`yaml12`), with its integers made float64. Otherwise the precise decode.
Yaml11Document decode_yaml11(const std::string& text, const json& yaml12);

}  // namespace ath::values_parity
