#include "core/argocd.hpp"

#include <doctest/doctest.h>

using namespace ath::argocd;
using json = nlohmann::json;

namespace {

json app(json sync_policy) {
  json a = {{"apiVersion", "argoproj.io/v1alpha1"}, {"kind", "Application"}, {"metadata", {{"name", "apps-web"}}},
            {"spec", {{"project", "default"}}}};
  if (!sync_policy.is_null()) a["spec"]["syncPolicy"] = sync_policy;
  return a;
}

}  // namespace

TEST_CASE("auto_sync_on follows automated and enabled (types.go:1531 IsAutomatedSyncEnabled)") {
  CHECK(auto_sync_on(json::object()));
  CHECK(auto_sync_on({{"prune", true}}));
  CHECK(auto_sync_on({{"enabled", true}}));
  CHECK(auto_sync_on({{"enabled", nullptr}}));  // null counts as enabled
  CHECK(auto_sync_on({{"enabled", "false"}}));  // only the boolean false turns it off
  CHECK_FALSE(auto_sync_on({{"enabled", false}}));
  CHECK_FALSE(auto_sync_on({{"enabled", false}, {"prune", true}}));
  CHECK_FALSE(auto_sync_on(nullptr));  // no `automated`
  CHECK_FALSE(auto_sync_on(json::array()));
  CHECK_FALSE(auto_sync_on(true));
}

TEST_CASE("app_auto_sync_on reads spec.syncPolicy.automated") {
  CHECK(app_auto_sync_on(app({{"automated", {{"prune", true}}}})));
  CHECK(app_auto_sync_on(app({{"automated", json::object()}})));
  CHECK(app_auto_sync_on(app({{"automated", {{"enabled", nullptr}}}})));
  CHECK_FALSE(app_auto_sync_on(app({{"automated", {{"enabled", false}}}})));
  CHECK_FALSE(app_auto_sync_on(app({{"syncOptions", {"CreateNamespace=true"}}})));
  CHECK_FALSE(app_auto_sync_on(app(nullptr)));
  CHECK_FALSE(app_auto_sync_on(app(json::array({"automated"}))));  // syncPolicy not an object
  CHECK_FALSE(app_auto_sync_on(json::parse(R"({"spec":"odd"})")));
  CHECK_FALSE(app_auto_sync_on(json::array()));
}

TEST_CASE("the Argo CD resources address argoproj.io/v1alpha1") {
  CHECK(ath::resource_path(applications_resource(), "argocd", "apps-web") ==
        "/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/apps-web");
  CHECK(ath::resource_path(application_sets_resource(), "argocd", "apps-dev") ==
        "/apis/argoproj.io/v1alpha1/namespaces/argocd/applicationsets/apps-dev");
  CHECK(ath::resource_path(crds_resource(), "", kApplicationCrd) ==
        "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/applications.argoproj.io");
  CHECK(applications_resource().can("patch"));
  CHECK_FALSE(crds_resource().can("patch"));
}
