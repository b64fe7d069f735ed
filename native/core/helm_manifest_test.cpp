#include "core/helm_manifest.hpp"

#include <doctest/doctest.h>

using nlohmann::json;

namespace {

std::vector<std::string> names(const std::vector<json>& objects) {
  std::vector<std::string> out;
  for (const auto& o : objects)
    out.push_back(o.value("kind", "?") + "/" + (o.contains("metadata") ? o["metadata"].value("name", "") : "-"));
  return out;
}

}  // namespace

TEST_CASE("a hook document is left out; hook items inside a List are not (Helm decides per document)") {
  auto objects = ath::manifest_objects(json::parse(R"([
    {"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"migrate","annotations":{"helm.sh/hook":"pre-upgrade"}}},
    {"apiVersion":"v1","kind":"List","items":[
      {"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"in-list","annotations":{"helm.sh/hook":"post-install"}}}]},
    {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"empty-hook","annotations":{"helm.sh/hook":""}}}
  ])").get<std::vector<json>>());
  CHECK(names(objects) == std::vector<std::string>{"Job/in-list"});
  CHECK(ath::is_helm_hook(json::parse(R"({"metadata":{"annotations":{"helm.sh/hook":"test"}}})")));
  CHECK_FALSE(ath::is_helm_hook(json::parse(R"({"metadata":{"annotations":"helm.sh/hook"}})")));
  CHECK_FALSE(ath::is_helm_hook(json("text")));
}

TEST_CASE("any document with an items array is a list, nested lists too; typed-list items get their kind") {
  auto objects = ath::manifest_objects(json::parse(R"([
    {"apiVersion":"v1","kind":"ConfigMapList","items":[
      {"metadata":{"name":"typed"}},
      {"apiVersion":"v1","kind":"Secret","metadata":{"name":"own-kind"}},
      {"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"Service","metadata":{"name":"nested"}}]},
      "not an object"]},
    {"apiVersion":"example.com/v1","kind":"Bundle","items":[{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"b"}}]},
    {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"not-a-list"},"data":{"items":"[1]"}},
    {"apiVersion":"v1","kind":"ConfigMap"},
    null, 7
  ])").get<std::vector<json>>());
  CHECK(names(objects) == std::vector<std::string>{"ConfigMap/typed", "Secret/own-kind", "Service/nested", "ConfigMap/b",
                                                   "ConfigMap/not-a-list", "ConfigMap/-"});
  CHECK(objects[0]["apiVersion"] == "v1");
}
