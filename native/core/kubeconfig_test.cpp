#include "core/kubeconfig.hpp"

#include <doctest/doctest.h>

#include <cstdio>
#include <map>

#include "core/test_util.hpp"

using namespace ath;
using ath::testing::env_of;

TEST_CASE("a missing kubeconfig is named, with how to fix it (issue 12, defect 9)") {
  KubeAccess flag;
  flag.kubeconfig = "/nonexistent/kc.yaml";
  CHECK(kubeconfig_problem(flag, env_of({})) ==
        "kubeconfig /nonexistent/kc.yaml (from --kubeconfig) does not exist; set KUBECONFIG to your kubeconfig file, "
        "or pass --kubeconfig FILE, and --context NAME to pick the cluster");

  // kubectl skips missing $KUBECONFIG files and would talk to localhost:8080 instead.
  auto from_env = kubeconfig_problem({}, env_of({{"KUBECONFIG", "/nonexistent/a:/nonexistent/b"}, {"HOME", "/root"}}));
  REQUIRE(from_env);
  CHECK(from_env->find("KUBECONFIG names /nonexistent/a does not exist, /nonexistent/b does not exist") !=
        std::string::npos);

  auto from_home = kubeconfig_problem({}, env_of({{"HOME", "/nonexistent-home"}}));
  REQUIRE(from_home);
  CHECK(from_home->find("/nonexistent-home/.kube/config does not exist and KUBECONFIG is not set") != std::string::npos);
  CHECK(from_home->find("--context") != std::string::npos);

  flag.kubeconfig = "/tmp";
  CHECK(kubeconfig_problem(flag, env_of({}))->find("/tmp (from --kubeconfig) is a directory") != std::string::npos);
}

TEST_CASE("a usable kubeconfig, one of several, or a pod's own account is no problem") {
  char path[] = "/tmp/ath-kubeconfig-XXXXXX";
  int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  close(fd);
  KubeAccess flag;
  flag.kubeconfig = path;
  CHECK_FALSE(kubeconfig_problem(flag, env_of({})));
  CHECK_FALSE(kubeconfig_problem({}, env_of({{"KUBECONFIG", std::string("/nonexistent/a:") + path}})));
  CHECK_FALSE(kubeconfig_problem({}, env_of({{"KUBERNETES_SERVICE_HOST", "10.96.0.1"}})));
  std::remove(path);
}
