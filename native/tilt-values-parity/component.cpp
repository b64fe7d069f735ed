#include "component.hpp"

#include <set>

#include "core/names.hpp"

namespace ath::values_parity {

namespace {

struct Reader {
  const LoadedFile& file;
  std::vector<Finding>& findings;
  std::string app;
  std::string base;  // pointer of the list item, "" for a mapping file
  bool ok = true;

  void report(const std::string& rule, const std::string& pointer, const std::string& message, const std::string& fix) {
    auto pos = file.pos_of(base + pointer);
    findings.push_back({rule, file.path, pos.line, pos.column, app, message, fix});
    if (rule != "unknown-field") ok = false;
  }

  static std::string where(const std::string& pointer) { return pointer.empty() ? "the top level" : "`" + pointer.substr(1) + "`"; }

  void only_keys(const json& obj, const std::string& pointer, const std::set<std::string>& allowed) {
    for (const auto& [key, _] : obj.items()) {
      if (allowed.count(key)) continue;
      std::string list;
      for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
      report("unknown-field", pointer + "/" + key, "unknown field '" + key + "' in " + where(pointer),
             "remove it or use one of: " + list + " (see values/README.md)");
    }
  }

  std::string text(const json& obj, const std::string& pointer, const char* key, bool required) {
    if (!obj.contains(key) || obj[key].is_null()) {
      if (required) report("invalid-component", pointer, "required field '" + std::string(key) + "' is missing",
                           "add `" + std::string(key) + ":` (see values/README.md)");
      return "";
    }
    if (!obj[key].is_string()) {
      report("invalid-component", pointer + "/" + key, "'" + std::string(key) + "' must be a string, not " +
             std::string(obj[key].type_name()), "quote the value");
      return "";
    }
    return obj[key].get<std::string>();
  }

  std::vector<std::string> strings(const json& obj, const std::string& pointer, const char* key) {
    std::vector<std::string> out;
    if (!obj.contains(key) || obj[key].is_null()) return out;
    if (!obj[key].is_array()) {
      report("invalid-component", pointer + "/" + key, "'" + std::string(key) + "' must be a list of strings",
             "write it as `[a, b]`");
      return out;
    }
    for (size_t i = 0; i < obj[key].size(); ++i) {
      if (obj[key][i].is_string()) out.push_back(obj[key][i].get<std::string>());
      else report("invalid-component", pointer + "/" + key + "/" + std::to_string(i),
                  "entries of '" + std::string(key) + "' must be strings", "quote the entry");
    }
    return out;
  }

  const json* object(const json& obj, const std::string& pointer, const char* key) {
    if (!obj.contains(key) || obj[key].is_null()) return nullptr;
    if (!obj[key].is_object()) {
      report("invalid-component", pointer + "/" + key, "'" + std::string(key) + "' must be a mapping", "see values/README.md");
      return nullptr;
    }
    return &obj[key];
  }

  const json* list(const json& obj, const std::string& pointer, const char* key) {
    if (!obj.contains(key) || obj[key].is_null()) return nullptr;
    if (!obj[key].is_array()) {
      report("invalid-component", pointer + "/" + key, "'" + std::string(key) + "' must be a list", "see values/README.md");
      return nullptr;
    }
    return &obj[key];
  }
};

void read_images(Reader& r, const json& c, Component& comp) {
  const json* images = r.list(c, "", "images");
  if (!images) return;
  for (size_t i = 0; i < images->size(); ++i) {
    std::string p = "/images/" + std::to_string(i);
    const json& item = (*images)[i];
    if (!item.is_object()) {
      r.report("invalid-component", p, "each image must be a mapping with at least `name`", "see values/README.md");
      continue;
    }
    r.only_keys(item, p, {"name", "context", "dockerfile", "target", "repositoryKey", "tagKey"});
    ImageSpec img;
    img.pointer = p;
    img.name = r.text(item, p, "name", true);
    img.context = r.text(item, p, "context", false);
    img.dockerfile = r.text(item, p, "dockerfile", false);
    img.target = r.text(item, p, "target", false);
    if (auto k = r.text(item, p, "repositoryKey", false); !k.empty()) img.repository_key = k;
    if (auto k = r.text(item, p, "tagKey", false); !k.empty()) img.tag_key = k;
    if (img.context.empty()) img.context = comp.source;
    comp.images.push_back(img);
  }
}

void read_live_update(Reader& r, const json& c, Component& comp) {
  const json* lu = r.object(c, "", "liveUpdate");
  if (!lu) return;
  r.only_keys(*lu, "/liveUpdate", {"sync", "run", "fallBackOn"});
  if (const json* sync = r.list(*lu, "/liveUpdate", "sync"))
    for (size_t i = 0; i < sync->size(); ++i) {
      std::string p = "/liveUpdate/sync/" + std::to_string(i);
      if (!(*sync)[i].is_object()) {
        r.report("invalid-component", p, "sync steps are mappings with `local` and `remote`", "see values/README.md");
        continue;
      }
      r.only_keys((*sync)[i], p, {"local", "remote"});
      comp.live_update.sync.push_back({r.text((*sync)[i], p, "local", true), r.text((*sync)[i], p, "remote", true)});
    }
  if (const json* run = r.list(*lu, "/liveUpdate", "run"))
    for (size_t i = 0; i < run->size(); ++i) {
      std::string p = "/liveUpdate/run/" + std::to_string(i);
      if (!(*run)[i].is_object()) {
        r.report("invalid-component", p, "run steps are mappings with `cmd` and optional `trigger`", "see values/README.md");
        continue;
      }
      r.only_keys((*run)[i], p, {"cmd", "trigger"});
      comp.live_update.run.push_back({r.text((*run)[i], p, "cmd", true), r.strings((*run)[i], p, "trigger")});
    }
  comp.live_update.fall_back_on = r.strings(*lu, "/liveUpdate", "fallBackOn");
}

void read_tilt(Reader& r, const json& c, Component& comp) {
  const json* tilt = r.object(c, "", "tilt");
  if (!tilt) return;
  r.only_keys(*tilt, "/tilt", {"valueFiles", "set"});
  if (tilt->contains("valueFiles")) comp.tilt_value_files = r.strings(*tilt, "/tilt", "valueFiles");
  if (const json* set = r.object(*tilt, "/tilt", "set")) comp.tilt_set = *set;
}

}  // namespace

std::string value_key_pointer(const std::string& dotted) {
  std::string out = "/";
  for (char c : dotted) {
    if (c == '.') out += '/';
    else if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

namespace {

std::optional<Component> parse_one(const LoadedFile& file, const json& c, size_t element, const std::string& base,
                                   std::vector<Finding>& findings) {
  Reader r{file, findings, "", base};
  if (!c.is_object()) {
    r.report("invalid-component", "", base.empty() ? "component file must be a YAML mapping" : "each list item must be a mapping",
             "give it at least `name`, `namespace` and `chart` (see values/README.md)");
    return std::nullopt;
  }
  Component comp;
  comp.element = element;
  comp.base = base;
  comp.file = file.path;
  comp.loaded = &file;
  comp.name = r.text(c, "", "name", true);
  if (!comp.name.empty()) {
    r.app = comp.app();
    if (auto err = ath::check_dns1123_label(comp.name))
      r.report("invalid-component", "/name", "invalid component name '" + comp.name + "': " + *err, "use lower-case letters, digits and '-'");
    else if (auto err = ath::check_helm_release_name(comp.app()))
      r.report("invalid-component", "/name", "release '" + comp.app() + "' is invalid: " + *err, "shorten the component name");
  }
  r.only_keys(c, "", {"name", "namespace", "tier", "chart", "language", "source", "images", "liveUpdate", "dependsOn",
                      "labels", "tilt"});
  comp.namespace_ = r.text(c, "", "namespace", true);
  if (!comp.namespace_.empty())
    if (auto err = ath::check_dns1123_label(comp.namespace_))
      r.report("invalid-component", "/namespace", "invalid namespace '" + comp.namespace_ + "': " + *err, "use a DNS-1123 label");
  comp.tier = r.text(c, "", "tier", false);
  comp.chart = r.text(c, "", "chart", true);
  comp.language = r.text(c, "", "language", false);
  if (comp.language.empty()) comp.language = "none";
  bool known_language = false;
  for (auto* l : kLanguages) known_language = known_language || comp.language == l;
  if (!known_language)
    r.report("invalid-component", "/language", "unknown language '" + comp.language + "'", "use go, node, python or none");
  comp.source = r.text(c, "", "source", false);
  read_images(r, c, comp);
  read_live_update(r, c, comp);
  comp.depends_on = r.strings(c, "", "dependsOn");
  comp.labels = r.strings(c, "", "labels");
  read_tilt(r, c, comp);
  if (!r.ok) return std::nullopt;
  return comp;
}

}  // namespace

std::vector<Component> parse_components(const LoadedFile& file, std::vector<Finding>& findings, size_t* failed) {
  std::vector<Component> out;
  size_t bad = 0;
  if (file.usable()) {
    static const ath::YamlDocument empty_doc{};
    const ath::YamlDocument& doc = file.first() ? *file.first() : empty_doc;
    if (file.docs.size() > 1) {
      auto pos = file.pos_of("");
      findings.push_back({"invalid-component", file.path, pos.line, pos.column, "",
                          "component file holds " + std::to_string(file.docs.size()) +
                              " YAML documents; the git files generator reads only the first",
                          "keep one document per component.yaml"});
      ++bad;
    } else if (doc.value.is_null()) {
      auto pos = file.pos_of("");
      findings.push_back({"invalid-component", file.path, pos.line, pos.column, "", "component file is empty",
                          "give it at least `name`, `namespace` and `chart` (see values/README.md)"});
      ++bad;
    } else if (doc.value.is_array()) {
      for (size_t i = 0; i < doc.value.size(); ++i) {
        if (auto c = parse_one(file, doc.value[i], i, "/" + std::to_string(i), findings)) out.push_back(std::move(*c));
        else ++bad;
      }
    } else if (auto c = parse_one(file, doc.value, 0, "", findings)) {
      out.push_back(std::move(*c));
    } else {
      ++bad;
    }
  } else {
    ++bad;  // the load finding says why
  }
  if (failed) *failed = bad;
  return out;
}

}  // namespace ath::values_parity
