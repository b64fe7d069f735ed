#include "go_template.hpp"

#include <algorithm>
#include <cctype>
#include <functional>
#include <optional>
#include <unordered_map>

#include "yaml11.hpp"

namespace ath::values_parity {

namespace {

[[noreturn]] void fail(const std::string& message) { throw TemplateError(message); }
[[noreturn]] void unsupported(const std::string& what) {
  throw TemplateError(what + " is not modelled by tilt-values-parity (Argo CD's Go template may render it; check by hand)");
}

// ---- lexing (text/template/parse/lex.go) ----

enum class Tok { Text, Ident, Keyword, Field, Dot, Var, String, Number, Bool, Nil, Pipe, LParen, RParen, Declare, Assign, Comma, End };

struct Token {
  Tok type;
  std::string text;  // decoded for strings; the name without '.' for fields
  bool space_before = false;
};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

const char* const kKeywords[] = {"if", "else", "end", "range", "with", "define", "template", "block", "break", "continue"};

// Go string literal -> its bytes, for the escapes JSON shares with Go; others are not modelled.
std::string decode_go_string(const std::string& quoted) {
  for (size_t i = 1; i + 1 < quoted.size(); ++i)
    if (quoted[i] == '\\') {
      char e = quoted[i + 1];
      if (std::string_view("\"\\/bfnrt").find(e) == std::string_view::npos) unsupported("the string escape \\" + std::string(1, e));
      ++i;
    }
  try {
    return json::parse(quoted).get<std::string>();
  } catch (const json::exception&) {
    fail("bad string literal " + quoted);
  }
}

// Splits a template into tokens: Text, and for every action its tokens followed by End.
// Trim markers are applied here; comments produce nothing.
std::vector<Token> lex(const std::string& s) {
  std::vector<Token> out;
  size_t i = 0;
  bool trim_next_text = false;
  auto add_text = [&](std::string text) {
    if (trim_next_text) {
      size_t b = 0;
      while (b < text.size() && is_space(text[b])) ++b;
      text.erase(0, b);
    }
    trim_next_text = false;
    if (!text.empty()) out.push_back({Tok::Text, std::move(text)});
  };
  while (i < s.size()) {
    size_t open = s.find("{{", i);
    if (open == std::string::npos) {
      add_text(s.substr(i));
      break;
    }
    std::string text = s.substr(i, open - i);
    size_t p = open + 2;
    if (p + 1 < s.size() && s[p] == '-' && is_space(s[p + 1])) {
      text.erase(text.find_last_not_of(" \t\r\n") + 1);
      p += 2;
    }
    add_text(std::move(text));
    auto close_at = [&](size_t at) -> std::optional<size_t> {  // end of "}}" or " -}}" starting at `at`
      if (s.compare(at, 2, "}}") == 0) return at + 2;
      if (at + 3 < s.size() && is_space(s[at]) && s.compare(at + 1, 3, "-}}") == 0) {
        trim_next_text = true;
        return at + 4;
      }
      return std::nullopt;
    };
    if (s.compare(p, 2, "/*") == 0) {
      size_t end = s.find("*/", p + 2);
      if (end == std::string::npos) fail("unclosed comment");
      auto after = close_at(end + 2);
      if (!after) fail("comment ends before closing delimiter");
      i = *after;
      continue;
    }
    bool space = true;
    while (true) {
      if (p >= s.size()) fail("unclosed action");
      if (auto after = close_at(p)) {
        out.push_back({Tok::End, ""});
        i = *after;
        break;
      }
      char c = s[p];
      if (is_space(c)) {
        space = true;
        ++p;
        continue;
      }
      Token t{Tok::Text, "", space};
      space = false;
      if (c == '"' || c == '`') {
        size_t j = p + 1;
        while (j < s.size() && s[j] != c) {
          if (c == '"' && s[j] == '\\') ++j;
          if (c == '"' && j < s.size() && s[j] == '\n') fail("unterminated quoted string");
          ++j;
        }
        if (j >= s.size()) fail("unterminated string in action");
        t.type = Tok::String;
        t.text = c == '"' ? decode_go_string(s.substr(p, j - p + 1)) : s.substr(p + 1, j - p - 1);
        p = j + 1;
      } else if (c == '\'') {
        unsupported("a character constant");
      } else if (c == '|') {
        t.type = Tok::Pipe, ++p;
      } else if (c == '(') {
        t.type = Tok::LParen, ++p;
      } else if (c == ')') {
        t.type = Tok::RParen, ++p;
      } else if (c == ',') {
        t.type = Tok::Comma, ++p;
      } else if (c == ':' && p + 1 < s.size() && s[p + 1] == '=') {
        t.type = Tok::Declare, p += 2;
      } else if (c == '=') {
        t.type = Tok::Assign, ++p;
      } else if (c == '.' && (p + 1 >= s.size() || !ident_char(s[p + 1]) || std::isdigit(static_cast<unsigned char>(s[p + 1])))) {
        if (p + 1 < s.size() && std::isdigit(static_cast<unsigned char>(s[p + 1]))) unsupported("a number starting with '.'");
        t.type = Tok::Dot, ++p;
      } else if (c == '.' || c == '$') {
        size_t j = p + 1;
        while (j < s.size() && ident_char(s[j])) ++j;
        t.type = c == '.' ? Tok::Field : Tok::Var;
        t.text = s.substr(c == '.' ? p + 1 : p, j - (c == '.' ? p + 1 : p));
        p = j;
      } else if (std::isdigit(static_cast<unsigned char>(c)) || ((c == '-' || c == '+') && p + 1 < s.size() &&
                                                                  std::isdigit(static_cast<unsigned char>(s[p + 1])))) {
        size_t j = p + 1;
        while (j < s.size() && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '.' || s[j] == '_' ||
                                ((s[j] == '-' || s[j] == '+') && (s[j - 1] == 'e' || s[j - 1] == 'E'))))
          ++j;
        t.type = Tok::Number;
        t.text = s.substr(p, j - p);
        p = j;
      } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
        size_t j = p;
        while (j < s.size() && ident_char(s[j])) ++j;
        t.text = s.substr(p, j - p);
        t.type = t.text == "true" || t.text == "false" ? Tok::Bool : t.text == "nil" ? Tok::Nil : Tok::Ident;
        for (auto* k : kKeywords)
          if (t.text == k) t.type = Tok::Keyword;
        p = j;
      } else {
        fail(std::string("unexpected character '") + c + "' in action");
      }
      out.push_back(std::move(t));
    }
  }
  return out;
}

}  // namespace

// ---- parse tree (text/template/parse/node.go, reduced) ----

struct Pipeline;

struct Operand {
  enum Kind { Field, Var, Dot, Literal, Nil, Func, Sub } kind = Literal;
  std::vector<std::string> fields;  // Field: the chain; Var/Sub: fields after it
  std::string name;                 // Var: "$x"; Func: the function
  json literal;
  std::shared_ptr<Pipeline> sub;    // Sub: (pipeline)
};

struct Command {
  std::vector<Operand> args;
};

struct Pipeline {
  std::vector<std::string> decl;
  bool assign = false;  // `=` rather than `:=`
  std::vector<Command> cmds;
};

struct Node;
using List = std::vector<Node>;

struct Node {
  enum Kind { Text, Action, If, With, Range } kind = Text;
  std::string text;
  Pipeline pipe;
  List list, else_list;
};

struct GoTemplateTree {
  List root;
};

namespace {

const char* const kFunctions[] = {"and", "or", "not", "eq", "ne", "index", "printf", "default", "lower", "upper",
                                  "trim", "replace", "quote", "toYaml", "normalize"};

class Parser {
 public:
  explicit Parser(std::vector<Token> toks) : t_(std::move(toks)) {}

  List parse_all() {
    auto [list, stop] = parse_list();
    if (!stop.empty()) fail("unexpected {{" + stop + "}}");
    return list;
  }

 private:
  std::vector<Token> t_;
  size_t i_ = 0;

  const Token& peek() const {
    static const Token eof{Tok::End, "<eof>"};
    return i_ < t_.size() ? t_[i_] : eof;
  }
  Token next() {
    if (i_ >= t_.size()) fail("unexpected end of template");
    return t_[i_++];
  }
  void expect(Tok type, const char* what) {
    if (next().type != type) fail(std::string("expected ") + what);
  }

  // Parses nodes until {{end}} or {{else}} (returned as the stop word, consumed) or the end.
  std::pair<List, std::string> parse_list() {
    List list;
    while (i_ < t_.size()) {
      Token tok = next();
      if (tok.type == Tok::Text) {
        list.push_back({Node::Text, tok.text, {}, {}, {}});
        continue;
      }
      --i_;
      if (peek().type == Tok::Keyword) {
        std::string kw = next().text;
        if (kw == "end") {
          expect(Tok::End, "}} after end");
          return {std::move(list), "end"};
        }
        if (kw == "else") return {std::move(list), "else"};
        if (kw == "if" || kw == "with" || kw == "range") {
          list.push_back(parse_control(kw));
          continue;
        }
        unsupported("{{" + kw + "}}");
      }
      Node n{Node::Action, "", parse_pipeline(true), {}, {}};
      expect(Tok::End, "}}");
      list.push_back(std::move(n));
    }
    return {std::move(list), ""};
  }

  Node parse_control(const std::string& kw) {
    Node n;
    n.kind = kw == "if" ? Node::If : kw == "with" ? Node::With : Node::Range;
    n.pipe = parse_pipeline(true);
    if (n.kind != Node::Range && n.pipe.decl.size() > 1) fail("too many declarations in " + kw);
    expect(Tok::End, "}}");
    auto [list, stop] = parse_list();
    n.list = std::move(list);
    if (stop.empty()) fail("missing {{end}} for {{" + kw + "}}");
    if (stop == "else") {
      if (peek().type == Tok::Keyword && peek().text == "if" && n.kind == Node::If) {
        next();
        n.else_list.push_back(parse_control("if"));  // {{else if}} ends with the outer {{end}}
        return n;
      }
      if (peek().type == Tok::Keyword) unsupported("{{else " + peek().text + "}}");
      expect(Tok::End, "}} after else");
      auto [else_list, stop2] = parse_list();
      if (stop2 != "end") fail("missing {{end}} after {{else}}");
      n.else_list = std::move(else_list);
    }
    return n;
  }

  Pipeline parse_pipeline(bool allow_decl) {
    Pipeline p;
    if (allow_decl && peek().type == Tok::Var) {
      size_t save = i_;
      std::vector<std::string> vars{next().text};
      if (peek().type == Tok::Comma) {
        next();
        if (peek().type != Tok::Var) fail("expected a variable after ','");
        vars.push_back(next().text);
      }
      if (peek().type == Tok::Declare || peek().type == Tok::Assign) {
        p.assign = next().type == Tok::Assign;
        p.decl = vars;
      } else {
        i_ = save;
      }
    }
    while (true) {
      Command c;
      while (peek().type != Tok::Pipe && peek().type != Tok::End && peek().type != Tok::RParen) c.args.push_back(operand());
      if (c.args.empty()) fail("missing command in pipeline");
      p.cmds.push_back(std::move(c));
      if (peek().type != Tok::Pipe) break;
      next();
    }
    return p;
  }

  Operand operand() {
    Token tok = next();
    Operand o;
    switch (tok.type) {
      case Tok::Field:
        o.kind = Operand::Field;
        o.fields.push_back(tok.text);
        break;
      case Tok::Var:
        o.kind = Operand::Var;
        o.name = tok.text;
        break;
      case Tok::Dot:
        o.kind = Operand::Dot;
        break;
      case Tok::Nil:
        o.kind = Operand::Nil;
        break;
      case Tok::Bool:
        o.literal = tok.text == "true";
        break;
      case Tok::String:
        o.literal = tok.text;
        break;
      case Tok::Number:
        o.literal = number(tok.text);
        break;
      case Tok::Ident:
        if (std::find(std::begin(kFunctions), std::end(kFunctions), tok.text) == std::end(kFunctions))
          unsupported("the function '" + tok.text + "'");
        o.kind = Operand::Func;
        o.name = tok.text;
        break;
      case Tok::LParen:
        o.kind = Operand::Sub;
        o.sub = std::make_shared<Pipeline>(parse_pipeline(false));
        expect(Tok::RParen, "')'");
        break;
      default:
        fail("unexpected '" + tok.text + "' in command");
    }
    // A field glued to the operand continues it: .a.b, $x.a, (pipeline).a
    while (peek().type == Tok::Field && !peek().space_before) {
      if (o.kind == Operand::Literal || o.kind == Operand::Nil || o.kind == Operand::Func || o.kind == Operand::Dot)
        fail("unexpected field after a " + std::string(o.kind == Operand::Func ? "function" : "literal"));
      o.fields.push_back(next().text);
    }
    return o;
  }

  static json number(const std::string& text) {
    bool is_float = text.find_first_of(".eE") != std::string::npos;
    size_t start = (text[0] == '-' || text[0] == '+') ? 1 : 0;
    bool plain_digits = std::all_of(text.begin() + static_cast<long>(start), text.end(), [](char c) {
      return std::isdigit(static_cast<unsigned char>(c));
    });
    try {
      if (!is_float && plain_digits && text.size() - start < 19) return std::stoll(text);
      if (is_float && text.find_first_of("xXpP_") == std::string::npos) return std::stod(text);
    } catch (const std::exception&) {
    }
    unsupported("the number literal " + text);
  }
};

// ---- values ----

// A template value: invalid (Go's "no value", e.g. a missing key) or a JSON value that is
// either referenced in the data or owned. JSON null is Go's nil interface.
struct Val {
  std::shared_ptr<const json> owner;
  const json* ref = nullptr;

  bool valid() const { return ref != nullptr; }
  const json& get() const { return *ref; }
  static Val invalid() { return {}; }
  static Val of(const json& j) { return {nullptr, &j}; }
  static Val own(json j) {
    auto p = std::make_shared<const json>(std::move(j));
    return {p, p.get()};
  }
  Val child(const json& sub) const { return {owner, &sub}; }
};

bool truth(const Val& v) {
  if (!v.valid()) return false;
  const json& j = v.get();
  switch (j.type()) {
    case json::value_t::null: return false;
    case json::value_t::boolean: return j.get<bool>();
    case json::value_t::string: return !j.get_ref<const std::string&>().empty();
    case json::value_t::number_float: return j.get<double>() != 0;
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: return j.get<long long>() != 0;
    case json::value_t::array:
    case json::value_t::object: return !j.empty();
    default: return true;
  }
}

// sprig's empty(): nil, "", false, 0 and empty collections.
bool sprig_empty(const Val& v) { return !truth(v); }

std::string print_value(const Val& v) {
  if (!v.valid() || v.get().is_null()) return "<no value>";
  return go_sprint(v.get());
}

const std::string& want_string(const Val& v, const std::string& fn) {
  if (!v.valid()) fail(fn + ": invalid value; expected string");
  if (!v.get().is_string()) fail(fn + ": wrong type for value; expected string; got " + std::string(v.get().type_name()));
  return v.get().get_ref<const std::string&>();
}

// A reflect.Value parameter (eq, and, not, index, ...): "no value" arrives as the zero
// Value, which the builtins treat like nil (exec.go validateType/canBeNil).
const json& want_value(const Val& v, const std::string&) {
  static const json null_value;
  return v.valid() ? v.get() : null_value;
}

bool ascii(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

// Go's eq for one pair: same basic kind compares, nil against a non-nil value is false,
// mixed kinds (int literal vs float64 from YAML) are an error, as are maps and lists.
bool go_equal(const json& a, const json& b) {
  auto kind = [](const json& j) -> int {
    if (j.is_null()) return 0;
    if (j.is_boolean()) return 1;
    if (j.is_number_integer() || j.is_number_unsigned()) return 2;
    if (j.is_number_float()) return 3;
    if (j.is_string()) return 4;
    return -1;
  };
  int ka = kind(a), kb = kind(b);
  if (ka < 0 || kb < 0) fail("eq: non-comparable type " + std::string(ka < 0 ? a.type_name() : b.type_name()));
  if (ka == 0 || kb == 0) return ka == kb;
  if (ka != kb) fail("eq: incompatible types for comparison");
  return a == b;
}

// toYaml (sigs.k8s.io/yaml.Marshal, trailing newline cut) for what it emits plainly: scalars
// and flat maps/lists of scalars whose text needs no quoting beyond YAML 1.1's typed words.
std::string yaml_scalar(const json& v) {
  if (v.is_null()) return "null";
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number_integer()) return v.dump();
  if (v.is_number_float()) {
    double d = v.get<double>();
    if (d == static_cast<double>(static_cast<long long>(d)) && std::abs(d) < 1e15) return std::to_string(static_cast<long long>(d));
    unsupported("toYaml of the number " + go_float(d));
  }
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    bool simple = !s.empty() && std::isalnum(static_cast<unsigned char>(s[0])) &&
                  std::all_of(s.begin(), s.end(), [](char c) {
                    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == '/';
                  });
    if (!simple) unsupported("toYaml of the text '" + s + "'");
    // yaml.v2 double-quotes a string that would resolve to another type, a date included.
    return yaml11_marshal_quotes(s) ? "\"" + s + "\"" : s;
  }
  unsupported("toYaml of a nested collection");
}

std::string to_yaml(const json& v) {
  if (v.is_object()) {
    if (v.empty()) return "{}";
    std::string out;
    for (const auto& [k, item] : v.items()) out += (out.empty() ? "" : "\n") + yaml_scalar(k) + ": " + yaml_scalar(item);
    return out;
  }
  if (v.is_array()) {
    if (v.empty()) return "[]";
    std::string out;
    for (const auto& item : v) out += (out.empty() ? "" : "\n") + std::string("- ") + yaml_scalar(item);
    return out;
  }
  return yaml_scalar(v);
}

// fmt.Sprintf for the verbs templates use with the types Go prints plainly.
std::string go_printf(const std::string& format, const std::vector<Val>& args) {
  std::string out;
  size_t next = 0;
  for (size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%') {
      out += format[i];
      continue;
    }
    if (++i >= format.size()) unsupported("printf with a trailing %");
    char verb = format[i];
    if (verb == '%') {
      out += '%';
      continue;
    }
    if (next >= args.size()) unsupported("printf with fewer arguments than verbs");
    const Val& a = args[next++];
    const json& j = a.valid() ? a.get() : json(nullptr);
    if (verb == 'v') out += j.is_null() ? "<nil>" : go_sprint(j);
    else if (verb == 's' && j.is_string()) out += j.get<std::string>();
    else if (verb == 'd' && (j.is_number_integer() || j.is_number_unsigned())) out += j.dump();
    else if (verb == 'q' && j.is_string()) out += go_quote(j.get<std::string>());
    else unsupported(std::string("printf %") + verb + " of a " + (j.is_null() ? "nil" : j.type_name()) + " value");
  }
  if (next != args.size()) unsupported("printf with more arguments than verbs");
  return out;
}

// ---- execution (text/template/exec.go) ----

class Exec {
 public:
  Exec(const json& data, GoTemplateOptions opt) : data_(data), opt_(opt) { vars_.push_back({"$", Val::of(data_)}); }

  void walk(const List& list, const Val& dot, std::string& out) {
    for (const auto& n : list) {
      switch (n.kind) {
        case Node::Text: out += n.text; break;
        case Node::Action: {
          size_t mark = vars_.size();
          Val v = pipeline(n.pipe, dot);
          if (n.pipe.decl.empty()) out += print_value(v);
          else (void)mark;  // a declaration in an action lives until the end of the enclosing list
          break;
        }
        case Node::If:
        case Node::With: {
          size_t mark = vars_.size();
          Val v = pipeline(n.pipe, dot);
          if (truth(v)) walk(n.list, n.kind == Node::With ? v : dot, out);
          else walk(n.else_list, dot, out);
          vars_.resize(mark);
          break;
        }
        case Node::Range: range(n, dot, out); break;
      }
    }
  }

  // Variables declared in a list end with it.
  void walk_scoped(const List& list, const Val& dot, std::string& out) {
    size_t mark = vars_.size();
    walk(list, dot, out);
    vars_.resize(mark);
  }

 private:
  const json& data_;
  GoTemplateOptions opt_;
  std::vector<std::pair<std::string, Val>> vars_;

  void range(const Node& n, const Val& dot, std::string& out) {
    size_t mark = vars_.size();
    Pipeline head = n.pipe;
    auto decl = head.decl;
    head.decl.clear();
    Val v = pipeline(head, dot);
    auto body = [&](const Val& key, const Val& elem) {
      if (decl.size() == 1) vars_.push_back({decl[0], elem});
      if (decl.size() == 2) {
        vars_.push_back({decl[0], key});
        vars_.push_back({decl[1], elem});
      }
      walk_scoped(n.list, elem, out);
      vars_.resize(mark);
    };
    size_t count = 0;
    if (v.valid() && v.get().is_array()) {
      for (size_t i = 0; i < v.get().size(); ++i, ++count) body(Val::own(static_cast<long long>(i)), v.child(v.get()[i]));
    } else if (v.valid() && v.get().is_object()) {
      for (const auto& [k, item] : v.get().items()) {
        body(Val::own(k), v.child(item));
        ++count;
      }
    } else if (v.valid() && !v.get().is_null()) {
      fail("range can't iterate over " + print_value(v));
    }
    if (count == 0) walk_scoped(n.else_list, dot, out);
    vars_.resize(mark);
  }

  Val lookup_var(const std::string& name) {
    for (auto it = vars_.rbegin(); it != vars_.rend(); ++it)
      if (it->first == name) return it->second;
    fail("undefined variable: " + name);
  }

  Val pipeline(const Pipeline& p, const Val& dot) {
    Val value;
    bool have = false;
    for (const auto& c : p.cmds) {
      value = command(c, dot, have ? &value : nullptr);
      have = true;
    }
    // exec.go evalPipeline: an interface holding nil becomes "no value" at the pipeline's end.
    if (value.valid() && value.get().is_null()) value = Val::invalid();
    if (!p.decl.empty()) {
      if (p.assign) {
        for (auto it = vars_.rbegin(); it != vars_.rend(); ++it)
          if (it->first == p.decl[0]) {
            it->second = value;
            return value;
          }
        fail("undefined variable: " + p.decl[0]);
      }
      vars_.push_back({p.decl[0], value});
    }
    return value;
  }

  Val field(const Val& receiver, const std::string& name) {
    if (!receiver.valid()) {
      if (opt_.missing_key == MissingKey::Error) fail("nil data; no entry for key \"" + name + "\"");
      return Val::invalid();
    }
    const json& r = receiver.get();
    if (r.is_null()) fail("nil pointer evaluating interface {}." + name);
    if (!r.is_object()) fail("can't evaluate field " + name + " in type " + r.type_name());
    auto it = r.find(name);
    if (it != r.end()) return receiver.child(*it);
    if (opt_.missing_key == MissingKey::Error) fail("map has no entry for key \"" + name + "\"");
    if (opt_.missing_key == MissingKey::Zero) return Val::own(nullptr);
    return Val::invalid();
  }

  Val chain(Val v, const std::vector<std::string>& fields) {
    for (const auto& f : fields) v = field(v, f);
    return v;
  }

  // An operand as an argument or a command's head (not a function).
  Val operand(const Operand& o, const Val& dot) {
    switch (o.kind) {
      case Operand::Field: return chain(dot, o.fields);
      case Operand::Var: return chain(lookup_var(o.name), o.fields);
      case Operand::Dot: return dot;
      case Operand::Nil: return Val::own(nullptr);
      case Operand::Literal: return Val::of(o.literal);
      case Operand::Sub: return chain(pipeline(*o.sub, dot), o.fields);
      case Operand::Func: return call(o.name, {}, dot, nullptr);
    }
    fail("bad operand");
  }

  Val command(const Command& c, const Val& dot, const Val* final) {
    const Operand& head = c.args[0];
    if (head.kind == Operand::Func) {
      std::vector<const Operand*> args;
      for (size_t i = 1; i < c.args.size(); ++i) args.push_back(&c.args[i]);
      return call(head.name, args, dot, final);
    }
    if (c.args.size() > 1 || final) {
      if (head.kind == Operand::Field || head.kind == Operand::Var || head.kind == Operand::Sub)
        fail("field or variable is not a method but has arguments");
      fail("can't give argument to non-function");
    }
    if (head.kind == Operand::Nil) fail("nil is not a command");
    return operand(head, dot);
  }

  Val call(const std::string& fn, const std::vector<const Operand*>& ops, const Val& dot, const Val* final) {
    size_t n = ops.size() + (final ? 1 : 0);
    auto arg = [&](size_t i) -> Val { return i < ops.size() ? operand(*ops[i], dot) : *final; };
    auto arity = [&](size_t lo, size_t hi) {
      if (n < lo || n > hi) fail("wrong number of args for " + fn + ": got " + std::to_string(n));
    };
    if (fn == "and" || fn == "or") {
      arity(1, SIZE_MAX);
      Val v;
      for (size_t i = 0; i < n; ++i) {
        v = arg(i);
        want_value(v, fn);
        if (truth(v) == (fn == "or")) return v;
      }
      return v;
    }
    std::vector<Val> a;
    for (size_t i = 0; i < n; ++i) a.push_back(arg(i));
    if (fn == "not") {
      arity(1, 1);
      return Val::own(!truth(Val::of(want_value(a[0], fn))));
    }
    if (fn == "eq" || fn == "ne") {
      arity(2, fn == "ne" ? 2 : SIZE_MAX);
      const json& first = want_value(a[0], fn);
      bool any = false;
      for (size_t i = 1; i < n; ++i) any = go_equal(first, want_value(a[i], fn)) || any;
      return Val::own(fn == "eq" ? any : !any);
    }
    if (fn == "index") {
      arity(1, SIZE_MAX);
      Val item = a[0];
      if (!item.valid() || item.get().is_null()) fail("index of untyped nil");
      for (size_t i = 1; i < n; ++i) {
        const json& k = want_value(a[i], fn);
        if (!item.valid() || item.get().is_null()) fail("index of nil pointer");
        const json& cur = item.get();
        if (cur.is_array()) {
          if (!k.is_number_integer()) fail("cannot index slice/array with type " + std::string(k.type_name()));
          long long x = k.get<long long>();
          if (x < 0 || static_cast<size_t>(x) >= cur.size()) fail("index out of range: " + std::to_string(x));
          item = item.child(cur[static_cast<size_t>(x)]);
        } else if (cur.is_object()) {
          if (!k.is_string()) fail("value has type " + std::string(k.type_name()) + "; should be string");
          auto it = cur.find(k.get<std::string>());
          item = it == cur.end() ? Val::own(nullptr) : item.child(*it);
        } else if (cur.is_string()) {
          unsupported("index of a string");
        } else {
          fail("can't index item of type " + std::string(cur.type_name()));
        }
      }
      return item;
    }
    if (fn == "printf") {
      arity(1, SIZE_MAX);
      std::string format = want_string(a[0], fn);
      return Val::own(go_printf(format, std::vector<Val>(a.begin() + 1, a.end())));
    }
    if (fn == "default") {
      arity(1, SIZE_MAX);
      if (n == 1 || sprig_empty(a[1])) return a[0].valid() ? a[0] : Val::own(nullptr);
      return a[1];
    }
    if (fn == "lower" || fn == "upper" || fn == "trim" || fn == "normalize") {
      arity(1, 1);
      std::string s = want_string(a[0], fn);
      if (fn == "normalize") return Val::own(sanitize_name(s));
      if (!ascii(s)) unsupported(fn + " of non-ASCII text");
      if (fn == "lower") std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
      if (fn == "upper") std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
      if (fn == "trim") {
        size_t b = s.find_first_not_of(" \t\n\v\f\r"), e = s.find_last_not_of(" \t\n\v\f\r");
        s = b == std::string::npos ? "" : s.substr(b, e - b + 1);
      }
      return Val::own(s);
    }
    if (fn == "replace") {
      arity(3, 3);
      std::string from = want_string(a[0], fn), to = want_string(a[1], fn), s = want_string(a[2], fn);
      if (from.empty()) unsupported("replace of an empty string");
      for (size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size())) s.replace(p, from.size(), to);
      return Val::own(s);
    }
    if (fn == "quote") {
      std::string out;
      for (const auto& v : a) {
        if (!v.valid() || v.get().is_null()) continue;
        out += (out.empty() ? "" : " ") + go_quote(go_sprint(v.get()));
      }
      return Val::own(out);
    }
    if (fn == "toYaml") {
      arity(1, 1);
      return Val::own(to_yaml(a[0].valid() ? a[0].get() : json(nullptr)));
    }
    unsupported("the function '" + fn + "'");
  }
};

}  // namespace

GoTemplateOptions parse_go_template_options(const json& options) {
  GoTemplateOptions out;
  if (options.is_null()) return out;
  if (!options.is_array()) fail("goTemplateOptions must be a list");
  for (const auto& o : options) {
    std::string s = o.is_string() ? o.get<std::string>() : o.dump();
    if (s == "missingkey=default" || s == "missingkey=invalid") out.missing_key = MissingKey::Default;
    else if (s == "missingkey=zero") out.missing_key = MissingKey::Zero;
    else if (s == "missingkey=error") out.missing_key = MissingKey::Error;
    else fail("unrecognized goTemplateOptions entry '" + s + "' (text/template panics on it)");
  }
  return out;
}

std::shared_ptr<const GoTemplateTree> parse_go_template(const std::string& text) {
  auto tree = std::make_shared<GoTemplateTree>();
  tree->root = Parser(lex(text)).parse_all();
  return tree;
}

std::string execute_go_template(const GoTemplateTree& tree, const json& data, const GoTemplateOptions& options) {
  std::string out;
  Exec(data, options).walk(tree.root, Val::of(data), out);
  return out;
}

std::string render_go_template(const std::string& text, const json& data, const GoTemplateOptions& options) {
  // Every app renders the same few template strings: parse each once.
  thread_local std::unordered_map<std::string, std::shared_ptr<const GoTemplateTree>> cache;
  auto it = cache.find(text);
  if (it == cache.end()) {
    if (cache.size() > 4096) cache.clear();
    it = cache.emplace(text, parse_go_template(text)).first;
  }
  return execute_go_template(*it->second, data, options);
}

std::string render_fasttemplate(const std::string& text, const std::map<std::string, std::string>& params) {
  // utils.go:398 isTemplatedRegex ".*{{.*}}.*": a line holding "{{" and later "}}".
  bool templated = false;
  for (size_t start = 0; start <= text.size() && !templated;) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    size_t open = text.find("{{", start);
    templated = open != std::string::npos && open < end && text.find("}}", open + 2) != std::string::npos &&
                text.find("}}", open + 2) + 2 <= end;
    start = end + 1;
  }
  if (!templated) return text;
  std::string out;
  size_t i = 0;
  while (true) {
    size_t open = text.find("{{", i);
    if (open == std::string::npos) return out + text.substr(i);
    size_t close = text.find("}}", open + 2);
    if (close == std::string::npos) fail("invalid template: cannot find end tag \"}}\"");
    out += text.substr(i, open - i);
    std::string tag = text.substr(open + 2, close - open - 2);
    size_t b = tag.find_first_not_of(" \t\n\v\f\r"), e = tag.find_last_not_of(" \t\n\v\f\r");
    std::string trimmed = b == std::string::npos ? "" : tag.substr(b, e - b + 1);
    if (!ascii(tag)) unsupported("a fasttemplate tag with non-ASCII text");
    auto it = params.find(trimmed);
    out += trimmed.empty() || it == params.end() ? "{{" + tag + "}}" : it->second;
    i = close + 2;
  }
}

}  // namespace ath::values_parity
