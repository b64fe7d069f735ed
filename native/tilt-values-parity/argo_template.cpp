#include "argo_template.hpp"

#include <algorithm>
#include <cctype>
#include <initializer_list>
#include <optional>

#include "core/yaml_json.hpp"
#include "files.hpp"

namespace tvp {

namespace {

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n"), e = s.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

// Splits an action into words and string literals; '|' is its own word.
std::vector<std::string> tokenize(const std::string& action) {
  std::vector<std::string> words;
  for (size_t i = 0; i < action.size();) {
    char c = action[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (c == '|') {
      words.emplace_back("|");
      ++i;
    } else if (c == '"' || c == '`') {
      size_t j = i + 1;
      while (j < action.size() && action[j] != c) j += (c == '"' && action[j] == '\\') ? 2 : 1;
      if (j >= action.size()) throw TemplateError("unterminated string in {{" + action + "}}");
      words.push_back(action.substr(i, j - i + 1));
      i = j + 1;
    } else {
      size_t j = i;
      while (j < action.size() && !std::isspace(static_cast<unsigned char>(action[j])) && action[j] != '|') ++j;
      words.push_back(action.substr(i, j - i));
      i = j;
    }
  }
  return words;
}

json field(const json& params, const std::string& chain, const std::string& action) {
  const json* cur = &params;
  size_t start = 1;
  while (start < chain.size()) {
    size_t end = chain.find('.', start);
    if (end == std::string::npos) end = chain.size();
    std::string key = chain.substr(start, end - start);
    if (!cur->is_object() || !cur->contains(key))
      throw TemplateError("{{" + action + "}}: map has no entry for key \"" + key + "\"");
    cur = &(*cur)[key];
    start = end + 1;
  }
  return *cur;
}

json operand(const json& params, const std::string& word, const std::string& action) {
  if (word.empty()) throw TemplateError("empty operand in {{" + action + "}}");
  if (word[0] == '.') return field(params, word, action);
  if (word[0] == '"') {
    try {
      return json::parse(word);  // Go and JSON agree on the common escapes
    } catch (const json::exception&) {
      throw TemplateError("bad string literal " + word + " in {{" + action + "}}");
    }
  }
  if (word[0] == '`') return word.substr(1, word.size() - 2);
  if (std::all_of(word.begin(), word.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
    return std::stoll(word.size() > 18 ? word.substr(0, 18) : word);
  throw TemplateError("{{" + action + "}}: '" + word +
                      "' is not supported here (only .fields, literals, index, lower, upper, trim and quote)");
}

std::string to_text(const json& v, const std::string& action) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "<no value>";
  if (v.is_object() || v.is_array())
    throw TemplateError("{{" + action + "}} yields a " + std::string(v.is_object() ? "map" : "list") +
                        ", not text; reference one of its fields");
  return v.dump();
}

json call(const std::string& fn, const std::vector<json>& args, const std::string& action) {
  auto want = [&](size_t n) {
    if (args.size() != n)
      throw TemplateError("{{" + action + "}}: " + fn + " takes " + std::to_string(n) + " argument(s)");
  };
  if (fn == "index") {
    if (args.empty()) throw TemplateError("{{" + action + "}}: index needs a collection");
    json cur = args[0];
    for (size_t i = 1; i < args.size(); ++i) {
      const json& k = args[i];
      if (cur.is_array() && k.is_number_integer()) {
        auto n = k.get<long long>();
        if (n < 0 || static_cast<size_t>(n) >= cur.size())
          throw TemplateError("{{" + action + "}}: index " + std::to_string(n) + " out of range (" +
                              std::to_string(cur.size()) + " items)");
        cur = cur[static_cast<size_t>(n)];
      } else if (cur.is_object() && k.is_string()) {
        auto key = k.get<std::string>();
        if (!cur.contains(key)) throw TemplateError("{{" + action + "}}: map has no entry for key \"" + key + "\"");
        cur = cur[key];
      } else {
        throw TemplateError("{{" + action + "}}: cannot index " + std::string(cur.type_name()) + " with " +
                            k.type_name());
      }
    }
    return cur;
  }
  if (fn == "lower" || fn == "upper" || fn == "trim" || fn == "quote") {
    want(1);
    std::string s = to_text(args[0], action);
    if (fn == "lower") std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    if (fn == "upper") std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
    if (fn == "trim") s = trim(s);
    if (fn == "quote") s = json(s).dump();
    return s;
  }
  throw TemplateError("{{" + action + "}}: '" + fn +
                      "' is not supported by tilt-values-parity (only .fields, index, lower, upper, trim and quote)");
}

std::string eval_action(const std::string& action, const json& params) {
  if (action.rfind("/*", 0) == 0) return "";  // {{/* comment */}}
  auto words = tokenize(action);
  if (words.empty()) throw TemplateError("empty action {{}}");
  static const char* keywords[] = {"if", "else", "end", "range", "with", "define", "template", "block", "break", "continue"};
  for (auto* k : keywords)
    if (words[0] == k)
      throw TemplateError("{{" + action + "}}: control structures are not supported; use plain field references");
  if (words[0][0] == '$') throw TemplateError("{{" + action + "}}: template variables are not supported");
  json value;
  bool have = false;
  for (size_t i = 0; i < words.size();) {
    size_t j = i;
    while (j < words.size() && words[j] != "|") ++j;
    if (j == i) throw TemplateError("{{" + action + "}}: empty command in a pipeline");
    const std::string& head = words[i];
    std::vector<json> args;
    bool is_fn = head[0] != '.' && head[0] != '"' && head[0] != '`' && !std::isdigit(static_cast<unsigned char>(head[0]));
    for (size_t k = i + (is_fn ? 1 : 0); k < j; ++k) args.push_back(operand(params, words[k], action));
    if (have) args.push_back(value);
    if (is_fn) {
      value = call(head, args, action);
    } else {
      if (args.size() != 1) throw TemplateError("{{" + action + "}}: a value cannot take arguments");
      value = args[0];
    }
    have = true;
    i = j + 1;
  }
  return to_text(value, action);
}

// Sanitises a name the way the git generator's *Normalized parameters do.
std::string normalized(const std::string& s) {
  std::string out;
  for (unsigned char c : s) out += (std::isalnum(c) || c == '.' || c == '-') ? static_cast<char>(std::tolower(c)) : '-';
  return out;
}

json render_value(const json& v, const json& params, const std::string& pointer, std::vector<TemplateProblem>& problems) {
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    if (s.find("{{") == std::string::npos) return v;
    try {
      return render_template_string(s, params);
    } catch (const TemplateError& e) {
      problems.push_back({pointer, e.what()});
      return v;
    }
  }
  if (v.is_array()) {
    json out = json::array();
    for (size_t i = 0; i < v.size(); ++i) out.push_back(render_value(v[i], params, pointer + "/" + std::to_string(i), problems));
    return out;
  }
  if (v.is_object()) {
    json out = json::object();
    for (const auto& [k, item] : v.items()) {
      std::string key = k;
      if (key.find("{{") != std::string::npos) {
        try {
          key = render_template_string(k, params);
        } catch (const TemplateError& e) {
          problems.push_back({pointer, e.what()});
        }
      }
      out[key] = render_value(item, params, pointer + "/" + k, problems);
    }
    return out;
  }
  return v;
}

// The value under a chain of object keys, or null when any step is missing or not a map.
json at_path(const json& v, std::initializer_list<const char*> keys) {
  const json* cur = &v;
  for (const char* k : keys) {
    if (!cur->is_object() || !cur->contains(k)) return nullptr;
    cur = &(*cur)[k];
  }
  return *cur;
}

std::string str_at(const json& obj, const char* key) {
  if (!obj.is_object() || !obj.contains(key) || !obj[key].is_string()) return "";
  return obj[key].get<std::string>();
}

void extract_sources(ArgoApp& app) {
  const json& spec = app.application["spec"];
  json sources;
  std::string base;
  if (spec.contains("sources") && spec["sources"].is_array()) {
    sources = spec["sources"];
    base = "/spec/template/spec/sources/";
  } else if (spec.contains("source") && spec["source"].is_object()) {
    sources = json::array({spec["source"]});
    base = "/spec/template/spec/source";
  } else {
    app.problems.push_back({"/spec/template/spec", "the template has neither spec.source nor spec.sources"});
    return;
  }
  auto pointer_of = [&](size_t i) { return base.back() == '/' ? base + std::to_string(i) : base; };
  std::optional<size_t> chart_index;
  for (size_t i = 0; i < sources.size(); ++i) {
    const json& s = sources[i];
    if (s.is_object() && (s.contains("helm") || (s.contains("path") && !s.contains("ref")))) {
      chart_index = i;
      break;
    }
  }
  if (!chart_index) {
    app.problems.push_back({base.back() == '/' ? base.substr(0, base.size() - 1) : base,
                            "no source with a chart `path` (only ref sources or Helm repository charts)"});
    return;
  }
  const json& src = sources[*chart_index];
  app.source_pointer = pointer_of(*chart_index);
  auto chart = normalize_relative(str_at(src, "path"));
  if (!chart || chart->empty()) {
    app.problems.push_back({app.source_pointer + "/path",
                            "the chart source needs a repository-relative `path` (Helm repository charts are not supported)"});
    return;
  }
  app.chart = *chart;
  const json helm = at_path(src, {"helm"}).is_object() ? src["helm"] : json::object();
  app.release = str_at(helm, "releaseName");
  if (app.release.empty()) app.release = app.name;
  for (const char* k : {"values", "valuesObject", "parameters", "fileParameters"})
    if (helm.contains(k)) app.inline_values.push_back(k);
  if (!helm.contains("valueFiles")) return;
  if (!helm["valueFiles"].is_array()) {
    app.problems.push_back({app.source_pointer + "/helm/valueFiles", "helm.valueFiles must be a list"});
    return;
  }
  for (size_t i = 0; i < helm["valueFiles"].size(); ++i) {
    const json& vf = helm["valueFiles"][i];
    std::string ptr = app.source_pointer + "/helm/valueFiles/" + std::to_string(i);
    if (!vf.is_string()) {
      app.problems.push_back({ptr, "value file entries must be strings"});
      continue;
    }
    std::string v = vf.get<std::string>();
    std::optional<std::string> resolved;
    if (!v.empty() && v[0] == '$') {
      auto slash = v.find('/');
      std::string ref = v.substr(1, slash == std::string::npos ? std::string::npos : slash - 1);
      bool known = false;
      for (const auto& s : sources) known = known || str_at(s, "ref") == ref;
      if (!known || slash == std::string::npos) {
        app.problems.push_back({ptr, "'" + v + "' names $" + ref + ", but no source has `ref: " + ref + "`"});
        continue;
      }
      resolved = normalize_relative(v.substr(slash + 1));
    } else if (v.find("://") != std::string::npos) {
      app.problems.push_back({ptr, "'" + v + "' is a remote URL; Tilt cannot pass the same file to helm"});
      continue;
    } else {
      resolved = normalize_relative(app.chart + "/" + v);
    }
    if (!resolved) {
      app.problems.push_back({ptr, "'" + v + "' leaves the repository"});
      continue;
    }
    app.value_files.push_back(*resolved);
    app.value_file_pointers.push_back(ptr);
  }
}

}  // namespace

std::string render_template_string(const std::string& text, const json& params) {
  std::string out;
  size_t i = 0;
  while (true) {
    size_t open = text.find("{{", i);
    if (open == std::string::npos) {
      out.append(text, i, std::string::npos);
      return out;
    }
    std::string literal = text.substr(i, open - i);
    size_t p = open + 2;
    if (p + 1 < text.size() && text[p] == '-' && std::isspace(static_cast<unsigned char>(text[p + 1]))) {
      literal.erase(literal.find_last_not_of(" \t\r\n") + 1);
      ++p;
    }
    size_t close = text.find("}}", p);
    if (close == std::string::npos) throw TemplateError("unclosed action: '" + text.substr(open, 40) + "'");
    size_t end = close;
    bool trim_after = end >= p + 2 && text[end - 1] == '-' && std::isspace(static_cast<unsigned char>(text[end - 2]));
    if (trim_after) --end;
    out += literal;
    out += eval_action(trim(text.substr(p, end - p)), params);
    i = close + 2;
    if (trim_after)
      while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  }
}

json generator_params(const json& file_content, const std::string& file_path) {
  json params = file_content.is_object() ? file_content : json::object();
  auto slash = file_path.rfind('/');
  std::string dir = slash == std::string::npos ? "" : file_path.substr(0, slash);
  std::string filename = slash == std::string::npos ? file_path : file_path.substr(slash + 1);
  std::string basename = dir.substr(dir.rfind('/') == std::string::npos ? 0 : dir.rfind('/') + 1);
  json segments = json::array();
  size_t start = 0;
  while (start < dir.size()) {
    size_t end = dir.find('/', start);
    if (end == std::string::npos) end = dir.size();
    segments.push_back(dir.substr(start, end - start));
    start = end + 1;
  }
  params["path"] = {{"path", dir},
                    {"basename", basename},
                    {"filename", filename},
                    {"basenameNormalized", normalized(basename)},
                    {"filenameNormalized", normalized(filename)},
                    {"segments", segments}};
  return params;
}

std::vector<std::string> git_file_globs(const json& application_set) {
  std::vector<std::string> globs;
  const json gens = at_path(application_set, {"spec", "generators"});
  if (!gens.is_array()) return globs;
  for (const auto& g : gens) {
    if (!g.is_object() || !g.contains("git") || !g["git"].is_object()) continue;
    const json files = at_path(g, {"git", "files"});
    if (!files.is_array()) continue;
    for (const auto& f : files) {
      std::string p = str_at(f, "path");
      if (!p.empty() && at_path(f, {"exclude"}) != true) globs.push_back(p);
    }
  }
  return globs;
}

bool auto_sync_on(const json& sync_policy) {
  if (!sync_policy.is_object() || !sync_policy.contains("automated")) return false;
  const json& a = sync_policy["automated"];
  if (!a.is_object()) return false;
  return !(a.contains("enabled") && a["enabled"].is_boolean() && !a["enabled"].get<bool>());
}

ArgoApp render_application(const json& application_set, const json& params, PatchCache* cache) {
  ArgoApp app;
  const json spec = at_path(application_set, {"spec"});
  if (!spec.is_object() || !spec.contains("template") || !spec["template"].is_object()) {
    app.problems.push_back({"/spec", "the ApplicationSet has no spec.template"});
    return app;
  }
  app.application = render_value(spec["template"], params, "/spec/template", app.problems);
  if (spec.contains("templatePatch") && spec["templatePatch"].is_string()) {
    try {
      std::string text = render_template_string(spec["templatePatch"].get<std::string>(), params);
      ath::YamlDocument local;
      const ath::YamlDocument* doc = &local;
      if (cache) {
        auto it = cache->find(text);
        if (it == cache->end()) it = cache->emplace(text, ath::parse_yaml_document(text, "templatePatch")).first;
        doc = &it->second;
      } else {
        local = ath::parse_yaml_document(text, "templatePatch");
      }
      app.patch = doc->value;
      app.patch_positions = doc->positions;
      // The controller applies the patch as a strategic merge; for the maps a template holds,
      // a JSON merge patch gives the same result (a key set to null is removed).
      if (app.patch.is_object()) app.application.merge_patch(app.patch);
      else if (!app.patch.is_null()) app.problems.push_back({"/spec/templatePatch", "templatePatch must render to a YAML mapping"});
    } catch (const TemplateError& e) {
      app.problems.push_back({"/spec/templatePatch", e.what()});
    } catch (const ath::YamlError& e) {
      app.problems.push_back({"/spec/templatePatch", "templatePatch does not render to valid YAML: " + e.message()});
    }
  }
  if (!app.application.is_object()) app.application = json::object();
  auto text_at = [&](std::initializer_list<const char*> keys) {
    json v = at_path(app.application, keys);
    return v.is_string() ? v.get<std::string>() : std::string();
  };
  app.name = text_at({"metadata", "name"});
  app.namespace_ = text_at({"spec", "destination", "namespace"});
  if (!app.application.contains("spec") || !app.application["spec"].is_object()) {
    app.problems.push_back({"/spec/template", "the template has no spec"});
    return app;
  }
  extract_sources(app);
  return app;
}

}  // namespace tvp
