// Fuzz target for core's readers of untrusted text: the YAML stream reader (values files, adopt
// manifests, helm output), the bounded JSON reader (ConfigMap records, journals) and what runs on
// their results (to_yaml, redaction). Built as a libFuzzer target with clang, or linked with
// fuzz_driver.cpp for the seeded mutation run any compiler can build.
//
// The contract checked: a reader either returns a value or throws its own error type (YamlError,
// InputLimitError); anything else escaping (std::out_of_range "stod", a crash, a stack
// overflow, a sanitizer report) is a finding; to_yaml's output reads back as the same value, or
// to_yaml refuses a string that is not UTF-8 (or holds a noncharacter) with InputLimitError.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/json_limits.hpp"
#include "core/redact.hpp"
#include "core/yaml_json.hpp"

namespace {

// NaN never equals itself; everything else must survive the round trip exactly.
bool same(const ath::json& a, const ath::json& b) {
  if (a.is_number_float() && b.is_number_float() && std::isnan(a.get<double>()) && std::isnan(b.get<double>()))
    return true;
  if (a.type() != b.type() || a.size() != b.size()) return a == b;
  if (a.is_array()) {
    for (size_t i = 0; i < a.size(); ++i)
      if (!same(a[i], b[i])) return false;
    return true;
  }
  if (a.is_object()) {
    for (auto it = a.begin(); it != a.end(); ++it)
      if (!b.contains(it.key()) || !same(it.value(), b[it.key()])) return false;
    return true;
  }
  return a == b;
}

[[noreturn]] void finding(const std::string& what, const std::string& input) {
  std::fprintf(stderr, "finding: %s\ninput (%zu bytes): %s\n", what.c_str(), input.size(), input.substr(0, 400).c_str());
  std::abort();
}

void check_yaml(const std::string& text) {
  std::vector<ath::YamlDocument> docs;
  try {
    docs = ath::parse_yaml_stream(text, "fuzz.yaml");
  } catch (const ath::YamlError& e) {
    if (e.file() != "fuzz.yaml") finding("YamlError without the file name: " + std::string(e.what()), text);
    return;
  }
  for (const auto& doc : docs) {
    ath::check_nesting_depth(doc.value, "a value the reader accepted");  // the reader's own bound
    ath::redact_secrets(doc.value);
    std::string yaml;
    try {
      yaml = ath::to_yaml(doc.value);
    } catch (const ath::InputLimitError& e) {
      // The one refusal allowed: a string YAML cannot carry as it is (the reader passes bytes
      // that are not UTF-8 through, and yaml-cpp's writer would replace noncharacters).
      const std::string what = e.what();
      if (what.find(" is not UTF-8 (") == std::string::npos && what.find(" holds the noncharacter U+") == std::string::npos)
        finding("to_yaml refused a value: " + what, text);
      continue;
    }
    ath::json back;
    try {
      back = ath::parse_yaml_document(yaml, "round-trip.yaml").value;
    } catch (const ath::YamlError& e) {
      finding("to_yaml output does not read back: " + std::string(e.what()) + "\n" + yaml, text);
    }
    // Every string, key or value, comes back byte for byte; numbers, booleans and nulls keep
    // their type.
    if (!same(back, doc.value)) finding("to_yaml round trip changed the value:\n" + yaml, text);
  }
}

void check_json(const std::string& text) {
  try {
    auto v = ath::parse_json_bounded(text, "fuzz record");
    ath::check_nesting_depth(v, "a record the reader accepted");
    ath::redact_secrets(v);
    (void)v.dump();
  } catch (const ath::InputLimitError&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  check_yaml(text);
  check_json(text);
  return 0;
}
