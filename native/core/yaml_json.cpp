#include "core/yaml_json.hpp"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstdlib>

#include <algorithm>
#include <cmath>
#include <limits>
#include <fstream>
#include <optional>
#include <regex>
#include <sstream>

#include "core/json_limits.hpp"
#include "core/yaml_load.hpp"

namespace ath {

YamlError::YamlError(std::string file, SourcePos pos, std::string message)
    : std::runtime_error(file + ":" + std::to_string(pos.line) + ":" + std::to_string(pos.column) + ": " + message),
      file_(std::move(file)),
      pos_(pos),
      message_(std::move(message)) {}

SourcePos YamlDocument::pos_of(const std::string& pointer) const {
  std::string p = pointer;
  while (true) {
    auto it = positions.find(p);
    if (it != positions.end()) return it->second;
    if (p.empty()) return start;
    p.erase(p.rfind('/'));
  }
}

namespace {

SourcePos to_pos(const YAML::Mark& m) {
  if (m.line < 0) return {};
  return {m.line + 1, m.column + 1};
}

// YAML 1.2 core schema, the subset Kubernetes manifests and Helm values use.
const std::regex& int_re() {
  static const std::regex re(R"([-+]?[0-9]+)");
  return re;
}
const std::regex& float_re() {
  static const std::regex re(R"([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?)");
  return re;
}

bool is_null_text(const std::string& s) { return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL"; }
bool is_true_text(const std::string& s) { return s == "true" || s == "True" || s == "TRUE"; }
bool is_false_text(const std::string& s) { return s == "false" || s == "False" || s == "FALSE"; }
bool is_special_float(const std::string& s) {
  static const char* names[] = {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", ".nan", ".NaN", ".NAN"};
  for (auto* n : names)
    if (s == n) return true;
  return false;
}

// Helm reads values through sigs.k8s.io/yaml, whose resolver (v1.4.0 goyaml.v2/resolve.go:151-196)
// tries Go's ParseInt, then ParseUint, then ParseFloat on a plain scalar and keeps it as a string
// when none accepts it. So a number out of float64 range (`1e999`, 400 digits) is the string it
// is, as in Helm; only an explicit `!!int` / `!!float` tag makes it an error (resolve_tagged).
std::optional<long long> parse_int64(const std::string& s) {
  errno = 0;
  char* end = nullptr;
  long long v = std::strtoll(s.c_str(), &end, 10);
  if (errno != 0 || end != s.c_str() + s.size()) return std::nullopt;
  return v;
}
std::optional<unsigned long long> parse_uint64(const std::string& s) {
  errno = 0;
  char* end = nullptr;
  unsigned long long v = std::strtoull(s.c_str(), &end, 10);
  if (errno != 0 || end != s.c_str() + s.size()) return std::nullopt;
  return v;
}
// Like Go's ParseFloat: overflow to infinity is an error (ErrRange), underflow to zero is not.
std::optional<double> parse_float64(const std::string& s) {
  errno = 0;
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || (errno == ERANGE && std::isinf(v))) return std::nullopt;
  return v;
}

bool may_be_number(const std::string& s) {
  const char c = s.empty() ? '\0' : s[0];
  return std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '+' || c == '.';
}

json resolve_plain(const std::string& s) {
  if (is_null_text(s)) return nullptr;
  if (!may_be_number(s)) {
    if (is_true_text(s)) return true;
    if (is_false_text(s)) return false;
    return s;  // the common case: most scalars are plain words, no regex needed
  }
  if (is_true_text(s)) return true;
  if (is_false_text(s)) return false;
  if (std::regex_match(s, int_re())) {
    if (auto v = parse_int64(s)) return *v;
    if (s[0] != '-')
      if (auto u = parse_uint64(s)) return *u;
    // Wider than 64 bits: a float when float64 holds it, else the text (see parse_float64).
    if (auto d = parse_float64(s)) return *d;
    return s;
  }
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o')) {
    const int base = s[1] == 'x' ? 16 : 8;
    const std::string digits = s.substr(2);
    const bool all_digits = std::all_of(digits.begin(), digits.end(), [&](char c) {
      return base == 16 ? std::isxdigit(static_cast<unsigned char>(c)) != 0 : (c >= '0' && c <= '7');
    });
    errno = 0;
    char* end = nullptr;
    unsigned long long v = all_digits ? std::strtoull(digits.c_str(), &end, base) : 0;
    if (all_digits && errno == 0) {
      if (v <= static_cast<unsigned long long>(std::numeric_limits<long long>::max())) return static_cast<long long>(v);
      return v;
    }
  }
  if (std::regex_match(s, float_re()) && s != "." && s != "+." && s != "-.") {
    if (auto d = parse_float64(s)) return *d;
    return s;
  }
  if (is_special_float(s)) {
    if (s.find("nan") != std::string::npos || s.find("NaN") != std::string::npos || s.find("NAN") != std::string::npos)
      return std::nan("");
    return s[0] == '-' ? -INFINITY : INFINITY;
  }
  return s;
}

json resolve_tagged(const std::string& tag, const std::string& s, const std::string& file, SourcePos pos) {
  if (tag == "tag:yaml.org,2002:str" || tag == "!") return s;
  json v = resolve_plain(s);
  auto want = [&](bool ok, const char* what) {
    if (!ok) throw YamlError(file, pos, "value '" + s + "' is not a valid " + what);
    return v;
  };
  if (tag == "tag:yaml.org,2002:int") return want(v.is_number_integer(), "integer");
  if (tag == "tag:yaml.org,2002:float") {
    if (v.is_number_integer()) return static_cast<double>(v.get<long long>());
    return want(v.is_number_float(), "float");
  }
  if (tag == "tag:yaml.org,2002:bool") return want(v.is_boolean(), "boolean");
  if (tag == "tag:yaml.org,2002:null") return want(v.is_null(), "null");
  // Unknown local tags (e.g. !Ref): the value is kept as its text.
  return s;
}

// Turns yaml-cpp's node graph into JSON. yaml-cpp resolves an alias to the anchored node itself,
// so `x: &a [*a]` is a cycle in the graph: each collection is checked against the collections
// on the path to it, and the path is no longer than kMaxNestingDepth, so neither a cycle nor deep
// input can exhaust the stack.
struct Converter {
  const std::string& file;
  size_t max_nodes;
  std::map<std::string, SourcePos>* positions;
  size_t nodes = 0;
  std::vector<YAML::Node> path{};  // the collections being converted, outermost first

  static std::string escape_token(const std::string& key) {
    std::string out;
    for (char c : key) {
      if (c == '~') out += "~0";
      else if (c == '/') out += "~1";
      else out += c;
    }
    return out;
  }

  // `where` marks the alias in the source: yaml-cpp gives the alias node the anchor's mark, so
  // the caller passes the mapping key or the collection holding it.
  void check_not_recursive(const YAML::Node& child, const YAML::Mark& where) const {
    if (!child.IsSequence() && !child.IsMap()) return;
    for (const auto& ancestor : path)
      if (ancestor.is(child)) throw YamlError(file, to_pos(where), "recursive alias: this node contains an alias of itself");
  }

  json convert(const YAML::Node& node, const std::string& pointer) {
    if (++nodes > max_nodes)
      throw YamlError(file, to_pos(node.Mark()),
                      "document expands to more than " + std::to_string(max_nodes) + " nodes (alias expansion?)");
    if (positions) positions->emplace(pointer, to_pos(node.Mark()));
    switch (node.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null:
        return nullptr;
      case YAML::NodeType::Scalar: {
        const std::string& tag = node.Tag();
        const std::string& text = node.Scalar();
        if (tag == "?" || tag.empty()) return resolve_plain(text);
        return resolve_tagged(tag, text, file, to_pos(node.Mark()));
      }
      case YAML::NodeType::Sequence:
      case YAML::NodeType::Map:
        break;
    }
    if (path.size() >= static_cast<size_t>(kMaxNestingDepth))
      throw YamlError(file, to_pos(node.Mark()), "nested deeper than " + std::to_string(kMaxNestingDepth) + " levels");
    path.push_back(node);
    json out = node.IsSequence() ? convert_sequence(node, pointer) : convert_map(node, pointer);
    path.pop_back();
    return out;
  }

  json convert_sequence(const YAML::Node& node, const std::string& pointer) {
    json arr = json::array();
    size_t i = 0;
    for (const auto& item : node) {
      check_not_recursive(item, node.Mark());
      arr.push_back(convert(item, positions ? pointer + "/" + std::to_string(i) : std::string()));
      ++i;
    }
    return arr;
  }

  json convert_map(const YAML::Node& node, const std::string& pointer) {
    json obj = json::object();
    for (const auto& kv : node) {
      if (!kv.first.IsScalar()) throw YamlError(file, to_pos(kv.first.Mark()), "mapping keys must be plain scalars");
      const std::string key = kv.first.Scalar();
      if (obj.contains(key)) throw YamlError(file, to_pos(kv.first.Mark()), "duplicate key '" + key + "'");
      check_not_recursive(kv.second, kv.first.Mark());
      obj[key] = convert(kv.second, positions ? pointer + "/" + escape_token(key) : std::string());
    }
    return obj;
  }
};

}  // namespace

bool plain_scalar_is_typed(const std::string& text) { return !resolve_plain(text).is_string(); }

std::vector<YamlDocument> parse_yaml_stream(const std::string& text, const std::string& file,
                                            const YamlLimits& limits) {
  std::vector<YAML::Node> nodes;
  try {
    nodes = load_yaml_nodes(text);
  } catch (const YAML::Exception& e) {
    throw YamlError(file, to_pos(e.mark), e.msg);
  }
  std::vector<YamlDocument> docs;
  docs.reserve(nodes.size());
  for (const auto& node : nodes) {
    YamlDocument doc;
    doc.start = to_pos(node.Mark());
    const size_t max_nodes = limits.max_nodes ? limits.max_nodes : 100'000 + 4 * text.size();
    Converter conv{file, max_nodes, limits.keep_positions ? &doc.positions : nullptr};
    try {
      doc.value = conv.convert(node, "");
    } catch (const YAML::Exception& e) {
      throw YamlError(file, to_pos(e.mark), e.msg);
    }
    docs.push_back(std::move(doc));
  }
  return docs;
}

YamlDocument parse_yaml_document(const std::string& text, const std::string& file, const YamlLimits& limits) {
  auto docs = parse_yaml_stream(text, file, limits);
  if (docs.empty()) return YamlDocument{};
  return std::move(docs.front());
}

std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot open file");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw std::runtime_error(path + ": read error");
  return ss.str();
}

std::vector<YamlDocument> load_yaml_file(const std::string& path, const YamlLimits& limits) {
  std::string text;
  try {
    text = read_text_file(path);
  } catch (const std::exception& e) {
    throw YamlError(path, {}, "cannot read file");
  }
  if (text.find('\0') != std::string::npos) throw YamlError(path, {1, 1}, "file holds binary data, not YAML");
  return parse_yaml_stream(text, path, limits);
}

namespace {

// A string to_yaml cannot write so that it reads back as itself; `path` (the JSON Pointer of the
// string, or of the object whose key it is) is filled in on the way out of the recursion.
struct Unwritable {
  std::vector<std::string> path;  // innermost token first
  std::string why;
  bool key = false;  // a key of the object at `path`
};

// The code point of the UTF-8 sequence at `i` (advancing `i`), or -1 for bytes that are not
// UTF-8: a stray or missing trailing byte, an overlong form, a surrogate, past U+10FFFF.
int next_code_point(const std::string& s, size_t& i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned lead = byte(i);
  if (lead < 0x80) return static_cast<int>(s[i++]);
  int len = lead >= 0xF0 && lead <= 0xF4 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC2 && lead <= 0xDF ? 2 : 0;
  if (lead > 0xF4) len = 0;
  if (len == 0 || i + len > s.size()) return -1;
  int cp = static_cast<int>(lead & (0xFF >> (len + 1)));
  for (int k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return -1;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  static constexpr int kSmallest[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kSmallest[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return -1;
  i += len;
  return cp;
}

std::string hex(unsigned v, int digits) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out(static_cast<size_t>(digits), '0');
  for (int k = digits - 1; k >= 0; --k, v >>= 4) out[static_cast<size_t>(k)] = kDigits[v & 0xF];
  return out;
}

// How yaml-cpp 0.7 must write a string for it to read back byte for byte
// (yaml-cpp-0.7.0 src/emitterutils.cpp: IsValidPlainScalar, WriteDoubleQuotedString):
// - plain when it is valid plain text and holds only printable characters;
// - double-quoted when it would read back as another type or as a document marker, or holds a
//   character yaml-cpp escapes there (C0 and C1 controls, U+00A0, U+FEFF);
// - double-quoted with every non-ASCII character escaped when it holds one yaml-cpp would write
//   raw although YAML 1.2 does not allow it raw (DEL) or YAML 1.1 readers such as Helm's and
//   Tilt's take it for a line break (U+0085 is escaped anyway; U+2028, U+2029).
// Refused: text that is not UTF-8 (YAML text is Unicode; there is no escape for a lone byte,
// and yaml-cpp would write U+FFFD in its place) and the noncharacters U+FDD0..U+FDEF,
// U+xFFFE, U+xFFFF (yaml-cpp writes U+FFFD for them in every style).
enum class Style { kAuto, kQuoted, kQuotedAscii };

Style style_for(const std::string& s) {
  // "<<" would be a merge key to YAML 1.1 readers; at the start of a line, a plain "---" or
  // "..." would end the document (yaml-cpp writes them plain).
  const bool marker = s.rfind("---", 0) == 0 || s.rfind("...", 0) == 0;
  Style style = plain_scalar_is_typed(s) || s == "<<" || marker ? Style::kQuoted : Style::kAuto;
  for (size_t i = 0; i < s.size();) {
    const size_t at = i;
    const int c = next_code_point(s, i);
    if (c < 0)
      throw Unwritable{{}, "is not UTF-8 (byte 0x" + hex(static_cast<unsigned char>(s[at]), 2) + " at offset " +
                               std::to_string(at) + ")"};
    if ((c & 0xFFFE) == 0xFFFE || (c >= 0xFDD0 && c <= 0xFDEF))
      throw Unwritable{{}, "holds the noncharacter U+" + hex(static_cast<unsigned>(c), c > 0xFFFF ? 6 : 4) +
                               " at offset " + std::to_string(at) + ", which the YAML writer cannot keep"};
    if (c == 0x7F || c == 0x2028 || c == 0x2029) style = Style::kQuotedAscii;
    else if ((c < 0x20 || (c >= 0x80 && c <= 0xA0) || c == 0xFEFF) && style == Style::kAuto) style = Style::kQuoted;
  }
  return style;
}

void write_string(YAML::Emitter& out, const std::string& s, Style style) {
  switch (style) {
    case Style::kAuto:
      out << s;  // plain when yaml-cpp finds it valid plain text, else double-quoted
      break;
    case Style::kQuoted:
      out << YAML::DoubleQuoted << s;
      break;
    case Style::kQuotedAscii:
      out << YAML::DoubleQuoted << YAML::EscapeNonAscii << s;
      break;
  }
}

// A key longer than 1024 bytes must be written as an explicit "? key". yaml-cpp's writer decides
// that on the text before quoting and escaping (yaml-cpp-0.7.0 src/emitter.cpp:727), its reader
// on the text as written (src/simplekey.cpp:116), so a key that quoting makes longer than 1024
// did not read back (the libFuzzer finding in fuzz/findings). Quoting at most quadruples the text
// ("\x01"), plus two quotes: only keys over 255 bytes are measured as written.
void write_key(YAML::Emitter& out, const std::string& key) {
  const Style style = style_for(key);
  if (key.size() > 255) {
    YAML::Emitter probe;
    write_string(probe, key, style);
    if (probe.size() > 1024) out << YAML::LongKey;
  }
  out << YAML::Key;
  write_string(out, key, style);
}

// Recursive; to_yaml bounds the depth first.
void emit(YAML::Emitter& out, const json& v) {
  switch (v.type()) {
    case json::value_t::null:
      out << YAML::Null;
      break;
    case json::value_t::boolean:
      out << (v.get<bool>() ? "true" : "false");
      break;
    case json::value_t::number_integer:
      out << v.get<long long>();
      break;
    case json::value_t::number_unsigned:
      out << v.get<unsigned long long>();
      break;
    case json::value_t::number_float: {
      double d = v.get<double>();
      if (std::isnan(d)) out << ".nan";
      else if (std::isinf(d)) out << (d < 0 ? "-.inf" : ".inf");
      else out << v.dump();  // shortest round-trip form
      break;
    }
    case json::value_t::string: {
      const auto& text = v.get_ref<const std::string&>();
      write_string(out, text, style_for(text));
      break;
    }
    case json::value_t::array: {
      if (v.empty()) {
        out << YAML::Flow << YAML::BeginSeq << YAML::EndSeq;
        break;
      }
      out << YAML::BeginSeq;
      size_t i = 0;
      try {
        for (; i < v.size(); ++i) emit(out, v[i]);
      } catch (Unwritable& e) {
        e.path.push_back(std::to_string(i));
        throw;
      }
      out << YAML::EndSeq;
      break;
    }
    case json::value_t::object:
      if (v.empty()) {
        out << YAML::Flow << YAML::BeginMap << YAML::EndMap;
        break;
      }
      out << YAML::BeginMap;
      for (const auto& [k, item] : v.items()) {
        try {
          write_key(out, k);
        } catch (Unwritable& e) {
          e.key = true;
          throw;
        }
        out << YAML::Value;
        try {
          emit(out, item);
        } catch (Unwritable& e) {
          e.path.push_back(k);
          throw;
        }
      }
      out << YAML::EndMap;
      break;
    default:
      out << YAML::Null;
  }
}

}  // namespace

std::string to_yaml(const json& value) {
  YAML::Emitter out;
  // A value too deep to have been read can only come from an unchecked source: refuse it
  // instead of exhausting the stack.
  check_nesting_depth(value, "cannot write a value as YAML");
  try {
    emit(out, value);
  } catch (const Unwritable& e) {
    json::json_pointer at;
    for (auto it = e.path.rbegin(); it != e.path.rend(); ++it) at /= *it;
    // JSON-quoted: the keys on the way may hold control characters, even NUL.
    const std::string where = json(at.to_string()).dump(-1, ' ', false, json::error_handler_t::replace);
    throw InputLimitError("cannot write a value as YAML: " +
                          (e.key ? "a key of the object at " + where : "the string at " + where) + " " + e.why);
  }
  if (!out.good()) throw InputLimitError("cannot write a value as YAML: " + out.GetLastError());
  std::string s = out.c_str();
  if (s.empty() || s.back() != '\n') s += '\n';
  return s;
}

std::string to_yaml_stream(const std::vector<json>& docs) {
  std::string out;
  for (size_t i = 0; i < docs.size(); ++i) {
    if (i) out += "---\n";
    out += to_yaml(docs[i]);
  }
  return out;
}

}  // namespace ath
