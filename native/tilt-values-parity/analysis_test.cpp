#include "analysis.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <iterator>

#include "test_util.hpp"

using namespace ath::values_parity;

namespace {
std::string dump(const std::vector<Finding>& findings) {
  std::string out;
  for (const auto& f : findings) out += f.file + ":" + std::to_string(f.line) + " " + f.rule + ": " + f.message + "\n";
  return out;
}
}  // namespace

TEST_CASE("the embedded workspace passes and plans all twelve apps") {
  Analysis a = analyse_workspace(ATH_VALUES_ROOT, "dev");
  INFO(dump(a.findings));
  CHECK(a.findings.empty());
  CHECK(a.unplanned.empty());
  REQUIRE(a.plans.size() == 12);
  CHECK(a.plans.front().name == "apps-agents");
  for (const auto& p : a.plans) {
    CHECK(p.release == p.name);
    CHECK(p.value_files.size() == 2);
    CHECK(p.chart == "values/charts/app");
  }
}

TEST_CASE("bad input ends in a malformed-yaml finding, never a crash") {
  struct Case {
    const char* name;
    std::string text;
  };
  std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  for (char c = 'b'; c <= 'h'; ++c)
    bomb += std::string(1, c) + ": &" + std::string(1, c) + " [*" + std::string(1, c - 1) + ", *" + std::string(1, c - 1) +
            ", *" + std::string(1, c - 1) + ", *" + std::string(1, c - 1) + ", *" + std::string(1, c - 1) + ", *" +
            std::string(1, c - 1) + ", *" + std::string(1, c - 1) + ", *" + std::string(1, c - 1) + ", *" +
            std::string(1, c - 1) + ", *" + std::string(1, c - 1) + "]\n";
  std::string deep;
  for (int i = 0; i < 5000; ++i) deep += std::string(static_cast<size_t>(i), ' ') + "k:\n";
  const Case cases[] = {
      {"binary", std::string("\x7f" "ELF\x02\x01\x01\0\0\0", 10)},
      {"alias bomb", bomb},
      {"deep nesting", deep},
      {"huge", std::string(10u << 20, '#')},
      {"syntax", "image: [unclosed\n"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    testing::TempDir tmp;
    auto root = tmp.copy_values();
    std::ofstream(root / "_shared/apps/apps-graph.yaml", std::ios::binary | std::ios::trunc) << c.text;
    Analysis a = analyse_workspace(root, "dev");
    INFO(dump(a.findings));
    REQUIRE(a.findings.size() == 1);
    CHECK(a.findings[0].rule == "malformed-yaml");
    CHECK(a.findings[0].file == "values/_shared/apps/apps-graph.yaml");
  }
}

TEST_CASE("an empty or junk component file is reported and the rest is still planned") {
  testing::TempDir tmp;
  auto root = tmp.copy_values();
  std::ofstream(root / "components/graph/component.yaml", std::ios::trunc) << "";
  Analysis a = analyse_workspace(root, "dev");
  INFO(dump(a.findings));
  REQUIRE(a.findings.size() >= 1);
  CHECK(a.findings[0].rule == "invalid-component");
  CHECK(a.plans.size() == 11);
  CHECK(a.unplanned == std::vector<std::string>{"values/components/graph/component.yaml"});
}

TEST_CASE("an empty ApplicationSet file stops the check with an error") {
  testing::TempDir tmp;
  auto root = tmp.copy_values();
  std::ofstream(root / "argocd/apps-dev.yaml", std::ios::trunc) << "";
  CHECK_THROWS_WITH_AS(analyse_workspace(root, "dev"), doctest::Contains("no ApplicationSet in values/argocd/apps-dev.yaml"),
                       WorkspaceError);
}

TEST_CASE("a finding on an ApplicationSet line is reported once and names every app it hits") {
  testing::TempDir tmp;
  auto root = tmp.copy_values();
  std::ifstream in(root / "argocd/apps-dev.yaml");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string dev = "/dev/apps/apps-{{.path.basename}}.yaml";
  REQUIRE(text.find(dev) != std::string::npos);
  text.replace(text.find(dev), dev.size(), "/staging/apps/apps-{{.path.basename}}.yaml");
  std::ofstream(root / "argocd/apps-dev.yaml", std::ios::trunc) << text;
  Analysis a = analyse_workspace(root, "dev");
  INFO(dump(a.findings));
  std::vector<Finding> mismatches;
  for (const auto& f : a.findings)
    if (f.rule == "value-files-mismatch") mismatches.push_back(f);
  REQUIRE(mismatches.size() == 1);
  const Finding& f = mismatches[0];
  CHECK(f.file == "values/argocd/apps-dev.yaml");
  CHECK(f.line == 51);
  CHECK(f.message.find("(11 more apps hit this line)") != std::string::npos);
  std::vector<std::string> apps{f.app};
  apps.insert(apps.end(), f.more_apps.begin(), f.more_apps.end());
  std::sort(apps.begin(), apps.end());
  std::vector<std::string> planned;
  for (const auto& p : a.plans) planned.push_back(p.name);
  CHECK(apps == planned);  // each of the twelve once
}
