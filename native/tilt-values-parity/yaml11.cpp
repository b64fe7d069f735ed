#include "yaml11.hpp"

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <optional>
#include <regex>
#include <set>

#include "core/yaml_json.hpp"
#include "core/yaml_load.hpp"
#include "go_format.hpp"

namespace ath::values_parity {

namespace {

// Go's strconv.ParseInt(s, 0, 64) / ParseUint(s, 0, 64): sign (ParseInt only), base prefix
// 0x / 0o / 0b / leading 0 (octal), digits of that base, no overflow.
std::optional<long double> go_parse_int(const std::string& s, bool allow_sign) {
  size_t i = 0;
  bool neg = false;
  if (allow_sign && i < s.size() && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
  std::string d = s.substr(i);
  int base = 10;
  if (d.size() > 1 && d[0] == '0') {
    char p = static_cast<char>(std::tolower(static_cast<unsigned char>(d[1])));
    if (p == 'x' || p == 'o' || p == 'b') {
      base = p == 'x' ? 16 : p == 'o' ? 8 : 2;
      d = d.substr(2);
    } else {
      base = 8;
      d = d.substr(1);
    }
  }
  if (d.empty()) return std::nullopt;
  unsigned long long v = 0;
  for (char c : d) {
    int x = std::isdigit(static_cast<unsigned char>(c)) ? c - '0'
            : std::isalpha(static_cast<unsigned char>(c)) ? std::tolower(static_cast<unsigned char>(c)) - 'a' + 10
                                                          : 99;
    if (x >= base) return std::nullopt;
    if (v > (~0ULL - static_cast<unsigned>(x)) / static_cast<unsigned>(base)) return std::nullopt;
    v = v * static_cast<unsigned>(base) + static_cast<unsigned>(x);
  }
  if (allow_sign && (neg ? v > (1ULL << 63) : v > (1ULL << 63) - 1)) return std::nullopt;
  // The value goes through JSON to float64: round once from the exact integer.
  double as_double = static_cast<double>(v);
  return neg ? -static_cast<long double>(as_double) : static_cast<long double>(as_double);
}

const std::regex& yaml_style_float() {
  static const std::regex re(R"(^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$)");
  return re;
}

}  // namespace

// go-yaml v2 resolve.go resolve() for an untagged plain scalar.
json yaml11_resolve_plain(const std::string& in) {
  static const std::set<std::string> trues = {"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"};
  static const std::set<std::string> falses = {"n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"};
  static const std::set<std::string> nulls = {"", "~", "null", "Null", "NULL"};
  static const std::set<std::string> special = {".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf",
                                                "+.INF", "-.inf", "-.Inf", "-.INF"};
  if (trues.count(in)) return true;
  if (falses.count(in)) return false;
  if (nulls.count(in)) return nullptr;
  if (special.count(in)) throw TemplateError("'" + in + "' is an infinite or NaN float, which sigs.k8s.io/yaml cannot pass through JSON");
  if (in == "<<") throw TemplateError("YAML merge keys (<<) are not modelled");
  char hint = in[0];
  if (hint == '.') {
    if (std::regex_match(in, yaml_style_float())) return std::stod(in);
    return in;
  }
  if (!(std::isdigit(static_cast<unsigned char>(hint)) || hint == '+' || hint == '-')) return in;
  // Timestamps stay strings when decoded into interface{} (go-yaml v2 decode.go, for backward
  // compatibility), so only numbers remain.
  std::string plain;
  for (char c : in)
    if (c != '_') plain += c;
  if (auto v = go_parse_int(plain, true)) return static_cast<double>(*v);
  if (auto v = go_parse_int(plain, false)) return static_cast<double>(*v);
  if (std::regex_match(plain, yaml_style_float())) {
    double d = std::strtod(plain.c_str(), nullptr);
    if (std::isinf(d)) throw TemplateError("'" + in + "' overflows float64");
    return d;
  }
  return in;
}

bool yaml11_plain_is_typed(const std::string& text) { return !yaml11_resolve_plain(text).is_string(); }

bool yaml11_plain_is_timestamp(const std::string& s) {
  // parseTimestamp: four digits and '-' first; of its time.Parse layouts only the date-only
  // "2006-1-2" has no ':' (the others need a time of day, "15:4:5").
  if (s.find(':') != std::string::npos) return false;
  auto digit = [&](size_t i) { return i < s.size() && s[i] >= '0' && s[i] <= '9'; };
  if (!digit(0) || !digit(1) || !digit(2) || !digit(3) || s.size() < 5 || s[4] != '-') return false;
  size_t i = 5;
  auto number = [&](int& out) {  // time.Parse's getnum: one or two digits
    if (!digit(i)) return false;
    out = s[i++] - '0';
    if (digit(i)) out = out * 10 + (s[i++] - '0');
    return true;
  };
  int month = 0, day = 0;
  if (!number(month) || i >= s.size() || s[i++] != '-' || !number(day) || i != s.size()) return false;
  if (month < 1 || month > 12) return false;
  int year = std::stoi(s.substr(0, 4));
  static const int days_in[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
  return day >= 1 && day <= (month == 2 && leap ? 29 : days_in[month - 1]);  // "day out of range"
}

bool yaml11_marshal_quotes(const std::string& text) {
  // isBase60Float (encode.go): YAML 1.1 sexagesimal, read back as text but written quoted.
  static const std::regex base60(R"(^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$)");
  return yaml11_plain_is_typed(text) || yaml11_plain_is_timestamp(text) || std::regex_match(text, base60);
}

namespace {

std::string escape_pointer(const std::string& key) {
  std::string out;
  for (char c : key) out += c == '~' ? "~0" : c == '/' ? "~1" : std::string(1, c);
  return out;
}

struct Decoder {
  Yaml11Document& doc;
  int depth = 0;

  bool plain(const YAML::Node& n) { return n.Tag() == "?" || n.Tag().empty(); }

  json scalar(const YAML::Node& n, const std::string& pointer) {
    const std::string& text = n.Scalar();
    if (n.Tag() == "!" || n.Tag() == "tag:yaml.org,2002:str") return text;
    if (!plain(n)) throw TemplateError("the explicit tag " + n.Tag() + " is not modelled");
    json v = yaml11_resolve_plain(text);
    if (v.is_string()) return v;
    std::string seen = v.is_null() ? "<no value>" : go_sprint(v);
    bool was_typed_12 = ath::plain_scalar_is_typed(text);
    bool changed = v.is_null() ? !was_typed_12 : (!was_typed_12 || (v.is_number() && seen != text));
    if (changed) {
      auto mark = n.Mark();
      doc.changes.push_back({pointer, mark.line + 1, mark.column + 1, text, seen,
                             v.is_boolean() ? "boolean" : v.is_null() ? "null" : "number"});
    }
    return v;
  }

  std::string key_text(const YAML::Node& k) {
    if (!k.IsScalar()) throw TemplateError("a non-scalar mapping key is not modelled");
    if (!plain(k)) {
      if (k.Tag() == "!" || k.Tag() == "tag:yaml.org,2002:str") return k.Scalar();
      throw TemplateError("the explicit tag " + k.Tag() + " is not modelled");
    }
    json v = yaml11_resolve_plain(k.Scalar());
    if (v.is_string()) return v.get<std::string>();
    if (v.is_boolean()) return v.get<bool>() ? "true" : "false";  // sigs.k8s.io/yaml stringifies bool keys
    throw TemplateError("the mapping key '" + k.Scalar() + "' is not a string under YAML 1.1; not modelled");
  }

  json node(const YAML::Node& n, const std::string& pointer) {
    if (++depth > 200) throw TemplateError("component file nested deeper than 200 levels");
    json out;
    switch (n.Type()) {
      case YAML::NodeType::Null: out = nullptr; break;
      case YAML::NodeType::Scalar: out = scalar(n, pointer); break;
      case YAML::NodeType::Sequence:
        out = json::array();
        for (size_t i = 0; i < n.size(); ++i) out.push_back(node(n[i], pointer + "/" + std::to_string(i)));
        break;
      case YAML::NodeType::Map:
        out = json::object();
        for (const auto& kv : n) {
          std::string key = key_text(kv.first);
          if (out.contains(key)) throw TemplateError("duplicate key '" + key + "' (after YAML 1.1 typing) is not modelled");
          out[key] = node(kv.second, pointer + "/" + escape_pointer(key));
        }
        break;
      default: out = nullptr;
    }
    --depth;
    return out;
  }
};

}  // namespace

Yaml11Document decode_yaml11(const std::string& text) {
  Yaml11Document doc;
  try {
    auto docs = ath::load_yaml_nodes(text);
    if (docs.empty()) return doc;
    Decoder d{doc};
    doc.value = d.node(docs.front(), "");
  } catch (const YAML::Exception& e) {
    throw TemplateError(std::string("YAML: ") + e.what());
  }
  return doc;
}

bool yaml11_may_differ(const std::string& text) {
  // Merge keys, and tags (`!!binary` decodes base64 under YAML 1.1), need the precise decode.
  if (text.find("<<") != std::string::npos || text.find('!') != std::string::npos) return true;
  static const std::set<std::string> words = {"y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO",
                                              "on", "On", "ON", "off", "Off", "OFF"};
  auto delimiter = [](char c) { return std::isspace(static_cast<unsigned char>(c)) || std::string_view(",:[]{}#'\"").find(c) != std::string_view::npos; };
  for (size_t i = 0; i < text.size();) {
    while (i < text.size() && delimiter(text[i])) ++i;
    size_t j = i;
    while (j < text.size() && !delimiter(text[j])) ++j;
    if (j > i) {
      std::string_view tok(text.data() + i, j - i);
      char c = tok[0];
      bool marker = tok == "-" || tok == "---" || tok == "...";
      if (!marker && (std::isdigit(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.' || words.count(std::string(tok))))
        return true;
    }
    i = j;
  }
  return false;
}

namespace {

json floats(const json& v) {
  if (v.is_number_integer() || v.is_number_unsigned()) return v.get<double>();
  if (v.is_array()) {
    json out = json::array();
    for (const auto& item : v) out.push_back(floats(item));
    return out;
  }
  if (v.is_object()) {
    json out = json::object();
    for (const auto& [k, item] : v.items()) out[k] = floats(item);
    return out;
  }
  return v;
}

}  // namespace

Yaml11Document decode_yaml11(const std::string& text, const json& yaml12) {
  if (yaml11_may_differ(text)) return decode_yaml11(text);
  return {floats(yaml12), {}};
}

}  // namespace ath::values_parity
