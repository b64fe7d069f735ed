#include "value_files.hpp"

#include <doctest/doctest.h>

#include <set>

using namespace ath::values_parity;

namespace {
const std::set<std::string> kFiles = {"values/_shared/apps/apps-graph.yaml", "values/dev/apps/apps-graph.yaml",
                                      "values/dev/apps/apps-graph-extra.yaml", "values/charts/app/values-dev.yaml"};

RepoView repo() {
  return {[](const std::string& p) { return kFiles.count(p) > 0; },
          [](const std::string& pattern) {
            std::vector<std::string> out;
            std::string prefix = pattern.substr(0, pattern.find('*'));
            for (const auto& f : kFiles)
              if (f.rfind(prefix, 0) == 0 && f.size() >= 5 && f.compare(f.size() - 5, 5, ".yaml") == 0) out.push_back(f);
            return out;
          }};
}

ArgoApp app(std::vector<std::string> raw) {
  ArgoApp a;
  a.name = "apps-graph";
  a.namespace_ = "ameide";
  a.chart = "values/charts/app";
  a.source_path = "values/charts/app";
  a.refs = {"values"};
  a.raw_value_files = std::move(raw);
  for (size_t i = 0; i < a.raw_value_files.size(); ++i) a.raw_value_file_pointers.push_back("/p/" + std::to_string(i));
  return a;
}
}  // namespace

TEST_CASE("value files resolve as the repo-server does (repository.go:1381-1490, util/io/path/resolved.go:135, v3.4.7)") {
  auto a = app({"$values/values/_shared/apps/apps-graph.yaml",  // ref source: from its root
                "/values/dev/apps/apps-graph.yaml",             // absolute: from the repository root
                "values-dev.yaml",                              // relative: from the chart folder
                "$values/values/_shared/apps/$ARGOCD_APP_NAME.yaml"});  // app variables, duplicate dropped
  resolve_value_files(a, repo());
  CHECK(a.problems.empty());
  CHECK(a.value_files == std::vector<std::string>{"values/_shared/apps/apps-graph.yaml", "values/dev/apps/apps-graph.yaml",
                                                  "values/charts/app/values-dev.yaml"});
  CHECK(a.value_file_pointers[2] == "/p/2");
}

TEST_CASE("value-file globs expand in order and leave explicit entries in their own place (3.4+)") {
  auto a = app({"$values/values/dev/apps/apps-graph*.yaml", "$values/values/dev/apps/apps-graph.yaml"});
  resolve_value_files(a, repo());
  CHECK(a.value_files == std::vector<std::string>{"values/dev/apps/apps-graph-extra.yaml", "values/dev/apps/apps-graph.yaml"});
  auto none = app({"$values/values/none/*.yaml"});
  resolve_value_files(none, repo());
  REQUIRE(none.problems.size() == 1);
  CHECK(none.problems[0].message.find("matches no file") != std::string::npos);
  none = app({"$values/values/none/*.yaml", "/values/missing.yaml"});
  none.ignore_missing_value_files = true;
  resolve_value_files(none, repo());
  CHECK(none.problems.empty());
  CHECK(none.value_files.empty());
}

TEST_CASE("value files Argo CD rejects or tilt-values-parity cannot know are problems") {
  auto a = app({"../../../../x.yaml", "https://host/x.yaml", "$values/$ARGOCD_APP_REVISION.yaml", "$values", "$$x/y.yaml"});
  resolve_value_files(a, repo());
  REQUIRE(a.problems.size() == 4);
  CHECK(a.problems[0].message.find("outside the repository") != std::string::npos);
  CHECK(a.problems[1].message.find("remote URL") != std::string::npos);
  CHECK(a.problems[2].message.find("ARGOCD_APP_REVISION") != std::string::npos);
  CHECK(a.problems[3].message.find("repository root") != std::string::npos);
  CHECK(a.value_files == std::vector<std::string>{"values/charts/app/$x/y.yaml"});  // $$ is a literal $
}

TEST_CASE("$ARGOCD_APP_SOURCE_PATH is the source path as written, not the normalised chart") {
  auto a = app({"$values/$ARGOCD_APP_SOURCE_PATH/values-dev.yaml", "$values/values/dev/apps/apps-graph$ARGOCD_APP_SOURCE_PATH.yaml"});
  a.source_path = "./values/charts/app/";
  resolve_value_files(a, repo());
  CHECK(a.problems.empty());
  CHECK(a.value_files == std::vector<std::string>{"values/charts/app/values-dev.yaml",
                                                  "values/dev/apps/apps-graph./values/charts/app/.yaml"});
}
