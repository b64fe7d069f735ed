#include "go_template.hpp"

#include <doctest/doctest.h>

using namespace ath::values_parity;

// Expected outputs were produced by Go's text/template + sprig (the oracle's build) on the
// same data: test/oracle/README.md says how to reproduce them.
namespace {
json data() {
  return json::parse(R"({"name":"graph","port":8080.0,"empty":"","l":["a","b"],
                          "m":{"a":"x","b":1.0,"c":null,"d":[true,true]},
                          "path":{"basename":"graph","segments":["values","components","graph"]}})");
}
std::string go(const std::string& t, MissingKey mk = MissingKey::Default) { return render_go_template(t, data(), {mk}); }
}  // namespace

TEST_CASE("fields, printing and missing keys per goTemplateOptions") {
  CHECK(go("apps-{{.name}}") == "apps-graph");
  CHECK(go("{{.m}}") == "map[a:x b:1 c:<nil> d:[true true]]");
  CHECK(go("{{.path.segments}}") == "[values components graph]");
  CHECK(go("{{.missing}}") == "<no value>");
  CHECK(go("{{.missing}}", MissingKey::Zero) == "<no value>");
  CHECK_THROWS_WITH_AS(go("{{.missing}}", MissingKey::Error), doctest::Contains("map has no entry for key \"missing\""), TemplateError);
  CHECK(go("{{.missing.x}}") == "<no value>");
  CHECK_THROWS_WITH_AS(go("{{.missing.x}}", MissingKey::Zero), doctest::Contains("nil pointer"), TemplateError);
  CHECK(go("{{.m.c}}") == "<no value>");
  CHECK_THROWS_WITH_AS(go("{{.name.x}}"), doctest::Contains("can't evaluate field x"), TemplateError);
}

TEST_CASE("index: lists, maps, a missing key gives no value") {
  CHECK(go("{{index .path.segments 0}}") == "values");
  CHECK(go("{{ index .m \"zz\" }}") == "<no value>");
  CHECK(go("{{ index .m \"zz\" | quote }}").empty());
  CHECK(go("{{ (index .m \"zz\").x }}") == "<no value>");
  CHECK_THROWS_WITH_AS(go("{{ index .l 5 }}"), doctest::Contains("index out of range: 5"), TemplateError);
  CHECK_THROWS_WITH_AS(go("{{ index .missing \"a\" }}"), doctest::Contains("index of untyped nil"), TemplateError);
  CHECK_THROWS_AS(go("{{ index .port 1 }}"), TemplateError);
}

TEST_CASE("control structures, variables and trim markers") {
  CHECK(go("{{ if .missing }}y{{ else }}n{{ end }}") == "n");
  CHECK(go("{{ if eq .name \"x\" }}1{{ else if eq .name \"graph\" }}2{{ else }}3{{ end }}") == "2");
  CHECK(go("{{ with .m }}{{ .a }}{{ end }}") == "x");
  CHECK(go("{{ with .alias }}{{ . }}{{ else }}{{ $.name }}{{ end }}") == "graph");
  CHECK(go("{{ range $k, $v := .m }}{{ $k }}={{ $v }};{{ end }}") == "a=x;b=1;c=<no value>;d=[true true];");
  CHECK(go("{{ range .l }}[{{ . }}]{{ end }}") == "[a][b]");
  CHECK(go("{{ range .missing }}x{{ else }}none{{ end }}") == "none");
  CHECK(go("{{ $x := .name }}{{ $x = \"y\" }}{{ $x }}") == "y");
  CHECK(go("a  {{- .name -}}  b") == "agraphb");
  CHECK(go("{{- \" x \" -}}") == " x ");
  CHECK(go("{{.name}}{{/* a comment with }} inside */}}") == "graph");
  CHECK(go("{{ \"}}\" }}{{ `{{` }}") == "}}{{");
}

TEST_CASE("builtins and sprig functions with Go's types") {
  CHECK(go("{{ eq .port 8080.0 }}") == "true");
  CHECK_THROWS_WITH_AS(go("{{ eq .port 8080 }}"), doctest::Contains("incompatible types"), TemplateError);
  CHECK(go("{{ eq .name \"graph\" \"x\" }}") == "true");
  CHECK(go("{{ eq .missing \"x\" }}") == "false");
  CHECK(go("{{ eq .missing .m.c }}") == "true");
  CHECK(go("{{ ne .name \"graph\" }}") == "false");
  CHECK(go("{{ or .missing .name }}") == "graph");
  CHECK(go("{{ and .name .port }}") == "8080");
  CHECK(go("{{ not .missing }}") == "true");
  CHECK(go("{{ default \"d\" .missing }}{{ default \"d\" .empty }}{{ .missing | default \"d\" }}{{ default \"d\" .m.c }}") == "dddd");
  CHECK(go("{{ quote .name .port .missing }}") == "\"graph\" \"8080\"");
  CHECK(go("{{ quote .m.d }}") == "\"[true true]\"");
  CHECK(go("{{ printf \"%s-%v-%d\" .name .port 3 }}") == "graph-8080-3");
  CHECK(go("{{ \"a\" | printf \"%s-%s\" \"b\" }}") == "b-a");
  CHECK(go("{{ replace \"a\" \"b\" \"aXa\" }}{{ trim \"  x  \" }}{{ upper .name | lower }}") == "bXbxgraph");
  CHECK(go("{{ 1e3 }} {{ -3 }}") == "1000 -3");
  CHECK(go("{{ normalize \"Graph_\" }}") == "graph");
  CHECK(go("{{ toYaml .l }}") == "- a\n- b");
  CHECK(go("{{ toYaml \"on\" }}") == "\"on\"");
  CHECK(go("{{ toYaml \"2001-12-14\" }}") == "\"2001-12-14\"");  // a date: yaml.v2 quotes it
  CHECK_THROWS_WITH_AS(go("{{ lower .port }}"), doctest::Contains("expected string"), TemplateError);
  CHECK_THROWS_WITH_AS(go("{{ upper .missing }}"), doctest::Contains("expected string"), TemplateError);
}

TEST_CASE("what is not modelled is refused, never guessed") {
  CHECK_THROWS_WITH_AS(go("{{ .name | sha256sum }}"), doctest::Contains("not modelled"), TemplateError);
  CHECK_THROWS_WITH_AS(go("{{ printf \"%d\" .port }}"), doctest::Contains("not modelled"), TemplateError);  // Go: %!d(float64=8080)
  CHECK_THROWS_WITH_AS(go("{{ template \"x\" }}"), doctest::Contains("not modelled"), TemplateError);
  CHECK_THROWS_AS(go("{{ .name "), TemplateError);
  CHECK_THROWS_AS(go("{{ if .name }}x"), TemplateError);
  CHECK_THROWS_AS(parse_go_template_options(json::array({"missingkey=maybe"})), TemplateError);
}

TEST_CASE("fasttemplate, as Replace uses it without goTemplate") {
  std::map<std::string, std::string> p = {{"name", "graph"}, {"path.basename", "graph"}};
  CHECK(render_fasttemplate("apps-{{name}}-{{ path.basename }}", p) == "apps-graph-graph");
  CHECK(render_fasttemplate("apps-{{.name}}-{{unknown}}-{{ }}", p) == "apps-{{.name}}-{{unknown}}-{{ }}");
  CHECK(render_fasttemplate("no tags", p) == "no tags");
  CHECK(render_fasttemplate("{{name\n}}", p) == "{{name\n}}");  // not one line: untouched
  CHECK_THROWS_AS(render_fasttemplate("{{name}} {{open", p), TemplateError);
}
