#include "parity_rules.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "core/argocd.hpp"

namespace ath::values_parity {

namespace {

std::string join(const std::vector<std::string>& items) {
  if (items.empty()) return "(none)";
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

Finding at(const AppSetRef& appset, const std::string& pointer, const std::string& rule, const std::string& app,
           const std::string& message, const std::string& fix) {
  ath::SourcePos pos = appset.doc ? appset.doc->pos_of(pointer) : ath::SourcePos{};
  return {rule, appset.file, pos.line, pos.column, app, message, fix};
}

Finding at(const Component& c, const std::string& pointer, const std::string& rule, const std::string& message,
           const std::string& fix) {
  return {rule, c.file, c.line_of(pointer), c.column_of(pointer), c.app(), message, fix};
}

Finding at(const LoadedFile& f, const std::string& pointer, const std::string& rule, const std::string& app,
           const std::string& message, const std::string& fix) {
  ath::SourcePos pos = f.first() ? f.pos_of(pointer) : ath::SourcePos{1, 1};
  if (pos.line == 0) pos = {1, 1};
  return {rule, f.path, pos.line, pos.column, app, message, fix};
}

const json* value_at(const LoadedFile& f, const std::string& pointer) {
  if (!f.first() || !f.first()->value.is_object()) return nullptr;
  try {
    const json& v = f.first()->value.at(json::json_pointer(pointer));
    return &v;
  } catch (const json::exception&) {
    return nullptr;
  }
}

}  // namespace

bool is_dev_registry(const std::string& repository) {
  auto slash = repository.find('/');
  std::string host = repository.substr(0, slash);
  // "ameide/graph" (Docker Hub) has no registry host: a first segment without '.' or ':'.
  if (slash == std::string::npos || (host.find_first_of(".:") == std::string::npos && host != "localhost")) return false;
  if (host.size() > 2 && host.front() == '[') return host.rfind("[::1]", 0) == 0;
  std::string name = host.substr(0, host.find(':'));
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char ch) { return std::tolower(ch); });
  auto ends_with = [&](const std::string& suffix) {
    return name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  return name == "localhost" || name == "127.0.0.1" || ends_with(".localhost");
}

void check_value_file_parity(const Component& c, const ArgoApp& argo, const std::vector<std::string>& tilt_files,
                             const AppSetRef& appset, std::vector<Finding>& out) {
  for (const auto& key : argo.inline_values)
    out.push_back(at(appset, argo.source_pointer + "/helm/" + key, "value-files-mismatch", c.app(),
                     "Argo CD's template passes inline helm `" + key + "` to " + c.app() + "; Tilt passes value files only",
                     "move these values into the shared or env values file both sides use"));
  if (argo.value_files == tilt_files) return;
  std::set<std::string> a(argo.value_files.begin(), argo.value_files.end()), t(tilt_files.begin(), tilt_files.end());
  std::string message;
  if (a == t && argo.value_files.size() == tilt_files.size()) {
    message = "Argo CD and Tilt pass the same value files in a different order (Argo: " + join(argo.value_files) +
              "; Tilt: " + join(tilt_files) + "); later files win, so the results differ";
  } else {
    std::vector<std::string> only_argo, only_tilt;
    for (const auto& f : argo.value_files)
      if (!t.count(f)) only_argo.push_back(f);
    for (const auto& f : tilt_files)
      if (!a.count(f)) only_tilt.push_back(f);
    message = "value files differ: Argo CD (" + appset.name + ") uses " + join(argo.value_files) + ", Tilt uses " +
              join(tilt_files);
    if (!only_argo.empty()) message += "; only Argo: " + join(only_argo);
    if (!only_tilt.empty()) message += "; only Tilt: " + join(only_tilt);
  }
  if (c.tilt_value_files) {
    out.push_back(at(c, "/tilt/valueFiles", "value-files-mismatch", message,
                     "remove `tilt.valueFiles` so Tilt uses the workspace conventions, or make it equal to Argo's list"));
    return;
  }
  // Point at the first entry of the template where the lists part.
  size_t i = 0;
  while (i < argo.value_files.size() && i < tilt_files.size() && argo.value_files[i] == tilt_files[i]) ++i;
  std::string pointer = i < argo.value_file_pointers.size() ? argo.value_file_pointers[i]
                        : argo.source_pointer.empty()   ? std::string("/spec/template")
                                                        : argo.source_pointer + "/helm/valueFiles";
  out.push_back(at(appset, pointer, "value-files-mismatch", c.app(), message,
                   "make the template's helm.valueFiles the shared file then the env overlay (workspace.yaml "
                   "sharedValues, envValues), or change the conventions to match"));
}

void check_value_files_exist(const Component& c, const ArgoApp& argo, const std::vector<std::string>& tilt_files,
                             const std::string& tilt_overlay, const FileSet& files, std::vector<Finding>& out) {
  std::vector<std::string> all = tilt_files;
  for (const auto& f : argo.value_files)
    if (std::find(all.begin(), all.end(), f) == all.end()) all.push_back(f);
  for (const auto& f : all) {
    auto it = files.find(f);
    if (it != files.end() && it->second.exists) continue;
    bool by_argo = std::count(argo.value_files.begin(), argo.value_files.end(), f) > 0;
    bool by_tilt = std::count(tilt_files.begin(), tilt_files.end(), f) > 0;
    std::string who = by_argo && by_tilt ? "Argo CD and Tilt pass it" : by_argo ? "Argo CD passes it" : "Tilt passes it";
    if (f == tilt_overlay)
      out.push_back(at(c, "/name", "missing-dev-overlay",
                       c.app() + " has no dev overlay: " + f + " does not exist (" + who + " to helm)",
                       "create " + f + " holding `{}` and a comment when nothing differs in dev"));
    else
      out.push_back(at(c, "/name", "missing-values-file", f + " does not exist (" + who + " to helm for " + c.app() + ")",
                       "create it (a file holding `{}` is valid) or fix the path"));
  }
}

void check_argo_only_files_exist(const Component& c, const std::vector<std::string>& env_files, const FileSet& files,
                                 std::vector<Finding>& out) {
  for (const auto& f : env_files) {
    auto it = files.find(f);
    if (it == files.end() || !it->second.exists)
      out.push_back(at(c, "/name", "missing-values-file", f + " does not exist; Argo CD needs it to deploy " + c.app(),
                       "create it with the environment's image.repository, image.tag and imagePullSecrets"));
  }
}

void check_tilt_overrides(const Component& c, std::vector<Finding>& out) {
  std::set<std::string> image_keys;
  for (const auto& img : c.images) {
    image_keys.insert(img.repository_key);
    image_keys.insert(img.tag_key);
    auto last = [](const std::string& k) { return k.substr(k.rfind('.') == std::string::npos ? 0 : k.rfind('.') + 1); };
    if (last(img.repository_key) != "repository")
      out.push_back(at(c, img.pointer + "/repositoryKey", "tilt-override",
                       "Tilt would set '" + img.repository_key + "' to the built image repository; only *.repository keys may be overridden",
                       "use image.repository (or <sub-chart>.image.repository)"));
    if (last(img.tag_key) != "tag")
      out.push_back(at(c, img.pointer + "/tagKey", "tilt-override",
                       "Tilt would set '" + img.tag_key + "' to the built image tag; only *.tag keys may be overridden",
                       "use image.tag (or <sub-chart>.image.tag)"));
  }
  for (const auto& [key, _] : c.tilt_set.items())
    if (!image_keys.count(key))
      out.push_back(at(c, "/tilt/set/" + key, "tilt-override",
                       "Tilt-side override of '" + key + "': Argo CD would deploy a different value",
                       "remove it from tilt.set and change the shared or dev values file instead, so both sides see it"));
}

void check_image_names(const Component& c, std::vector<Finding>& out) {
  for (const auto& img : c.images)
    if (img.name.find('_') != std::string::npos) {
      std::string fixed = img.name;
      std::replace(fixed.begin(), fixed.end(), '_', '-');
      out.push_back(at(c, img.pointer + "/name", "image-underscore",
                       "image name '" + img.name + "' contains '_'; containerd pulls of underscore repositories fail with manifest unknown",
                       "rename it to '" + fixed + "' here and in the build scripts"));
    }
}

void check_values_file(const Component& c, const LoadedFile& values, std::vector<Finding>& out) {
  if (!values.usable() || !values.first()) return;
  const json& v = values.first()->value;
  if (!v.is_null() && !v.is_object()) {
    out.push_back(at(values, "", "malformed-yaml", c.app(), "a values file must be a YAML mapping, not " + std::string(v.type_name()),
                     "write key: value pairs, or `{}` for no values"));
    return;
  }
  for (const auto& img : c.images) {
    std::string ptr = value_key_pointer(img.repository_key);
    const json* repo = value_at(values, ptr);
    if (repo && repo->is_string() && repo->get<std::string>().find('_') != std::string::npos) {
      std::string fixed = repo->get<std::string>();
      std::replace(fixed.begin(), fixed.end(), '_', '-');
      out.push_back(at(values, ptr, "image-underscore", c.app(),
                       img.repository_key + " '" + repo->get<std::string>() + "' contains '_'",
                       "use the hyphenated repository '" + fixed + "'"));
    }
  }
}

void check_argo_only_values(const Component& c, const LoadedFile& values, const std::string& env, std::vector<Finding>& out) {
  if (!values.usable()) return;
  const json* doc = values.first() ? &values.first()->value : nullptr;
  if (doc && !doc->is_null() && !doc->is_object()) return;  // check_values_file reports it
  for (const auto& img : c.images) {
    for (const auto& key : {img.repository_key, img.tag_key}) {
      std::string ptr = value_key_pointer(key);
      const json* v = value_at(values, ptr);
      if (!v || v->is_null() || (v->is_string() && v->get<std::string>().empty())) {
        std::string parent = ptr.substr(0, ptr.rfind('/'));
        out.push_back(at(values, parent, "missing-explicit-image", c.app(),
                         env + " values do not set " + key + " explicitly; the dev default from the shared file would be deployed",
                         "set " + key + " in " + values.path));
      } else if (key == img.repository_key && v->is_string() && is_dev_registry(v->get<std::string>())) {
        out.push_back(at(values, ptr, "dev-registry", c.app(),
                         env + " " + key + " '" + v->get<std::string>() + "' points at a dev registry",
                         "use the " + env + " registry (e.g. ghcr.io/ameideio/" + img.name + ")"));
      }
    }
  }
  const json* secrets = value_at(values, "/imagePullSecrets");
  if (!secrets)
    out.push_back(at(values, "", "pull-secrets-disabled", c.app(),
                     env + " values do not set imagePullSecrets, so the dev setting (none) applies",
                     "add `imagePullSecrets: [{name: <registry secret>}]` to " + values.path));
  else if (!secrets->is_array() || secrets->empty())
    out.push_back(at(values, "/imagePullSecrets", "pull-secrets-disabled", c.app(),
                     env + " values disable image pull secrets (imagePullSecrets is " +
                         (secrets->is_array() ? std::string("empty") : std::string(secrets->type_name())) + ")",
                     "list the registry secret: `imagePullSecrets: [{name: <registry secret>}]`"));
}

void check_auto_sync(const Component& c, const ArgoApp& argo, const AppSetRef& appset, std::vector<Finding>& out) {
  if (!argocd::app_auto_sync_on(argo.application)) return;
  const std::string fix = "drop `automated` from the template's syncPolicy and templatePatch (or set `automated: null` in the "
                          "patch); Tilt's sync guard needs the apps tier on manual sync";
  bool in_patch = argo.patch.is_object() && argo.patch.contains("spec") && argo.patch["spec"].is_object() &&
                  argo.patch["spec"].contains("syncPolicy") && argo.patch["spec"]["syncPolicy"].is_object() &&
                  argo.patch["spec"]["syncPolicy"].contains("automated");
  if (in_patch) {
    // yaml-cpp marks a block scalar at its first content line; patch line n is n - 1 below it.
    ath::SourcePos base = appset.doc ? appset.doc->pos_of("/spec/templatePatch") : ath::SourcePos{};
    auto it = argo.patch_positions.find("/spec/syncPolicy/automated");
    int line = it == argo.patch_positions.end() ? base.line : base.line + it->second.line - 1;
    out.push_back({"auto-sync-on", appset.file, line, 0, c.app(),
                   "templatePatch of " + appset.name + " turns auto-sync on (syncPolicy.automated) for the apps tier", fix});
    return;
  }
  out.push_back(at(appset, "/spec/template/spec/syncPolicy/automated", "auto-sync-on", c.app(),
                   "the template of " + appset.name + " turns auto-sync on (syncPolicy.automated)" +
                       std::string(argo.patch.is_null() ? "" : "; templatePatch merges into syncPolicy and keeps it"),
                   fix));
}

void report_template_problems(const Component& c, const ArgoApp& argo, const AppSetRef& appset, std::vector<Finding>& out) {
  for (const auto& p : argo.problems)
    out.push_back(at(appset, p.pointer, "template-error", c.app(),
                     "cannot resolve the template for " + c.app() + " (" + c.file + "): " + p.message,
                     "use only {{.field}}, {{.path.basename}}, {{index .path.segments N}} and fields component.yaml defines"));
}

std::vector<Component> check_components(std::vector<Component> components, std::vector<Finding>& out) {
  std::vector<Component> unique;
  std::map<std::string, std::string> first_file;
  for (auto& c : components) {
    auto [it, inserted] = first_file.emplace(c.name, c.file);
    if (!inserted) {
      out.push_back(at(c, "/name", "duplicate-component",
                       "component '" + c.name + "' is declared again; " + it->second + " declares it first",
                       "rename one of them: Argo CD would generate two Applications named " + c.app()));
      continue;
    }
    unique.push_back(std::move(c));
  }
  for (const auto& c : unique)
    for (size_t i = 0; i < c.depends_on.size(); ++i)
      if (!first_file.count(c.depends_on[i]) || c.depends_on[i] == c.name)
        out.push_back(at(c, "/dependsOn/" + std::to_string(i), "invalid-component",
                         c.depends_on[i] == c.name ? "'" + c.name + "' depends on itself"
                                                   : "dependsOn names '" + c.depends_on[i] + "', which no component declares",
                         "use the name of another component"));
  return unique;
}

}  // namespace ath::values_parity
