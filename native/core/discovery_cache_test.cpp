#include "core/discovery_cache.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

#include "core/test_util.hpp"

using namespace ath;
using namespace ath::testing;
namespace fs = std::filesystem;

namespace {

std::vector<ApiResource> sample() {
  return {ApiResource{"", "v1", "configmaps", "ConfigMap", true, {"get", "list", "patch"}},
          ApiResource{"apps", "v1", "deployments", "Deployment", true, {"get", "list"}},
          ApiResource{"", "v1", "namespaces", "Namespace", false, {"get"}}};
}

const char* kKubeconfig = R"(apiVersion: v1
kind: Config
current-context: dev
contexts:
- name: dev
  context: {cluster: dev-cluster, user: me}
- name: other
  context: {cluster: other-cluster}
clusters:
- name: dev-cluster
  cluster: {server: "https://dev.example:6443"}
- name: other-cluster
  cluster: {server: "https://other.example"}
)";

}  // namespace

TEST_CASE("the cache key is the server of the context kubectl would use") {
  TempDir d;
  const std::string kc = d.write("config", kKubeconfig);
  CHECK(kubeconfig_server(KubeAccess{"", kc}, env_of({})) == "https://dev.example:6443");
  CHECK(kubeconfig_server(KubeAccess{"other", kc}, env_of({})) == "https://other.example");
  CHECK_FALSE(kubeconfig_server(KubeAccess{"missing", kc}, env_of({})).has_value());
  // KUBECONFIG: the first file that sets current-context wins; missing files are skipped.
  const std::string second = d.write("second", "current-context: other\n");
  CHECK(kubeconfig_server(KubeAccess{}, env_of({{"KUBECONFIG", d.path.string() + "/nope:" + second + ":" + kc}})) ==
        "https://other.example");
  CHECK(kubeconfig_server(KubeAccess{}, env_of({{"HOME", "/nonexistent"}})) == std::nullopt);
  d.write("broken", "contexts: [\n");
  CHECK_FALSE(kubeconfig_server(KubeAccess{"", (d.path / "broken").string()}, env_of({})).has_value());
}

TEST_CASE("a record round-trips and is void for another server version or garbage") {
  const auto text = discovery_record("v1.32.4", sample());
  auto back = parse_discovery_record(text, "v1.32.4");
  REQUIRE(back.has_value());
  REQUIRE(back->size() == 3);
  CHECK((*back)[1].group == "apps");
  CHECK((*back)[1].verbs == std::vector<std::string>{"get", "list"});
  CHECK_FALSE((*back)[2].namespaced);
  CHECK_FALSE(parse_discovery_record(text, "v1.33.0").has_value());
  CHECK_FALSE(parse_discovery_record("{not json", "v1.32.4").has_value());
  CHECK_FALSE(parse_discovery_record(R"({"serverVersion":"v1.32.4","resources":[{"kind":1}]})", "v1.32.4").has_value());
  CHECK_FALSE(parse_discovery_record(R"({"serverVersion":"v1.32.4","resources":[]})", "v1.32.4").has_value());
}

TEST_CASE("store then load, per server; a missing or unwritable folder is a miss") {
  TempDir d;
  const std::string dir = (d.path / "cache" / "discovery").string();
  CHECK_FALSE(load_discovery(dir, "https://a.example", "v1").has_value());
  store_discovery(dir, "https://a.example", "v1", sample());
  CHECK(load_discovery(dir, "https://a.example", "v1")->size() == 3);
  CHECK_FALSE(load_discovery(dir, "https://b.example", "v1").has_value());
  CHECK_FALSE(load_discovery(dir, "https://a.example", "v2").has_value());
  CHECK(discovery_cache_file(dir, "https://a.example:6443/x").ends_with("https___a.example_6443_x.json"));
  store_discovery("/proc/ath-no-such-dir", "https://a.example", "v1", sample());  // no throw
  CHECK(discovery_cache_dir(env_of({{"XDG_CACHE_HOME", "/c"}, {"HOME", "/h"}})) == "/c/ath/discovery");
  CHECK(discovery_cache_dir(env_of({{"HOME", "/h"}})) == "/h/.cache/ath/discovery");
  CHECK_FALSE(discovery_cache_dir(env_of({})).has_value());
}
