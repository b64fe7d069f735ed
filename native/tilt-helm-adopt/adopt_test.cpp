// helm_adopt::adopt() end to end over a scripted in-memory API (the real server is exercised by
// test/integration/tilt-helm-adopt): which requests are sent, retries, and failure handling.
#include "tilt-helm-adopt/adopt.hpp"
#include "tilt-helm-adopt/adopt_plan.hpp"

#include <doctest/doctest.h>

#include <map>

#include "core/fake_api_server.hpp"

using namespace ath;
using namespace ath::helm_adopt;

namespace {

// Objects by path; a LIST answers every object under the collection path; PATCH merges the
// metadata maps and checks the resourceVersion precondition.
class FakeApi : public ath::testing::FakeApiServer {
 public:
  std::vector<std::string> forbidden;        // collection paths answering 403
  std::map<std::string, json> get_override;  // what a GET of one object answers instead

 protected:
  HttpAnswer answer(const std::string& method, const std::string& path, bool has_query, const std::string& body,
                    const std::string&) override {
    if (method == "GET" && has_query) {
      for (const auto& f : forbidden)
        if (path == f) return failure(403);
      json items = json::array();
      // The only selector the tests use: the default instance label.
      for (const auto& [p, o] : objects)
        if (p.starts_with(path + "/") && o["metadata"].value("labels", json::object()).value(
                                             "app.kubernetes.io/instance", "") == "apps-graph")
          items.push_back(o);
      return ok(200, json{{"items", items}, {"metadata", json::object()}});
    }
    auto it = objects.find(path);
    if (it == objects.end()) return failure(404);
    if (method == "GET") return ok(200, get_override.count(path) ? get_override[path] : it->second);
    if (method == "PATCH") {
      json patch = json::parse(body);
      if (patch["metadata"]["resourceVersion"] != it->second["metadata"]["resourceVersion"]) return failure(409);
      json o = it->second;
      o["metadata"].merge_patch(patch["metadata"]);
      put(path, o);
      return ok(200, objects[path]);
    }
    if (method == "DELETE") {
      objects.erase(it);
      return ok(200, json::object());
    }
    return failure(405);
  }
};

const std::vector<std::string> kVerbs = {"get", "list", "patch"};
ResourceIndex index_of() {
  return ResourceIndex({{"", "v1", "configmaps", "ConfigMap", true, kVerbs},
                        {"", "v1", "secrets", "Secret", true, kVerbs},
                        {"apps", "v1", "deployments", "Deployment", true, kVerbs},
                        {"apps", "v1", "replicasets", "ReplicaSet", true, kVerbs},
                        {"argoproj.io", "v1alpha1", "applications", "Application", true, kVerbs}});
}

json obj(const std::string& api_version, const std::string& kind, const std::string& name, json labels = {},
         json annotations = {}) {
  json md = {{"name", name}, {"namespace", "apps"}, {"uid", "uid-" + name}};
  if (!labels.is_null()) md["labels"] = labels;
  if (!annotations.is_null()) md["annotations"] = annotations;
  return {{"apiVersion", api_version}, {"kind", kind}, {"metadata", md}};
}

const json kInstance = {{"app.kubernetes.io/instance", "apps-graph"}};
const std::string kCm = "/api/v1/namespaces/apps/configmaps/";
const std::string kDeploy = "/apis/apps/v1/namespaces/apps/deployments/";

struct World {
  std::shared_ptr<FakeApi> api = std::make_shared<FakeApi>();
  KubeClient client{api};
  ResourceIndex index = index_of();
  AdoptOptions options;
  World() {
    options.release = "apps-graph";
    options.release_namespace = "apps";
    options.concurrency = 4;
  }
  const ObjectEntry& entry(const AdoptReport& r, const std::string& name) {
    for (const auto& e : r.objects)
      if (e.name == name) return e;
    FAIL("no entry for " << name);
    return r.objects.front();
  }
};

}  // namespace

TEST_CASE("a first run adopts, a second run reads only") {
  World w;
  w.api->put(kCm + "cfg", obj("v1", "ConfigMap", "cfg", kInstance));
  w.api->put(kDeploy + "web", obj("apps/v1", "Deployment", "web", kInstance));
  json rs = obj("apps/v1", "ReplicaSet", "web-1", kInstance);
  rs["metadata"]["ownerReferences"] = json::parse(R"([{"kind":"Deployment","name":"web","controller":true}])");
  w.api->put("/apis/apps/v1/namespaces/apps/replicasets/web-1", rs);
  w.api->put(kCm + "theirs", obj("v1", "ConfigMap", "theirs", kInstance,
                                 {{"meta.helm.sh/release-name", "other"}, {"meta.helm.sh/release-namespace", "apps"}}));
  w.api->put(kCm + "unlabelled", obj("v1", "ConfigMap", "unlabelled"));
  w.options.use_manifest = true;
  w.options.manifest = json::parse(R"([{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"unlabelled"}},
      {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cfg"}},
      {"apiVersion":"v1","kind":"Secret","metadata":{"name":"not-yet"}}])").get<std::vector<json>>();

  AdoptReport r = helm_adopt::adopt(w.client, w.index, w.options);
  CHECK(w.entry(r, "cfg").outcome == Outcome::Adopted);
  CHECK(w.entry(r, "cfg").sources == (kFromManifest | kFromLabelScan));
  CHECK(w.entry(r, "web").outcome == Outcome::Adopted);
  CHECK(w.entry(r, "web-1").outcome == Outcome::Controlled);
  CHECK(w.entry(r, "theirs").outcome == Outcome::Conflict);
  CHECK(w.entry(r, "unlabelled").outcome == Outcome::Adopted);
  CHECK(w.entry(r, "not-yet").outcome == Outcome::Absent);
  CHECK(r.writes == 3);
  CHECK(w.api->count("PATCH") == 3);
  CHECK(r.exit_code() == 1);
  CHECK(w.api->objects[kCm + "cfg"]["metadata"]["annotations"]["meta.helm.sh/release-name"] == "apps-graph");
  CHECK_FALSE(w.api->objects[kCm + "theirs"]["metadata"]["labels"].contains("app.kubernetes.io/managed-by"));

  w.api->log.clear();
  AdoptReport again = helm_adopt::adopt(w.client, w.index, w.options);
  CHECK(again.count(Outcome::AlreadyOwned) == 3);
  CHECK(again.writes == 0);
  CHECK(w.api->count("PATCH") == 0);
  CHECK(w.api->count("GET") == w.api->log.size());
}

TEST_CASE("dry run plans the same and writes nothing") {
  World w;
  w.api->put(kCm + "cfg", obj("v1", "ConfigMap", "cfg", kInstance));
  w.options.dry_run = true;
  AdoptReport r = helm_adopt::adopt(w.client, w.index, w.options);
  CHECK(w.entry(r, "cfg").outcome == Outcome::WouldAdopt);
  CHECK(w.entry(r, "cfg").message.find("meta.helm.sh/release-name=apps-graph") != std::string::npos);
  CHECK(w.api->count("PATCH") == 0);
  CHECK(r.exit_code() == 0);
}

TEST_CASE("a 409 re-reads and decides again") {
  World w;
  w.api->put(kCm + "cfg", obj("v1", "ConfigMap", "cfg", kInstance));
  w.api->scripted["PATCH " + kCm + "cfg"] = {409};
  AdoptReport r = helm_adopt::adopt(w.client, w.index, w.options);
  CHECK(w.entry(r, "cfg").outcome == Outcome::Adopted);
  CHECK(w.api->count("PATCH") == 2);
  CHECK(r.exit_code() == 0);
}

TEST_CASE("a 409 after which another release owns the object ends as a conflict") {
  World w;
  w.api->put(kCm + "cfg", obj("v1", "ConfigMap", "cfg", kInstance));
  w.api->scripted["PATCH " + kCm + "cfg"] = {409};
  // What the re-read sees: another release adopted it since the scan.
  json theirs = w.api->objects[kCm + "cfg"];
  theirs["metadata"]["annotations"] = {{"meta.helm.sh/release-name", "other"}};
  w.api->get_override[kCm + "cfg"] = theirs;
  AdoptReport r = helm_adopt::adopt(w.client, w.index, w.options);
  CHECK(w.entry(r, "cfg").outcome == Outcome::Conflict);
  CHECK(w.api->count("PATCH") == 1);
}

TEST_CASE("a failing patch is retried a bounded number of times, then reported; others complete") {
  World w;
  w.api->put(kCm + "bad", obj("v1", "ConfigMap", "bad", kInstance));
  w.api->put(kCm + "good", obj("v1", "ConfigMap", "good", kInstance));
  w.api->scripted["PATCH " + kCm + "bad"] = {500, 500, 500, 500};
  AdoptReport r = helm_adopt::adopt(w.client, w.index, w.options);
  CHECK(w.entry(r, "bad").outcome == Outcome::Failed);
  CHECK(w.entry(r, "bad").message.find("InternalError (500)") != std::string::npos);
  CHECK(w.entry(r, "bad").message.find("rerun") != std::string::npos);
  CHECK(w.entry(r, "good").outcome == Outcome::Adopted);
  CHECK(w.api->count("PATCH " + kCm + "bad") == 3);
  CHECK(r.exit_code() == 1);

  AdoptReport rerun = helm_adopt::adopt(w.client, w.index, w.options);  // the script ran dry: the server is fine again
  CHECK(w.entry(rerun, "bad").outcome == Outcome::Adopted);
  CHECK(w.entry(rerun, "good").outcome == Outcome::AlreadyOwned);
  CHECK(rerun.exit_code() == 0);
}

TEST_CASE("a forbidden type is skipped with the rest done; exit 0") {
  World w;
  w.api->put(kCm + "cfg", obj("v1", "ConfigMap", "cfg", kInstance));
  w.api->forbidden = {"/api/v1/namespaces/apps/secrets"};
  AdoptReport r = helm_adopt::adopt(w.client, w.index, w.options);
  REQUIRE(r.skipped_types.size() == 1);
  CHECK(r.skipped_types[0].type == "secrets");
  CHECK(r.skipped_types[0].forbidden);
  CHECK(r.types_scanned == 4);
  CHECK(w.entry(r, "cfg").outcome == Outcome::Adopted);
  CHECK(r.exit_code() == 0);
}

TEST_CASE("Argo CD status.resources add objects the scan cannot see; a missing Application is a setup error") {
  World w;
  w.api->put(kCm + "argo-only", obj("v1", "ConfigMap", "argo-only"));
  w.api->objects["/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/apps-graph"] = json::parse(
      R"({"metadata":{"name":"apps-graph"},"status":{"resources":[
          {"version":"v1","kind":"ConfigMap","namespace":"apps","name":"argo-only"}]}})");
  w.options.argocd_app = "apps-graph";
  w.options.label_scan = false;
  AdoptReport r = helm_adopt::adopt(w.client, w.index, w.options);
  CHECK(w.entry(r, "argo-only").outcome == Outcome::Adopted);
  CHECK(w.entry(r, "argo-only").sources == kFromArgoCd);
  CHECK(r.types_scanned == 0);

  w.options.argocd_app = "missing";
  CHECK_THROWS_AS(helm_adopt::adopt(w.client, w.index, w.options), AdoptSetupError);
}

TEST_CASE("prune-duplicates deletes leftovers; dry run lists them") {
  World w;
  auto labels = json{{"app.kubernetes.io/instance", "apps-graph"}, {"app.kubernetes.io/name", "graph"}};
  w.api->put(kDeploy + "graph-api", obj("apps/v1", "Deployment", "graph-api", labels));
  w.api->put(kDeploy + "graph", obj("apps/v1", "Deployment", "graph", labels));
  w.options.use_manifest = true;
  w.options.manifest = {json::parse(R"({"apiVersion":"apps/v1","kind":"Deployment",
      "metadata":{"name":"graph-api","labels":{"app.kubernetes.io/name":"graph"}}})")};
  w.options.prune_duplicates = true;
  w.options.dry_run = true;
  AdoptReport dry = helm_adopt::adopt(w.client, w.index, w.options);
  CHECK(w.entry(dry, "graph").outcome == Outcome::WouldPrune);
  CHECK(w.entry(dry, "graph").duplicate);
  CHECK(w.api->count("DELETE") == 0);

  w.options.dry_run = false;
  AdoptReport r = helm_adopt::adopt(w.client, w.index, w.options);
  CHECK(w.entry(r, "graph").outcome == Outcome::Pruned);
  CHECK(w.entry(r, "graph-api").outcome == Outcome::Adopted);
  CHECK(w.api->count("DELETE") == 1);
  CHECK_FALSE(w.api->objects.count(kDeploy + "graph"));
}
