#include "core/names.hpp"

#include <doctest/doctest.h>

#include <regex>

using namespace ath;

TEST_CASE("DNS-1123 labels") {
  CHECK_FALSE(check_dns1123_label("apps-graph"));
  CHECK_FALSE(check_dns1123_label("a"));
  CHECK_FALSE(check_dns1123_label(std::string(63, 'a')));
  CHECK(check_dns1123_label(std::string(64, 'a')));
  CHECK(check_dns1123_label(""));
  CHECK(check_dns1123_label("Apps"));
  CHECK(check_dns1123_label("-apps"));
  CHECK(check_dns1123_label("apps-"));
  CHECK(check_dns1123_label("apps_graph"));
  CHECK(check_dns1123_label("a.b"));
  CHECK(check_dns1123_label("a;rm -rf /"));
}

TEST_CASE("DNS-1123 subdomains") {
  CHECK_FALSE(check_dns1123_subdomain("web.apps.example"));
  CHECK(check_dns1123_subdomain("web..apps"));
  CHECK(check_dns1123_subdomain(".web"));
  CHECK(check_dns1123_subdomain(std::string(254, 'a')));
}

TEST_CASE("Helm release names: subdomain rules, at most 53 characters") {
  CHECK_FALSE(check_helm_release_name("apps-www-ameide-platform"));
  CHECK_FALSE(check_helm_release_name(std::string(53, 'a')));
  auto msg = check_helm_release_name(std::string(54, 'a'));
  REQUIRE(msg);
  CHECK(msg->find("at most 53") != std::string::npos);
  CHECK(check_helm_release_name("Apps"));
}

TEST_CASE("names are checked exactly as the Kubernetes regular expressions say") {
  // Every string of up to 4 characters over an alphabet with each class the checker tells apart.
  const std::regex label("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  const std::regex subdomain("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  const std::string alphabet = "a0-.A_ \n";
  std::vector<std::string> names{""};
  for (size_t len = 1, from = 0; len <= 4; ++len) {
    size_t to = names.size();
    for (size_t i = from; i < to; ++i)
      for (char c : alphabet) names.push_back(names[i] + c);
    from = to;
  }
  for (const auto& n : names) {
    CAPTURE(n);
    CHECK(!check_dns1123_label(n) == (!n.empty() && std::regex_match(n, label)));
    CHECK(!check_dns1123_subdomain(n) == (!n.empty() && std::regex_match(n, subdomain)));
  }
}
