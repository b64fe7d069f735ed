#include "workspace.hpp"

#include <doctest/doctest.h>

#include "test_util.hpp"

using namespace ath::values_parity;

TEST_CASE("expand_convention replaces env and component") {
  CHECK(expand_convention("{env}/apps/apps-{component}.yaml", "dev", "graph") == "dev/apps/apps-graph.yaml");
  CHECK(expand_convention("argocd/apps-{env}-{env}.yaml", "prod", "") == "argocd/apps-prod-prod.yaml");
}

TEST_CASE("parse_workspace_config: defaults, values and unknown fields") {
  auto none = parse_loaded("values/workspace.yaml", "", {});
  std::vector<Finding> findings;
  auto cfg = parse_workspace_config(none, findings);
  CHECK(cfg.env_values == "{env}/apps/apps-{component}.yaml");
  CHECK(findings.empty());
  auto f = parse_loaded("values/workspace.yaml", "repoRoot: ../..\nargoOnlyEnvs: [prod]\nsharedValue: x\n", {});
  cfg = parse_workspace_config(f, findings);
  CHECK(cfg.repo_root == "../..");
  CHECK(cfg.argo_only_envs == std::vector<std::string>{"prod"});
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].rule == "invalid-workspace");
  CHECK(findings[0].line == 3);
}

TEST_CASE("expand_glob matches one segment with * and any depth with **") {
  testing::TempDir tmp;
  tmp.write("values/components/a/component.yaml", "");
  tmp.write("values/components/b/component.yaml", "");
  tmp.write("values/components/b/other.yaml", "");
  tmp.write("values/components/deep/x/component.yaml", "");
  CHECK(expand_glob(tmp.path, "values/components/*/component.yaml") ==
        std::vector<std::string>{"values/components/a/component.yaml", "values/components/b/component.yaml"});
  CHECK(expand_glob(tmp.path, "values/**/component.yaml").size() == 3);
  CHECK(expand_glob(tmp.path, "values/components/a/component.yaml").size() == 1);
  CHECK(expand_glob(tmp.path, "nothing/*/here.yaml").empty());
}

TEST_CASE("find_default_root looks above the working directory, then above the executable") {
  testing::TempDir tmp;
  tmp.write("repo/values/workspace.yaml", "");
  tmp.write("repo/build/bin/tool", "");
  tmp.write("elsewhere/x", "");
  CHECK(find_default_root(tmp.path / "repo/values/argocd", "") == std::filesystem::canonical(tmp.path / "repo/values"));
  CHECK(find_default_root(tmp.path / "elsewhere", tmp.path / "repo/build/bin/tool") ==
        std::filesystem::canonical(tmp.path / "repo/values"));
  CHECK_FALSE(find_default_root(tmp.path / "elsewhere", tmp.path / "elsewhere/x"));
}

TEST_CASE("open_workspace: errors that stop the check name the path") {
  testing::TempDir tmp;
  std::vector<Finding> findings;
  CHECK_THROWS_WITH_AS(open_workspace(tmp.path / "missing", "dev", {}, findings), doctest::Contains("not a directory"),
                       WorkspaceError);
  tmp.write("values/workspace.yaml", "");
  CHECK_THROWS_WITH_AS(open_workspace(tmp.path / "values", "dev", {}, findings),
                       doctest::Contains("no ApplicationSet file for env 'dev'"), WorkspaceError);
  tmp.write("values/argocd/apps-dev.yaml", "kind: ApplicationSet\n");
  auto ws = open_workspace(tmp.path / "values", "dev", {}, findings);
  CHECK(ws.root_rel == "values");
  CHECK(ws.application_set_files == std::vector<std::string>{"values/argocd/apps-dev.yaml"});
  CHECK(ws.files.count("values/workspace.yaml"));
}
