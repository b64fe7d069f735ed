#include "image_values.hpp"

#include <doctest/doctest.h>

#include <map>
#include <stdexcept>

using namespace ath::helm_apply;

TEST_CASE("image key pairs") {
  auto k = parse_image_keys("image.repository,image.tag");
  CHECK(k.repository_key == "image.repository");
  CHECK(k.tag_key == "image.tag");
  CHECK(parse_image_keys("worker.image.repo,worker.image.tag").tag_key == "worker.image.tag");
  CHECK_THROWS_AS(parse_image_keys("image.repository"), std::invalid_argument);
  CHECK_THROWS_AS(parse_image_keys("a,b,c"), std::invalid_argument);
  CHECK_THROWS_AS(parse_image_keys("image.repository,image.tag=x"), std::invalid_argument);
  CHECK_THROWS_AS(parse_image_keys("image[0].repo,image.tag"), std::invalid_argument);
  CHECK_THROWS_AS(parse_image_keys("image.tag,image.tag"), std::invalid_argument);
  CHECK_THROWS_AS(parse_image_keys(",image.tag"), std::invalid_argument);
}

TEST_CASE("built image references split into repository and tag") {
  auto r = split_image_ref("registry.localhost:32000/graph:tilt-1a2b3c4d");
  CHECK(r.repository == "registry.localhost:32000/graph");
  CHECK(r.tag == "tilt-1a2b3c4d");
  auto plain = split_image_ref("graph:dev");
  CHECK(plain.repository == "graph");
  CHECK(plain.tag == "dev");
  CHECK(split_image_ref("k3d-ameide.localhost:5001/ameide/www-ameide-platform:1.10").tag == "1.10");
  CHECK_THROWS_AS(split_image_ref("registry.localhost:32000/graph"), std::invalid_argument);
  CHECK_THROWS_AS(split_image_ref("graph@sha256:0123456789abcdef"), std::invalid_argument);
  CHECK_THROWS_AS(split_image_ref("graph:dev,image.tag=x"), std::invalid_argument);
  CHECK_THROWS_AS(split_image_ref("Graph:dev"), std::invalid_argument);
  CHECK_THROWS_AS(split_image_ref(""), std::invalid_argument);
}

TEST_CASE("TILT_IMAGE_<i> pairs with the i-th key pair") {
  std::map<std::string, std::string> env{{"TILT_IMAGE_0", "reg:5000/api:tilt-aa"}, {"TILT_IMAGE_1", "reg:5000/worker:tilt-bb"}};
  auto getenv = [&](const std::string& k) -> std::optional<std::string> {
    auto it = env.find(k);
    return it == env.end() ? std::nullopt : std::optional(it->second);
  };
  auto values = image_values({ImageKeys{}, parse_image_keys("worker.repository,worker.tag")}, getenv);
  REQUIRE(values.size() == 2);
  CHECK(values[1].ref.repository == "reg:5000/worker");
  CHECK(values[1].variable == "TILT_IMAGE_1");
  CHECK(set_string_args(values) == std::vector<std::string>{
                                       "--set-string", "image.repository=reg:5000/api", "--set-string", "image.tag=tilt-aa",
                                       "--set-string", "worker.repository=reg:5000/worker", "--set-string", "worker.tag=tilt-bb"});

  env.erase("TILT_IMAGE_1");
  try {
    image_values({ImageKeys{}, ImageKeys{}}, getenv);
    FAIL("expected a missing variable");
  } catch (const std::invalid_argument& e) {
    CHECK(std::string(e.what()).find("TILT_IMAGE_1 is not set") != std::string::npos);
  }
  env["TILT_IMAGE_0"] = "api";
  CHECK_THROWS_WITH_AS(image_values({ImageKeys{}}, getenv), doctest::Contains("TILT_IMAGE_0: 'api' is not a tagged"),
                       std::invalid_argument);
}
