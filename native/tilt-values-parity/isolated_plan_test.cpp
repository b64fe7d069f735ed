#include "isolated_plan.hpp"

#include <doctest/doctest.h>

using namespace ath::values_parity;

TEST_CASE("isolated plan: both release names, Argo CD's value files, only image keys and the full name set") {
  AppPlan p;
  p.release = "apps-graph";
  p.namespace_ = "ameide";
  p.chart = "values/charts/app";
  p.value_files = {"values/_shared/apps/apps-graph.yaml", "values/dev/apps/apps-graph.yaml"};
  ImageSpec img;
  img.repository_key = "image.repository";
  img.tag_key = "image.tag";
  p.images = {img};
  json j = isolated_plan_json(p);
  CHECK(j["release"] == "apps-graph-tilt");
  CHECK(j["argocd_release"] == "apps-graph");
  CHECK(j["value_files"] == json(p.value_files));
  CHECK(j["set"] == json::parse(R"(["image.repository","image.tag","fullnameOverride"])"));
  const std::string text = isolated_plan_text(p);
  CHECK(text.find("apps-graph-tilt") != std::string::npos);
  CHECK(text.find("Argo CD's apps-graph") != std::string::npos);
  CHECK(text.find("-f values/dev/apps/apps-graph.yaml") != std::string::npos);
}
