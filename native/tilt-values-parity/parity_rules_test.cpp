#include "parity_rules.hpp"

#include <doctest/doctest.h>

using namespace ath::values_parity;

namespace {

struct Fixture {
  LoadedFile comp_file = parse_loaded("values/components/graph/component.yaml",
                                      "name: graph\nnamespace: ameide\nchart: values/charts/app\nimages:\n  - name: graph\n", {});
  LoadedFile appset_file = parse_loaded("values/argocd/apps-dev.yaml",
                                        "spec:\n  template:\n    spec:\n      sources:\n        - helm:\n            valueFiles:\n"
                                        "              - a.yaml\n              - b.yaml\n",
                                        {});
  Component comp;
  AppSetRef appset{"values/argocd/apps-dev.yaml", nullptr, "apps-dev"};
  ArgoApp argo;
  std::vector<Finding> out;

  Fixture() {
    std::vector<Finding> ignored;
    comp = parse_components(comp_file, ignored).at(0);
    appset.doc = appset_file.first();
    argo.source_pointer = "/spec/template/spec/sources/0";
    argo.value_files = {"values/_shared/apps/apps-graph.yaml", "values/dev/apps/apps-graph.yaml"};
    argo.value_file_pointers = {argo.source_pointer + "/helm/valueFiles/0", argo.source_pointer + "/helm/valueFiles/1"};
  }
};

}  // namespace

TEST_CASE("is_dev_registry") {
  CHECK(is_dev_registry("k3d-ameide.localhost:5001/ameide/graph"));
  CHECK(is_dev_registry("registry.localhost:32000/graph"));
  CHECK(is_dev_registry("localhost:5001/graph"));
  CHECK(is_dev_registry("127.0.0.1:5000/graph"));
  CHECK_FALSE(is_dev_registry("ghcr.io/ameideio/graph"));
  CHECK_FALSE(is_dev_registry("ameide/graph"));
  CHECK_FALSE(is_dev_registry("graph"));
}

TEST_CASE("check_value_file_parity: equal lists pass; order and membership differences are located") {
  Fixture f;
  check_value_file_parity(f.comp, f.argo, f.argo.value_files, f.appset, f.out);
  CHECK(f.out.empty());
  check_value_file_parity(f.comp, f.argo, {f.argo.value_files[1], f.argo.value_files[0]}, f.appset, f.out);
  REQUIRE(f.out.size() == 1);
  CHECK(f.out[0].message.find("different order") != std::string::npos);
  CHECK(f.out[0].line == 7);
  f.out.clear();
  check_value_file_parity(f.comp, f.argo, {f.argo.value_files[0]}, f.appset, f.out);
  REQUIRE(f.out.size() == 1);
  CHECK(f.out[0].message.find("only Argo: values/dev/apps/apps-graph.yaml") != std::string::npos);
  CHECK(f.out[0].line == 8);
  f.out.clear();
  f.argo.inline_values = {"valuesObject"};
  check_value_file_parity(f.comp, f.argo, f.argo.value_files, f.appset, f.out);
  CHECK(f.out.size() == 1);
}

TEST_CASE("check_value_files_exist tells the dev overlay from other files") {
  Fixture f;
  FileSet files;
  files["values/_shared/apps/apps-graph.yaml"] = parse_loaded("values/_shared/apps/apps-graph.yaml", "{}", {});
  check_value_files_exist(f.comp, f.argo, f.argo.value_files, "values/dev/apps/apps-graph.yaml", files, f.out);
  REQUIRE(f.out.size() == 1);
  CHECK(f.out[0].rule == "missing-dev-overlay");
  CHECK(f.out[0].file == "values/components/graph/component.yaml");
  CHECK(f.out[0].line == 1);
  f.out.clear();
  files.clear();
  files["values/dev/apps/apps-graph.yaml"] = parse_loaded("values/dev/apps/apps-graph.yaml", "{}", {});
  check_value_files_exist(f.comp, f.argo, f.argo.value_files, "values/dev/apps/apps-graph.yaml", files, f.out);
  REQUIRE(f.out.size() == 1);
  CHECK(f.out[0].rule == "missing-values-file");
}

TEST_CASE("check_tilt_overrides allows only the image keys") {
  Fixture f;
  f.comp.tilt_set = {{"image.tag", "x"}, {"replicaCount", 3}};
  check_tilt_overrides(f.comp, f.out);
  REQUIRE(f.out.size() == 1);
  CHECK(f.out[0].message.find("'replicaCount'") != std::string::npos);
  f.out.clear();
  f.comp.tilt_set = json::object();
  f.comp.images[0].tag_key = "replicaCount";
  check_tilt_overrides(f.comp, f.out);
  CHECK(f.out.size() == 1);
}

TEST_CASE("image names and repositories must be hyphenated") {
  Fixture f;
  f.comp.images[0].name = "inference_gateway";
  check_image_names(f.comp, f.out);
  REQUIRE(f.out.size() == 1);
  CHECK(f.out[0].line == 5);
  f.out.clear();
  auto values = parse_loaded("v.yaml", "image:\n  repository: ghcr.io/a/inference_gateway\n", {});
  check_values_file(f.comp, values, f.out);
  REQUIRE(f.out.size() == 1);
  CHECK(f.out[0].rule == "image-underscore");
  CHECK(f.out[0].line == 2);
  f.out.clear();
  check_values_file(f.comp, parse_loaded("l.yaml", "- a\n", {}), f.out);
  CHECK(f.out.at(0).rule == "malformed-yaml");
}

TEST_CASE("check_argo_only_values: registry, pull secrets and explicit image") {
  Fixture f;
  auto good = parse_loaded("p.yaml", "image:\n  repository: ghcr.io/ameideio/graph\n  tag: \"1.0\"\nimagePullSecrets: [{name: g}]\n", {});
  check_argo_only_values(f.comp, good, "prod", f.out);
  CHECK(f.out.empty());
  auto dev = parse_loaded("p.yaml", "image:\n  repository: registry.localhost:32000/graph\n  tag: \"1.0\"\nimagePullSecrets: [{name: g}]\n", {});
  check_argo_only_values(f.comp, dev, "prod", f.out);
  REQUIRE(f.out.size() == 1);
  CHECK(f.out[0].rule == "dev-registry");
  CHECK(f.out[0].line == 2);
  f.out.clear();
  auto no_tag = parse_loaded("p.yaml", "image:\n  repository: ghcr.io/ameideio/graph\nimagePullSecrets: []\n", {});
  check_argo_only_values(f.comp, no_tag, "staging", f.out);
  REQUIRE(f.out.size() == 2);
  CHECK(f.out[0].rule == "missing-explicit-image");
  CHECK(f.out[1].rule == "pull-secrets-disabled");
  CHECK(f.out[1].line == 3);
  f.out.clear();
  check_argo_only_values(f.comp, parse_loaded("p.yaml", "", {}), "prod", f.out);
  CHECK(f.out.size() == 3);
}

TEST_CASE("check_auto_sync points at the template or the patch line") {
  Fixture f;
  auto appset_file = parse_loaded("a.yaml",
                                  "spec:\n  template:\n    spec:\n      syncPolicy:\n        automated: {}\n"
                                  "  templatePatch: |\n    spec:\n      syncPolicy:\n        automated:\n          prune: true\n",
                                  {});
  f.appset.doc = appset_file.first();
  f.argo.application = {{"spec", {{"syncPolicy", {{"automated", {{"prune", true}}}}}}}};
  check_auto_sync(f.comp, f.argo, f.appset, f.out);
  REQUIRE(f.out.size() == 1);
  CHECK(f.out[0].line == 5);
  f.out.clear();
  auto patch = ath::parse_yaml_document("spec:\n  syncPolicy:\n    automated:\n      prune: true\n", "p");
  f.argo.patch = patch.value;
  f.argo.patch_positions = patch.positions;
  check_auto_sync(f.comp, f.argo, f.appset, f.out);
  REQUIRE(f.out.size() == 1);
  CHECK(f.out[0].line == 9);
  f.out.clear();
  f.argo.application = {{"spec", {{"syncPolicy", {{"automated", {{"enabled", false}}}}}}}};
  check_auto_sync(f.comp, f.argo, f.appset, f.out);
  CHECK(f.out.empty());
}

TEST_CASE("check_components drops duplicates and reports unknown dependencies") {
  Fixture f;
  Component second = f.comp;
  second.file = "values/components/graph2/component.yaml";
  Component other = f.comp;
  other.name = "web";
  other.file = "values/components/web/component.yaml";
  other.depends_on = {"graph", "nothing"};
  auto unique = check_components({f.comp, second, other}, f.out);
  CHECK(unique.size() == 2);
  REQUIRE(f.out.size() == 2);
  CHECK(f.out[0].rule == "duplicate-component");
  CHECK(f.out[0].file == "values/components/graph2/component.yaml");
  CHECK(f.out[1].message.find("'nothing'") != std::string::npos);
}
