#include "isolated_release.hpp"

#include <doctest/doctest.h>

using namespace ath::helm_apply;

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

TEST_CASE("namespace refusal: only when names collide with what Argo CD manages there") {
  std::vector<json> apps{json::parse(R"({"metadata":{"name":"apps-web"},"status":{"resources":[
      {"kind":"Service","namespace":"ameide","name":"web"},{"kind":"Service","namespace":"other","name":"x"}]}})")};
  auto argo = argo_objects_in(apps, "ameide");
  REQUIRE(argo.size() == 1);
  CHECK(argo.front().identity == "Service ameide/web");
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
