#include "core/redact.hpp"

#include "core/json_limits.hpp"

namespace ath {

namespace {
const char* kLastApplied = "kubectl.kubernetes.io/last-applied-configuration";

// Secrets sit at the top, in a List's items or in nested arrays of them. redact_secrets bounds
// the depth first, so this recursion is bounded too.
void redact_in_place(json& v) {
  if (v.is_array()) {
    for (auto& item : v) redact_in_place(item);
    return;
  }
  if (!v.is_object()) return;
  if (v.contains("items")) redact_in_place(v["items"]);
  // Not v.value("kind", ""): it throws when kind is there but not a string (`kind: 5`, `kind:`).
  if (const auto kind = v.find("kind"); kind == v.end() || *kind != "Secret") return;
  for (const char* field : {"data", "stringData"}) {
    if (v.contains(field) && v[field].is_object())
      for (auto& [k, val] : v[field].items()) val = "<redacted>";
  }
  // kubectl apply keeps the whole object, data included, in this annotation.
  if (v.contains("metadata") && v["metadata"].contains("annotations") &&
      v["metadata"]["annotations"].contains(kLastApplied))
    v["metadata"]["annotations"][kLastApplied] = "<redacted>";
}
}  // namespace

json redact_secrets(const json& object) {
  // json's copy constructor recurses: bound the depth (iteratively) before copying.
  check_nesting_depth(object, "cannot redact a value");
  json copy = object;
  redact_in_place(copy);
  return copy;
}

}  // namespace ath
