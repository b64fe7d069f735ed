#pragma once
// The objects Helm deploys from a rendered manifest (`helm template`, `helm get manifest`), so
// that tilt-helm-adopt (what to adopt) and tilt-helm-apply (what Tilt tracks, what delete must
// keep) read a manifest the same way Helm does. Pure.
#include <nlohmann/json.hpp>

#include <vector>

namespace ath {

// Whether a rendered document is a hook: it has the helm.sh/hook annotation (any value). Helm
// decides this per document of the rendered templates, before it reads any List (helm
// pkg/releaseutil/manifest_sorter.go:164 at v3.19.2), and keeps hooks out of the release's objects.
bool is_helm_hook(const nlohmann::json& doc);

// Appends the objects of one rendered document to `out`:
// - a non-object (an empty document, a scalar) adds nothing;
// - a hook adds nothing;
// - a document with an `items` array is a list, whatever its kind (the unstructured decoder,
//   apimachinery pkg/apis/meta/v1/unstructured/helpers.go:417 at v0.32.0), and Helm's builder
//   flattens it (helm pkg/kube/client.go:341 at v3.19.2, cli-runtime pkg/resource/visitor.go:423):
//   each item is added in turn, lists inside it flattened too, and an item with neither kind nor
//   apiVersion gets the list's apiVersion and its kind without the "List" suffix (helpers.go:469).
//   Items are not checked for the hook annotation, as Helm does not check them;
// - anything else is added as it is, also without metadata: the caller reports what it cannot use.
void add_manifest_objects(const nlohmann::json& doc, std::vector<nlohmann::json>& out);

// add_manifest_objects over every document, in order.
std::vector<nlohmann::json> manifest_objects(const std::vector<nlohmann::json>& docs);

}  // namespace ath
