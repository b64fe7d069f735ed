#include "core/helm_manifest.hpp"

#include <string>

#include "core/json_at.hpp"

namespace ath {
using nlohmann::json;

namespace {

void add_object(json object, const json* list, std::vector<json>& out) {
  if (!object.is_object()) return;
  if (list && !object.contains("kind") && !object.contains("apiVersion")) {
    std::string kind = string_at(*list, "/kind");
    if (kind.ends_with("List")) kind.resize(kind.size() - 4);
    object["kind"] = kind;
    object["apiVersion"] = string_at(*list, "/apiVersion");
  }
  auto items = object.find("items");
  if (items != object.end() && items->is_array()) {
    for (const auto& item : *items) add_object(item, &object, out);
    return;
  }
  out.push_back(std::move(object));
}

}  // namespace

bool is_helm_hook(const json& doc) {
  if (!doc.is_object()) return false;
  auto md = doc.find("metadata");
  if (md == doc.end() || !md->is_object()) return false;
  auto annotations = md->find("annotations");
  return annotations != md->end() && annotations->is_object() && annotations->contains("helm.sh/hook");
}

void add_manifest_objects(const json& doc, std::vector<json>& out) {
  if (is_helm_hook(doc)) return;
  add_object(doc, nullptr, out);
}

std::vector<json> manifest_objects(const std::vector<json>& docs) {
  std::vector<json> out;
  for (const auto& d : docs) add_manifest_objects(d, out);
  return out;
}

}  // namespace ath
