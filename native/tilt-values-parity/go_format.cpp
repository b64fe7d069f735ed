#include "go_format.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <vector>

namespace ath::values_parity {

// fmt.Sprint(float64) = strconv.FormatFloat(v, 'g', -1, 64): the shortest digits that read back
// as v, in exponent form when the exponent is < -4 or >= 6 (strconv/ftoa.go, %g with the
// shortest precision decides with precision 6): 100000 -> "100000", 1e6 -> "1e+06",
// 12345678 -> "1.2345678e+07", 0.0001 -> "0.0001", 0.00001 -> "1e-05".
std::string go_float(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == 0) return std::signbit(v) ? "-0" : "0";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string sci(buf, res.ptr);  // "-d.ddde+XX"
  bool neg = sci[0] == '-';
  if (neg) sci.erase(0, 1);
  auto e = sci.find('e');
  std::string digits = sci.substr(0, e);
  int exp = std::stoi(sci.substr(e + 1));
  digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());
  int nd = static_cast<int>(digits.size());
  std::string out = neg ? "-" : "";
  if (exp < -4 || exp >= 6) {
    out += digits[0];
    if (nd > 1) out += "." + digits.substr(1);
    out += exp < 0 ? "e-" : "e+";
    int a = std::abs(exp);
    if (a < 10) out += "0";
    out += std::to_string(a);
    return out;
  }
  if (exp < 0) return out + "0." + std::string(static_cast<size_t>(-exp - 1), '0') + digits;
  if (nd <= exp + 1) return out + digits + std::string(static_cast<size_t>(exp + 1 - nd), '0');
  return out + digits.substr(0, static_cast<size_t>(exp + 1)) + "." + digits.substr(static_cast<size_t>(exp + 1));
}

std::string go_sprint(const json& v) {
  switch (v.type()) {
    case json::value_t::null:
      return "<nil>";
    case json::value_t::string:
      return v.get<std::string>();
    case json::value_t::boolean:
      return v.get<bool>() ? "true" : "false";
    case json::value_t::number_float:
      return go_float(v.get<double>());
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return v.dump();
    case json::value_t::array: {
      std::string out = "[";
      for (size_t i = 0; i < v.size(); ++i) out += (i ? " " : "") + go_sprint(v[i]);
      return out + "]";
    }
    case json::value_t::object: {
      std::string out = "map[";
      bool first = true;
      for (const auto& [k, item] : v.items()) {  // nlohmann keeps keys sorted, as fmt prints them
        out += (first ? "" : " ") + k + ":" + go_sprint(item);
        first = false;
      }
      return out + "]";
    }
    default:
      throw TemplateError("cannot print a value of type " + std::string(v.type_name()));
  }
}

std::string go_quote(const std::string& s) {
  static const char* hex = "0123456789abcdef";
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\a': out += "\\a"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\v': out += "\\v"; break;
      default:
        if (c >= 0x80) throw TemplateError("quoting non-ASCII text is not modelled");
        if (c < 0x20 || c == 0x7f) {
          out += "\\x";
          out += hex[c >> 4];
          out += hex[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

namespace {

// One UTF-8 sequence at s[i]: its code point and length; an invalid byte is U+FFFD, length 1,
// as Go's decoder reports it.
std::pair<char32_t, size_t> decode_rune(const std::string& s, size_t i) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  if (c < 0x80) return {c, 1};
  size_t n = (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
  if (n == 0 || i + n > s.size()) return {0xFFFD, 1};
  char32_t r = c & (0x7F >> n);
  for (size_t k = 1; k < n; ++k) {
    if ((b(i + k) >> 6) != 0x2) return {0xFFFD, 1};
    r = (r << 6) | (b(i + k) & 0x3F);
  }
  return {r, n};
}

}  // namespace

// strings.ToLower (Unicode), then regexp [^-a-z0-9.] -> "-" per character (rune), then the
// first 253 bytes, then strings.Trim(name, "-."). Only two non-ASCII runes lower-case into
// ASCII letters (unicode.ToLower; strings.ToLower applies no special casing): KELVIN SIGN -> "k"
// and LATIN CAPITAL I WITH DOT ABOVE -> "i".
std::string sanitize_name(const std::string& name) {
  std::string out;
  for (size_t i = 0; i < name.size();) {
    auto [r, n] = decode_rune(name, i);
    i += n;
    if (r < 0x80) {
      char c = static_cast<char>(r >= 'A' && r <= 'Z' ? r + ('a' - 'A') : r);
      bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
      out += ok ? c : '-';
    } else if (r == 0x212A) {
      out += 'k';
    } else if (r == 0x0130) {
      out += 'i';
    } else {
      out += '-';
    }
  }
  if (out.size() > 253) out.resize(253);
  size_t b = out.find_first_not_of("-."), e = out.find_last_not_of("-.");
  return b == std::string::npos ? "" : out.substr(b, e - b + 1);
}

namespace {

bool shell_special(char c) { return std::string_view("*#$@!?-").find(c) != std::string_view::npos || (c >= '0' && c <= '9'); }
bool alnum_(char c) { return c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// os.getShellName: the name after '$' and how many bytes it spans ("" with w > 0: bad syntax).
std::pair<std::string, size_t> shell_name(const std::string& s, size_t at) {
  std::string_view v(s);
  v.remove_prefix(at);
  if (v[0] == '{') {
    if (v.size() > 2 && shell_special(v[1]) && v[2] == '}') return {std::string(v.substr(1, 1)), 3};
    for (size_t i = 1; i < v.size(); ++i)
      if (v[i] == '}') {
        if (i == 1) return {"", 2};
        return {std::string(v.substr(1, i - 1)), i + 1};
      }
    return {"", 1};
  }
  if (shell_special(v[0])) return {std::string(v.substr(0, 1)), 1};
  size_t i = 0;
  while (i < v.size() && alnum_(v[i])) ++i;
  return {std::string(v.substr(0, i)), i};
}

}  // namespace

// os.Expand (Go os/env.go): a '$' at the very end stays, "${}" and an unclosed "${" are
// eaten, '$' before a non-name character stays.
std::string go_os_expand(const std::string& s, const std::function<std::string(const std::string&)>& lookup) {
  std::string out;
  size_t i = 0;
  for (size_t j = 0; j < s.size(); ++j) {
    if (s[j] != '$' || j + 1 >= s.size()) continue;
    out.append(s, i, j - i);
    auto [name, w] = shell_name(s, j + 1);
    if (name.empty() && w > 0) {
      // bad syntax: eaten
    } else if (name.empty()) {
      out += '$';
    } else {
      out += name == "$" ? "$" : lookup(name);
    }
    j += w;
    i = j + 1;
  }
  out.append(s, std::min(i, s.size()), std::string::npos);
  return out;
}

}  // namespace ath::values_parity
