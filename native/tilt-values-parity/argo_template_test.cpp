#include "argo_template.hpp"

#include <doctest/doctest.h>

using namespace tvp;

namespace {
json params() { return generator_params({{"name", "graph"}, {"chart", "values/charts/app"}, {"n", 3}}, "values/components/graph/component.yaml"); }
}

TEST_CASE("generator_params gives the git files generator's path parameters") {
  json p = params();
  CHECK(p["path"]["path"] == "values/components/graph");
  CHECK(p["path"]["basename"] == "graph");
  CHECK(p["path"]["filename"] == "component.yaml");
  CHECK(p["path"]["segments"] == json({"values", "components", "graph"}));
  CHECK(generator_params(json::object(), "x/Web_App/c.yaml")["path"]["basenameNormalized"] == "web-app");
}

TEST_CASE("render_template_string resolves fields, index, pipelines and trim markers") {
  json p = params();
  CHECK(render_template_string("apps-{{.name}}", p) == "apps-graph");
  CHECK(render_template_string("{{ .path.basename }}/{{index .path.segments 0}}", p) == "graph/values");
  CHECK(render_template_string("{{ index .path \"basename\" | upper }}", p) == "GRAPH");
  CHECK(render_template_string("a  {{- .name -}}  b", p) == "agraphb");
  CHECK(render_template_string("{{.n}}{{/* note */}}", p) == "3");
  CHECK(render_template_string("no actions", p) == "no actions");
}

TEST_CASE("render_template_string refuses what it cannot resolve") {
  json p = params();
  CHECK_THROWS_WITH_AS(render_template_string("{{.nope}}", p), doctest::Contains("no entry for key \"nope\""), TemplateError);
  CHECK_THROWS_WITH_AS(render_template_string("{{index .path.segments 9}}", p), doctest::Contains("out of range"), TemplateError);
  CHECK_THROWS_WITH_AS(render_template_string("{{if .name}}x{{end}}", p), doctest::Contains("control structures"), TemplateError);
  CHECK_THROWS_WITH_AS(render_template_string("{{ .name | sha256sum }}", p), doctest::Contains("sha256sum"), TemplateError);
  CHECK_THROWS_WITH_AS(render_template_string("{{ .path }}", p), doctest::Contains("yields a map"), TemplateError);
  CHECK_THROWS_WITH_AS(render_template_string("{{ .name ", p), doctest::Contains("unclosed"), TemplateError);
}

TEST_CASE("render_application resolves chart, release and value files, then applies templatePatch") {
  json appset = json::parse(R"({"spec":{
    "template":{"metadata":{"name":"apps-{{.name}}"},"spec":{
      "sources":[{"path":"{{.chart}}","helm":{"valueFiles":["$values/values/_shared/apps-{{.path.basename}}.yaml","../../dev/{{.name}}.yaml"]}},
                 {"ref":"values"}],
      "destination":{"namespace":"ameide"},
      "syncPolicy":{"automated":{"prune":true}}}},
    "templatePatch":"spec:\n  syncPolicy:\n    automated: null\n    syncOptions: [CreateNamespace=true]\n"}})");
  ArgoApp app = render_application(appset, params());
  CHECK(app.problems.empty());
  CHECK(app.name == "apps-graph");
  CHECK(app.release == "apps-graph");
  CHECK(app.chart == "values/charts/app");
  CHECK(app.value_files == std::vector<std::string>{"values/_shared/apps-graph.yaml", "values/dev/graph.yaml"});
  CHECK(app.value_file_pointers[1] == "/spec/template/spec/sources/0/helm/valueFiles/1");
  CHECK_FALSE(auto_sync_on(app.application["spec"]["syncPolicy"]));
  CHECK(app.application["spec"]["syncPolicy"]["syncOptions"][0] == "CreateNamespace=true");
}

TEST_CASE("render_application reports unknown refs, remote files and missing paths") {
  json appset = json::parse(R"({"spec":{"template":{"metadata":{"name":"a"},"spec":{
      "source":{"path":"charts/x","helm":{"releaseName":"rel","valueFiles":["$other/x.yaml","https://h/x.yaml","v.yaml"]}}}}}})");
  ArgoApp app = render_application(appset, params());
  CHECK(app.release == "rel");
  CHECK(app.value_files == std::vector<std::string>{"charts/x/v.yaml"});
  REQUIRE(app.problems.size() == 2);
  CHECK(app.problems[0].pointer == "/spec/template/spec/source/helm/valueFiles/0");
  CHECK(render_application(json::parse(R"({"spec":{}})"), params()).problems.size() == 1);
  CHECK(render_application(json::parse(R"({"spec":{"template":{"spec":{"sources":[{"ref":"v"}]}}}})"), params()).problems.size() == 1);
}

TEST_CASE("auto_sync_on and git_file_globs") {
  CHECK(auto_sync_on({{"automated", json::object()}}));
  CHECK(auto_sync_on({{"automated", {{"enabled", nullptr}}}}));
  CHECK_FALSE(auto_sync_on({{"automated", {{"enabled", false}}}}));
  CHECK_FALSE(auto_sync_on({{"syncOptions", json::array()}}));
  json appset = json::parse(R"({"spec":{"generators":[{"list":{}},{"git":{"files":[{"path":"a/*/c.yaml"},{"path":"a/x/c.yaml","exclude":true}]}}]}})");
  CHECK(git_file_globs(appset) == std::vector<std::string>{"a/*/c.yaml"});
  CHECK(git_file_globs(json::parse(R"({"spec":"odd"})")).empty());
}
