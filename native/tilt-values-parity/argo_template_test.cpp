#include "argo_template.hpp"

#include <doctest/doctest.h>

#include "core/argocd.hpp"

using namespace ath::values_parity;

namespace {
const RenderMode kGo{true, {MissingKey::Error}};
json params() {
  return generator_params({{"name", "graph"}, {"chart", "values/charts/app"}, {"n", 3.0}}, "values/components/graph/component.yaml");
}
}  // namespace

TEST_CASE("generator_params gives the git files generator's path parameters (git.go:243-258, v3.4.7)") {
  json p = params();
  CHECK(p["path"]["path"] == "values/components/graph");
  CHECK(p["path"]["basename"] == "graph");
  CHECK(p["path"]["filename"] == "component.yaml");
  CHECK(p["path"]["segments"] == json({"values", "components", "graph"}));
  CHECK(generator_params(json::object(), "x/Web_App/c.yaml")["path"]["basenameNormalized"] == "web-app");
  CHECK(generator_params(json::object(), "x/graph_/c.yaml")["path"]["basenameNormalized"] == "graph");
  CHECK(generator_params({{"path", "mine"}}, "a/b/c.yaml")["path"]["basename"] == "b");  // the generator's own wins
}

TEST_CASE("generator_params without goTemplate: flat strings with %v, path[N] (git.go:259-281, v3.4.7)") {
  json p = generator_params({{"name", "graph"}, {"port", 8080.0}, {"big", 1e6}, {"on", true}, {"meta", {{"team", "a"}}},
                             {"list", {"x", "y"}}},
                            "values/components/graph/component.yaml", false);
  CHECK(p["name"] == "graph");
  CHECK(p["port"] == "8080");
  CHECK(p["big"] == "1e+06");
  CHECK(p["on"] == "true");
  CHECK(p["meta.team"] == "a");
  CHECK(p["list.1"] == "y");
  CHECK(p["path"] == "values/components/graph");
  CHECK(p["path.basename"] == "graph");
  CHECK(p["path[2]"] == "graph");
  CHECK_THROWS_AS(generator_params({{"empty", json::object()}}, "a/b.yaml", false), TemplateError);
}

TEST_CASE("render_string honours goTemplate: fasttemplate leaves Go syntax and unknown tags literal") {
  json flat = generator_params({{"name", "graph"}}, "values/components/graph/component.yaml", false);
  RenderMode fast;
  CHECK(render_string("apps-{{name}}", flat, fast) == "apps-graph");
  CHECK(render_string("apps-{{ path.basename }}", flat, fast) == "apps-graph");
  CHECK(render_string("apps-{{.name}}", flat, fast) == "apps-{{.name}}");
  CHECK(render_string("apps-{{.name}}", params(), kGo) == "apps-graph");
  RenderMode lax{true, {MissingKey::Default}};
  CHECK(render_string("{{.nope}}", params(), lax) == "<no value>");
  CHECK_THROWS_AS(render_string("{{.nope}}", params(), kGo), TemplateError);
}

TEST_CASE("render_mode reads goTemplate and goTemplateOptions") {
  auto m = render_mode(json::parse(R"({"spec":{"goTemplate":true,"goTemplateOptions":["missingkey=error"]}})"));
  CHECK(m.go_template);
  CHECK(m.options.missing_key == MissingKey::Error);
  CHECK_FALSE(render_mode(json::parse(R"({"spec":{}})")).go_template);
  CHECK_THROWS_AS(render_mode(json::parse(R"({"spec":{"goTemplate":true,"goTemplateOptions":["nope"]}})")), TemplateError);
  // fasttemplate ignores the options (differential case: goTemplate unset, missingkey=bogus)
  CHECK_FALSE(render_mode(json::parse(R"({"spec":{"goTemplateOptions":["nope"]}})")).go_template);
}

TEST_CASE("render_application extracts chart, release and raw value files, then applies templatePatch") {
  json appset = json::parse(R"({"spec":{
    "template":{"metadata":{"name":"apps-{{.name}}"},"spec":{"project":"default",
      "sources":[{"repoURL":"https://r","targetRevision":"main","path":"{{.chart}}",
                  "helm":{"valueFiles":["$values/values/_shared/apps-{{.path.basename}}.yaml","../../dev/{{.name}}.yaml"]}},
                 {"ref":"values"}],
      "destination":{"namespace":"ameide"},
      "syncPolicy":{"automated":{"prune":true}}}},
    "templatePatch":"spec:\n  syncPolicy:\n    automated: null\n    syncOptions: [CreateNamespace=true]\n"}})");
  ArgoApp app = render_application(appset, params(), kGo);
  CHECK(app.problems.empty());
  CHECK(app.name == "apps-graph");
  CHECK(app.release == "apps-graph");
  CHECK(app.chart == "values/charts/app");
  CHECK(app.raw_value_files == std::vector<std::string>{"$values/values/_shared/apps-graph.yaml", "../../dev/graph.yaml"});
  CHECK(app.raw_value_file_pointers[1] == "/spec/template/spec/sources/0/helm/valueFiles/1");
  CHECK(app.refs == std::vector<std::string>{"values"});
  CHECK(app.project == "default");
  CHECK_FALSE(ath::argocd::app_auto_sync_on(app.application));
  CHECK(app.application["spec"]["syncPolicy"]["syncOptions"][0] == "CreateNamespace=true");
}

TEST_CASE("render_application reports what it cannot render") {
  CHECK(render_application(json::parse(R"({"spec":{}})"), params(), kGo).problems.size() == 1);
  CHECK(render_application(json::parse(R"({"spec":{"template":{"spec":{"sources":[{"ref":"v"}]}}}})"), params(), kGo).problems.size() == 1);
  json appset = json::parse(R"({"spec":{"template":{"metadata":{"name":"{{.nope}}"},"spec":{"source":{"path":"c"}}}}})");
  auto app = render_application(appset, params(), kGo);
  REQUIRE(app.problems.size() == 1);
  CHECK(app.problems[0].pointer == "/spec/template/metadata/name");
}

TEST_CASE("templatePatch is read as YAML 1.1, and a field Argo CD's Application cannot decode is a problem") {
  // differential regression: a patch `namespace: {{ .tier }}` with tier `on` is a boolean in
  // Argo CD, whose typed Application then fails to decode; the plan said namespace "".
  json appset = json::parse(R"({"spec":{
    "template":{"metadata":{"name":"apps-{{.name}}"},"spec":{"project":"default",
      "source":{"path":"values/charts/app"},"destination":{"namespace":"x"}}},
    "templatePatch":"spec:\n  destination:\n    namespace: {{ .tier }}\n"}})");
  for (const char* tier : {"on", "012", "1.0", "~"}) {
    CAPTURE(tier);
    json p = params();
    p["tier"] = tier;
    auto app = render_application(appset, p, kGo);
    if (std::string(tier) == "~") {  // null: Go's zero value, the patch removes the key
      CHECK(app.problems.empty());
      CHECK(app.namespace_.empty());
      continue;
    }
    REQUIRE(app.problems.size() == 1);
    CHECK(app.problems[0].pointer == "/spec/templatePatch");
    CHECK(app.problems[0].message.find("at /spec/destination/namespace") != std::string::npos);
    CHECK(app.problems[0].message.find("cannot decode") != std::string::npos);
  }
  json quoted = appset;
  quoted["spec"]["templatePatch"] = "spec:\n  destination:\n    namespace: '{{ .tier }}'\n";
  json p = params();
  p["tier"] = "on";
  auto app = render_application(quoted, p, kGo);
  CHECK(app.problems.empty());
  CHECK(app.namespace_ == "on");
  // the template itself: a number where the Application has text
  json numeric = json::parse(R"({"spec":{"template":{"metadata":{"name":"a"},"spec":{"source":{"path":"c","helm":{"releaseName":12}}}}}})");
  REQUIRE(render_application(numeric, params(), kGo).problems.size() == 1);
  CHECK(render_application(numeric, params(), kGo).problems[0].pointer == "/spec/template/spec/source/helm/releaseName");
  // a patch that renders to nothing changes nothing (differential case: `{{ if ... }}...{{ end }}`)
  json conditional = appset;
  conditional["spec"]["templatePatch"] = "{{ if eq .name \"other\" }}spec:\n  destination:\n    namespace: other\n{{ end }}\n";
  app = render_application(conditional, params(), kGo);
  CHECK(app.problems.empty());
  CHECK(app.namespace_ == "x");
  CHECK(app.chart == "values/charts/app");
  // the project cannot be patched (patch.go:38)
  json project = appset;
  project["spec"]["templatePatch"] = "spec:\n  project: other\n";
  CHECK(render_application(project, params(), kGo).project == "default");
}

TEST_CASE("git_file_patterns") {
  json appset = json::parse(R"({"spec":{"generators":[{"list":{}},{"git":{"pathParamPrefix":"p","files":[{"path":"a/*/c.yaml"},{"path":"a/x/c.yaml","exclude":true}]}}]}})");
  auto g = git_file_patterns(appset);
  CHECK(g.include == std::vector<std::string>{"a/*/c.yaml"});
  CHECK(g.exclude == std::vector<std::string>{"a/x/c.yaml"});
  CHECK(g.unsupported.size() == 1);
  CHECK(git_file_patterns(json::parse(R"({"spec":"odd"})")).include.empty());
}
