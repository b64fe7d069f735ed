#include "isolated_names.hpp"

#include <doctest/doctest.h>

using namespace ath;
using json = nlohmann::json;

TEST_CASE("isolated release name: <release>-tilt, or <release>-<suffix>") {
  CHECK(isolated_release_name("apps-graph", "").name == "apps-graph-tilt");
  CHECK(isolated_release_name("apps-graph", "").error.empty());
  CHECK(isolated_release_name("apps-graph", "alice").name == "apps-graph-alice");
  CHECK(isolated_name_args("apps-graph-tilt") == std::vector<std::string>{"--set-string", "fullnameOverride=apps-graph-tilt"});
}

TEST_CASE("isolated release name: a suffix that is not DNS-1123 names the rule and the fix") {
  auto r = isolated_release_name("apps-graph", "Alice_B");
  CHECK(r.error.find("DNS-1123") != std::string::npos);
  CHECK(r.error.find("suffix") != std::string::npos);
}

TEST_CASE("isolated release name: Helm's 53-character limit (pkg/chartutil/validate_name.go:61, helm v3.17.2)") {
  const std::string base(48, 'a');  // 48 + "-tilt" = 53: allowed
  CHECK(isolated_release_name(base, "").error.empty());
  auto r = isolated_release_name(base + "b", "");
  CHECK(r.error.find("53-character") != std::string::npos);
  CHECK(r.error.find("shorter release") != std::string::npos);
  auto s = isolated_release_name("apps-graph", std::string(43, 'x'));
  CHECK(s.error.find("--isolate-suffix") != std::string::npos);
}

TEST_CASE("object identities: namespaced objects in the render's namespace, cluster-scoped ones in none") {
  std::vector<json> objects{{{"kind", "Deployment"}, {"metadata", {{"name", "apps-graph-tilt"}}}},
                            {{"kind", "Service"}, {"metadata", {{"name", "x"}, {"namespace", "other"}}}},
                            {{"kind", "ClusterRole"}, {"metadata", {{"name", "shared"}}}},
                            {{"kind", "ConfigMap"}, {"metadata", "not an object"}},
                            json()};
  CHECK(object_identities(objects, "ameide") ==
        std::vector<std::string>{"Deployment ameide/apps-graph-tilt", "Service other/x", "ClusterRole shared"});
}

TEST_CASE("distinct names: the objects both renders name, or none") {
  auto obj = [](const std::string& kind, const std::string& name) {
    return json{{"kind", kind}, {"metadata", {{"name", name}}}};
  };
  const std::vector<json> argo{obj("Deployment", "apps-graph"), obj("Service", "apps-graph"), obj("ClusterRole", "shared")};
  // A chart that names every object from fullnameOverride: distinct.
  CHECK(same_object_names({obj("Deployment", "apps-graph-tilt"), obj("Service", "apps-graph-tilt")}, "ameide", argo,
                          "ameide")
            .empty());
  // A chart with fixed names: every namespaced object, and the cluster-scoped one, collide.
  const std::vector<json> fixed{obj("Deployment", "apps-graph"), obj("Service", "apps-graph"),
                                obj("ClusterRole", "shared"), obj("Deployment", "apps-graph")};
  CHECK(same_object_names(fixed, "ameide", argo, "ameide") ==
        std::vector<std::string>{"Deployment ameide/apps-graph", "Service ameide/apps-graph", "ClusterRole shared"});
  // In the developer's own namespace only the cluster-scoped object still collides.
  CHECK(same_object_names(fixed, "dev-alice", argo, "ameide") == std::vector<std::string>{"ClusterRole shared"});
}
