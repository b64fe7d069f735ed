#include "isolated_release.hpp"

#include <doctest/doctest.h>

using namespace ath::helm_apply;

TEST_CASE("isolated release name: <release>-tilt, or <release>-<suffix>") {
  CHECK(isolated_release_name("apps-graph", "").name == "apps-graph-tilt");
  CHECK(isolated_release_name("apps-graph", "").error.empty());
  CHECK(isolated_release_name("apps-graph", "alice").name == "apps-graph-alice");
}

TEST_CASE("isolated release name: a suffix that is not DNS-1123 names the rule and the fix") {
  auto r = isolated_release_name("apps-graph", "Alice_B");
  CHECK(r.error.find("DNS-1123") != std::string::npos);
  CHECK(r.error.find("suffix") != std::string::npos);
}

TEST_CASE("isolated release name: Helm's 53-character limit (pkg/chartutil/validate_name.go, helm v3.17.2)") {
  const std::string base(48, 'a');  // 48 + "-tilt" = 53: allowed
  CHECK(isolated_release_name(base, "").error.empty());
  auto r = isolated_release_name(base + "b", "");
  CHECK(r.error.find("53-character") != std::string::npos);
  CHECK(r.error.find("shorter release") != std::string::npos);
  auto s = isolated_release_name("apps-graph", std::string(43, 'x'));
  CHECK(s.error.find("--isolate-suffix") != std::string::npos);
}

TEST_CASE("user label value is a valid label value") {
  CHECK(user_label_value("Alice") == "alice");
  CHECK(user_label_value("bob smith@host") == "bob-smith-host");
  CHECK(user_label_value("_x_") == "x");
  CHECK(user_label_value(std::string(80, 'u')).size() == 63);
}

TEST_CASE("release labels and selector") {
  auto labels = isolated_release_labels("Alice", "apps-graph");
  CHECK(labels_flag_value(labels) ==
        "ameide.io/argocd-release=apps-graph,ameide.io/tilt-mode=isolated,ameide.io/tilt-user=alice,"
        "app.kubernetes.io/managed-by=tilt");
  CHECK(isolated_release_selector("Alice") == "app.kubernetes.io/managed-by=tilt,ameide.io/tilt-user=alice");
}

TEST_CASE("object identities and collisions") {
  std::vector<json> ours{{{"kind", "Deployment"}, {"metadata", {{"name", "apps-graph-tilt"}}}},
                         {{"kind", "ClusterRole"}, {"metadata", {{"name", "shared"}}}}};
  std::vector<json> argo{{{"kind", "Deployment"}, {"metadata", {{"name", "apps-graph"}}}},
                         {{"kind", "ClusterRole"}, {"metadata", {{"name", "shared"}}}}};
  auto a = object_identities(ours, "ameide");
  CHECK(a == std::vector<std::string>{"Deployment ameide/apps-graph-tilt", "ClusterRole shared"});
  CHECK(shared_identities(a, object_identities(argo, "ameide")) == std::vector<std::string>{"ClusterRole shared"});
}

TEST_CASE("namespace refusal: only when names collide with what Argo CD manages there") {
  std::vector<json> apps{json::parse(R"({"metadata":{"name":"apps-web"},"status":{"resources":[
      {"kind":"Service","namespace":"ameide","name":"web"},{"kind":"Service","namespace":"other","name":"x"}]}})")};
  auto argo = argo_objects_in(apps, "ameide");
  REQUIRE(argo.size() == 1);
  CHECK_FALSE(namespace_refusal("apps-graph-tilt", "ameide", {"Service ameide/apps-graph-tilt"}, argo));
  auto r = namespace_refusal("web-tilt", "ameide", {"Service ameide/web"}, argo);
  REQUIRE(r);
  CHECK(r->find("Service ameide/web (Application apps-web)") != std::string::npos);
  CHECK(r->find("fullnameOverride") != std::string::npos);
}

TEST_CASE("uninstall refusal: only Tilt's isolated releases of this user") {
  json ours = isolated_release_labels("alice", "apps-graph");
  CHECK_FALSE(uninstall_refusal("apps-graph-tilt", "ameide", ours, "alice"));
  auto other = uninstall_refusal("apps-graph-tilt", "ameide", ours, "bob");
  REQUIRE(other);
  CHECK(other->find("belongs to Tilt user 'alice'") != std::string::npos);
  auto none = uninstall_refusal("apps-graph", "ameide", json(), "alice");
  REQUIRE(none);
  CHECK(none->find("not labelled as Tilt's") != std::string::npos);
}

TEST_CASE("parity proof: only the name differs, or the differing objects are named") {
  auto obj = [](const std::string& name, const std::string& image) {
    return json{{"kind", "Deployment"},
                {"metadata", {{"name", name}, {"labels", {{"app.kubernetes.io/instance", name}}}}},
                {"spec", {{"image", image}}}};
  };
  CHECK(differences_beyond_name({obj("apps-graph-tilt", "r:t")}, {obj("apps-graph", "r:t")}, "apps-graph-tilt",
                                "apps-graph", "ameide")
            .empty());
  CHECK(differences_beyond_name({obj("apps-graph-tilt", "r:other")}, {obj("apps-graph", "r:t")}, "apps-graph-tilt",
                                "apps-graph", "ameide") == std::vector<std::string>{"Deployment ameide/apps-graph"});
  // A chart that ignores fullnameOverride renders a fixed name: it exists only in one render.
  auto diff = differences_beyond_name({obj("fixed", "r:t")}, {obj("apps-graph", "r:t")}, "apps-graph-tilt",
                                      "apps-graph", "ameide");
  CHECK(diff.size() == 2);
}
