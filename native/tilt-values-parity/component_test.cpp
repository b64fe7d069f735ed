#include "component.hpp"

#include <doctest/doctest.h>

#include <optional>

using namespace ath::values_parity;

namespace {
const char* kGraph = R"(name: graph
namespace: ameide
tier: core
chart: values/charts/app
language: go
source: services/graph
images:
  - name: graph
    dockerfile: services/graph/Dockerfile
liveUpdate:
  sync: [{local: services/graph, remote: /app}]
  run: [{cmd: go build ./..., trigger: [services/graph/go.mod]}]
  fallBackOn: [services/graph/Dockerfile]
dependsOn: [platform]
labels: [apps]
)";

// The single component of a mapping file, if it could be planned.
std::optional<Component> one(const LoadedFile& f, std::vector<Finding>& findings) {
  auto all = parse_components(f, findings);
  if (all.empty()) return std::nullopt;
  REQUIRE(all.size() == 1);
  return all.front();
}
}

TEST_CASE("parse_component reads every field, with image key defaults") {
  auto f = parse_loaded("values/components/graph/component.yaml", kGraph, {});
  std::vector<Finding> findings;
  auto c = one(f, findings);
  REQUIRE(c);
  CHECK(findings.empty());
  CHECK(c->app() == "apps-graph");
  CHECK(c->namespace_ == "ameide");
  REQUIRE(c->images.size() == 1);
  CHECK(c->images[0].context == "services/graph");  // defaults to source
  CHECK(c->images[0].repository_key == "image.repository");
  CHECK(c->images[0].tag_key == "image.tag");
  CHECK(c->live_update.run[0].trigger == std::vector<std::string>{"services/graph/go.mod"});
  CHECK(c->depends_on == std::vector<std::string>{"platform"});
  CHECK_FALSE(c->tilt_value_files);
  CHECK(c->line_of("/images/0/name") == 8);
}

TEST_CASE("parse_component reports unknown fields at their line and keeps the component") {
  auto f = parse_loaded("c.yaml", std::string(kGraph) + "replicas: 2\nimages2: []\n", {});
  std::vector<Finding> findings;
  auto c = one(f, findings);
  CHECK(c);
  REQUIRE(findings.size() == 2);
  CHECK(findings[0].rule == "unknown-field");
  CHECK(findings[0].line == 17);
  CHECK(findings[0].app == "apps-graph");
}

TEST_CASE("parse_component rejects what cannot be planned") {
  std::vector<Finding> findings;
  CHECK_FALSE(one(parse_loaded("e.yaml", "", {}), findings));
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].message == "component file is empty");
  findings.clear();
  CHECK_FALSE(one(parse_loaded("s.yaml", "just text\n", {}), findings));
  CHECK(findings[0].message == "component file must be a YAML mapping");
  findings.clear();
  CHECK_FALSE(one(parse_loaded("n.yaml", "namespace: a\nchart: c\n", {}), findings));
  CHECK(findings[0].message == "required field 'name' is missing");
  findings.clear();
  CHECK_FALSE(one(parse_loaded("l.yaml", "name: x\nnamespace: a\nchart: c\nlanguage: cobol\n", {}), findings));
  CHECK(findings[0].line == 4);
  findings.clear();
  CHECK_FALSE(one(parse_loaded("t.yaml", "name: Bad_Name\nnamespace: a\nchart: c\nimages: {}\n", {}), findings));
  CHECK(findings.size() == 2);
}

TEST_CASE("parse_components makes one component per item of a YAML list file (git.go:221-236, v3.4.7)") {
  auto f = parse_loaded("l.yaml", "- {name: a, namespace: n, chart: c}\n- {name: b, namespace: n, chart: c}\n- just text\n", {});
  std::vector<Finding> findings;
  size_t failed = 0;
  auto all = parse_components(f, findings, &failed);
  REQUIRE(all.size() == 2);
  CHECK(all[1].name == "b");
  CHECK(all[1].element == 1);
  CHECK(all[1].base == "/1");
  CHECK(all[1].line_of("/name") == 2);
  CHECK(failed == 1);
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].line == 3);
  CHECK(findings[0].message == "each list item must be a mapping");
}

TEST_CASE("value_key_pointer") {
  CHECK(value_key_pointer("image.repository") == "/image/repository");
  CHECK(value_key_pointer("worker.image.tag") == "/worker/image/tag");
}
