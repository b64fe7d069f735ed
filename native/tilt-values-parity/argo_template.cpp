#include "argo_template.hpp"

#include <algorithm>
#include <cctype>
#include <initializer_list>
#include <optional>

#include "core/yaml_json.hpp"
#include "files.hpp"
#include "yaml11.hpp"

namespace ath::values_parity {

namespace {

// deeplyReplace (utils.go:93-260, v3.4.7): every string and map key rendered; null map
// values dropped (utils.go:211).
json render_value(const json& v, const json& params, const RenderMode& mode, const std::string& pointer,
                  std::vector<TemplateProblem>& problems) {
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    if (s.find("{{") == std::string::npos) return v;
    try {
      return render_string(s, params, mode);
    } catch (const TemplateError& e) {
      problems.push_back({pointer, e.what()});
      return v;
    }
  }
  if (v.is_array()) {
    json out = json::array();
    for (size_t i = 0; i < v.size(); ++i)
      out.push_back(render_value(v[i], params, mode, pointer + "/" + std::to_string(i), problems));
    return out;
  }
  if (v.is_object()) {
    json out = json::object();
    for (const auto& [k, item] : v.items()) {
      if (item.is_null()) continue;
      std::string key = k;
      if (key.find("{{") != std::string::npos) {
        try {
          key = render_string(k, params, mode);
        } catch (const TemplateError& e) {
          problems.push_back({pointer, e.what()});
        }
      }
      out[key] = render_value(item, params, mode, pointer + "/" + k, problems);
    }
    return out;
  }
  return v;
}

// The value under a chain of object keys, or null when any step is missing or not a map.
const json& at_path(const json& v, std::initializer_list<const char*> keys) {
  static const json null_value;
  const json* cur = &v;
  for (const char* k : keys) {
    if (!cur->is_object()) return null_value;
    auto it = cur->find(k);
    if (it == cur->end()) return null_value;
    cur = &*it;
  }
  return *cur;
}

std::string str_at(const json& obj, const char* key) {
  if (!obj.is_object() || !obj.contains(key) || !obj[key].is_string()) return "";
  return obj[key].get<std::string>();
}

// The rendered template, and the rendered templatePatch on its own, go through JSON into Argo
// CD's typed Application (controllers/template/template.go:38-62, patch.go:13-40): a field of
// another JSON type than its Go field makes the decode fail, so Argo CD generates nothing for
// this element. Checked for the fields the parity reads (null is Go's zero value, always fine).
// Returns false when `a` does not decode.
bool check_types(const json& a, const std::string& where, std::vector<TemplateProblem>& problems) {
  size_t before = problems.size();
  auto want = [&](const json& v, json::value_t type, const std::string& pointer) {
    if (v.is_null() || v.type() == type) return true;
    std::string expected = type == json::value_t::string ? "text" : type == json::value_t::boolean ? "a boolean"
                           : type == json::value_t::array ? "a list" : "a mapping";
    problems.push_back({where + (where == "/spec/template" ? pointer : ""),
                        "the rendered " + std::string(where == "/spec/template" ? "template" : "templatePatch") + " has " +
                            v.type_name() + " at " + pointer + " where Argo CD's Application needs " + expected +
                            " (quote it), so Argo CD cannot decode it"});
    return false;
  };
  using T = json::value_t;
  if (!want(a, T::object, "")) return false;
  if (!want(at_path(a, {"metadata"}), T::object, "/metadata")) return false;
  want(at_path(a, {"metadata", "name"}), T::string, "/metadata/name");
  if (!want(at_path(a, {"spec"}), T::object, "/spec")) return false;
  want(at_path(a, {"spec", "project"}), T::string, "/spec/project");
  if (want(at_path(a, {"spec", "destination"}), T::object, "/spec/destination"))
    want(at_path(a, {"spec", "destination", "namespace"}), T::string, "/spec/destination/namespace");
  auto source = [&](const json& s, const std::string& p) {
    if (!want(s, T::object, p)) return;
    for (const char* k : {"repoURL", "path", "targetRevision", "ref", "chart"}) want(at_path(s, {k}), T::string, p + "/" + k);
    const json& helm = at_path(s, {"helm"});
    if (!want(helm, T::object, p + "/helm")) return;
    want(at_path(helm, {"releaseName"}), T::string, p + "/helm/releaseName");
    want(at_path(helm, {"ignoreMissingValueFiles"}), T::boolean, p + "/helm/ignoreMissingValueFiles");
    if (want(at_path(helm, {"valueFiles"}), T::array, p + "/helm/valueFiles") && helm.contains("valueFiles"))
      for (size_t i = 0; i < helm["valueFiles"].size(); ++i)
        want(helm["valueFiles"][i], T::string, p + "/helm/valueFiles/" + std::to_string(i));
  };
  source(at_path(a, {"spec", "source"}), "/spec/source");
  const json& sources = at_path(a, {"spec", "sources"});
  if (want(sources, T::array, "/spec/sources") && sources.is_array())
    for (size_t i = 0; i < sources.size(); ++i) source(sources[i], "/spec/sources/" + std::to_string(i));
  return problems.size() == before;
}

void extract_sources(ArgoApp& app) {
  const json& spec = app.application["spec"];
  std::vector<const json*> sources;
  std::string base;
  if (spec.contains("sources") && spec["sources"].is_array()) {
    for (const auto& s : spec["sources"]) sources.push_back(&s);
    base = "/spec/template/spec/sources/";
  } else if (spec.contains("source") && spec["source"].is_object()) {
    sources.push_back(&spec["source"]);
    base = "/spec/template/spec/source";
  } else {
    app.problems.push_back({"/spec/template/spec", "the template has neither spec.source nor spec.sources"});
    return;
  }
  auto pointer_of = [&](size_t i) { return base.back() == '/' ? base + std::to_string(i) : base; };
  std::optional<size_t> chart_index;
  for (size_t i = 0; i < sources.size(); ++i) {
    const json& s = *sources[i];
    // The first source with helm, or with a path and no ref (null and "" count as unset, as
    // Go's zero values do).
    if (s.is_object() && (!at_path(s, {"helm"}).is_null() || (!str_at(s, "path").empty() && str_at(s, "ref").empty()))) {
      chart_index = i;
      break;
    }
  }
  if (!chart_index) {
    app.problems.push_back({base.back() == '/' ? base.substr(0, base.size() - 1) : base,
                            "no source with a chart `path` (only ref sources or Helm repository charts)"});
    return;
  }
  const json& src = *sources[*chart_index];
  app.source_pointer = pointer_of(*chart_index);
  auto chart = normalize_relative(str_at(src, "path"));
  if (!chart || chart->empty()) {
    app.problems.push_back({app.source_pointer + "/path",
                            "the chart source needs a repository-relative `path` (Helm repository charts are not supported)"});
    return;
  }
  app.chart = *chart;
  app.source_path = str_at(src, "path");
  static const json no_helm = json::object();
  const json& helm = at_path(src, {"helm"}).is_object() ? src["helm"] : no_helm;
  app.release = str_at(helm, "releaseName");
  if (app.release.empty()) app.release = app.name;
  for (const char* k : {"values", "valuesObject", "parameters", "fileParameters"})
    if (helm.contains(k)) app.inline_values.push_back(k);
  app.repo_url = str_at(src, "repoURL");
  app.target_revision = str_at(src, "targetRevision");
  app.project = str_at(spec, "project");
  for (const json* s : sources)
    if (!str_at(*s, "ref").empty()) app.refs.push_back(str_at(*s, "ref"));
  app.ignore_missing_value_files = helm.value("ignoreMissingValueFiles", json(false)) == true;
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
    app.raw_value_files.push_back(vf.get<std::string>());
    app.raw_value_file_pointers.push_back(ptr);
  }
}

}  // namespace

RenderMode render_mode(const json& application_set) {
  RenderMode mode;
  const json& spec = at_path(application_set, {"spec"});
  mode.go_template = at_path(spec, {"goTemplate"}) == true;
  // Render.Replace passes the options to text/template only; fasttemplate ignores them
  // (utils.go:402-443), so a bad option breaks nothing without goTemplate.
  if (mode.go_template) mode.options = parse_go_template_options(at_path(spec, {"goTemplateOptions"}));
  return mode;
}

std::string render_string(const std::string& text, const json& params, const RenderMode& mode) {
  if (mode.go_template) return render_go_template(text, params, mode.options);
  std::map<std::string, std::string> flat;
  for (const auto& [k, v] : params.items()) flat[k] = v.is_string() ? v.get<std::string>() : go_sprint(v);
  return render_fasttemplate(text, flat);
}

namespace {

// jeremywohl/flatten DotStyle, each leaf printed with %v (git.go:260-266).
void flatten(const json& v, const std::string& prefix, json& out) {
  if ((v.is_object() || v.is_array()) && !prefix.empty() && v.empty())
    throw TemplateError("'" + prefix + "' is an empty collection; how the flat (non-goTemplate) parameters hold it is not modelled");
  if (v.is_object()) {
    for (const auto& [k, item] : v.items()) flatten(item, prefix.empty() ? k : prefix + "." + k, out);
  } else if (v.is_array()) {
    for (size_t i = 0; i < v.size(); ++i) flatten(v[i], prefix + "." + std::to_string(i), out);
  } else {
    out[prefix] = go_sprint(v);
  }
}

}  // namespace

json generator_params(const json& element, const std::string& file_path, bool go_template) {
  auto slash = file_path.rfind('/');
  // path.Dir / path.Base of a repository-relative file.
  std::string dir = slash == std::string::npos ? "." : file_path.substr(0, slash);
  std::string filename = slash == std::string::npos ? file_path : file_path.substr(slash + 1);
  std::string basename = dir.substr(dir.rfind('/') == std::string::npos ? 0 : dir.rfind('/') + 1);
  json segments = json::array();
  for (size_t start = 0;;) {
    size_t end = dir.find('/', start);
    segments.push_back(dir.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  if (go_template) {
    json params = element.is_object() ? element : json::object();
    params["path"] = {{"path", dir},
                      {"basename", basename},
                      {"filename", filename},
                      {"basenameNormalized", sanitize_name(basename)},
                      {"filenameNormalized", sanitize_name(filename)},
                      {"segments", segments}};
    return params;
  }
  json flat = json::object();
  if (element.is_object()) flatten(element, "", flat);
  flat["path"] = dir;
  flat["path.basename"] = basename;
  flat["path.filename"] = filename;
  flat["path.basenameNormalized"] = sanitize_name(basename);
  flat["path.filenameNormalized"] = sanitize_name(filename);
  for (size_t i = 0; i < segments.size(); ++i)
    if (!segments[i].get_ref<const std::string&>().empty()) flat["path[" + std::to_string(i) + "]"] = segments[i];
  return flat;
}

GeneratorFiles git_file_patterns(const json& application_set) {
  GeneratorFiles out;
  const json& gens = at_path(application_set, {"spec", "generators"});
  if (!gens.is_array()) return out;
  for (const auto& g : gens) {
    if (!g.is_object() || !g.contains("git") || !g["git"].is_object()) continue;
    for (const char* k : {"pathParamPrefix", "values"})
      if (g["git"].contains(k)) out.unsupported.push_back(std::string("git generator `") + k + "`");
    const json& files = at_path(g, {"git", "files"});
    if (!files.is_array()) continue;
    for (const auto& f : files) {
      std::string p = str_at(f, "path");
      if (p.empty()) continue;
      (at_path(f, {"exclude"}) == true ? out.exclude : out.include).push_back(p);
    }
  }
  return out;
}

ParsedPatch parse_patch(const std::string& text) {
  ParsedPatch out;
  try {
    out.positions = ath::parse_yaml_document(text, "templatePatch").positions;  // YAML 1.2: lines only
    // applyTemplatePatch (controllers/template/patch.go:13-40) reads it with sigs.k8s.io/yaml:
    // YAML 1.1 through JSON, so `namespace: on` is a boolean there.
    out.value = decode_yaml11(text).value;
  } catch (const ath::YamlError& e) {
    out.error = "templatePatch does not render to valid YAML: " + e.message();
  } catch (const TemplateError& e) {
    out.error = std::string("templatePatch: ") + e.what();
  }
  return out;
}

ArgoApp render_application(const json& application_set, const json& params, const RenderMode& mode, PatchCache* cache) {
  ArgoApp app;
  const json& spec = at_path(application_set, {"spec"});
  if (!spec.is_object() || !spec.contains("template") || !spec["template"].is_object()) {
    app.problems.push_back({"/spec", "the ApplicationSet has no spec.template"});
    return app;
  }
  app.application = render_value(spec["template"], params, mode, "/spec/template", app.problems);
  if (!app.problems.empty() || !check_types(app.application, "/spec/template", app.problems)) return app;
  if (spec.contains("templatePatch") && spec["templatePatch"].is_string()) {
    try {
      std::string text = render_string(spec["templatePatch"].get<std::string>(), params, mode);
      PatchCache local;
      if (!cache) cache = &local;
      auto it = cache->find(text);
      if (it == cache->end()) it = cache->emplace(text, parse_patch(text)).first;
      const ParsedPatch& parsed = it->second;
      if (!parsed.error.empty()) throw TemplateError(parsed.error);
      app.patch = parsed.value;
      app.patch_positions = parsed.positions;
      // The controller applies the patch as a strategic merge; for the maps a template holds,
      // a JSON merge patch gives the same result (a key set to null is removed). A patch that
      // renders to nothing (null) changes nothing. The project cannot be patched (patch.go:38).
      if (app.patch.is_object()) {
        if (!check_types(app.patch, "/spec/templatePatch", app.problems)) return app;
        json project = at_path(app.application, {"spec", "project"});
        app.application.merge_patch(app.patch);
        if (app.application.contains("spec") && app.application["spec"].is_object()) {
          if (project.is_null()) app.application["spec"].erase("project");
          else app.application["spec"]["project"] = project;
        }
      } else if (!app.patch.is_null()) {
        app.problems.push_back({"/spec/templatePatch", "templatePatch must render to a YAML mapping"});
      }
    } catch (const TemplateError& e) {
      app.problems.push_back({"/spec/templatePatch", e.what()});
    }
  }
  if (!app.application.is_object()) app.application = json::object();
  auto text_at = [&](std::initializer_list<const char*> keys) {
    const json& v = at_path(app.application, keys);
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

}  // namespace ath::values_parity
