#pragma once
// The only values Tilt changes: per built image, a repository key and a tag key. Pure.
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace ath::helm_apply {

// "--image-key image.repository,image.tag": the Helm value keys of one image.
struct ImageKeys {
  std::string repository_key = "image.repository";
  std::string tag_key = "image.tag";
};
// Throws std::invalid_argument with a sentence when the pair or a key is malformed. Keys are
// dotted names of letters, digits, '_' and '-' (nothing `--set` would read as syntax).
ImageKeys parse_image_keys(const std::string& pair);

struct ImageRef {
  std::string repository;  // "registry.localhost:32000/graph"
  std::string tag;         // "tilt-1a2b3c"
};
// Splits a built image reference. A digest-only or untagged reference is an error (the chart
// takes a repository and a tag), as is any character a reference cannot hold.
ImageRef split_image_ref(const std::string& ref);

struct ImageValue {
  ImageKeys keys;
  ImageRef ref;
  std::string variable;  // "TILT_IMAGE_0"
};

// Pairs keys[i] with Tilt's TILT_IMAGE_<i>. `getenv` returns nullopt for an unset variable.
// Throws std::invalid_argument naming the variable when one is missing or not a tagged ref.
std::vector<ImageValue> image_values(const std::vector<ImageKeys>& keys,
                                     const std::function<std::optional<std::string>(const std::string&)>& getenv);

// "--set-string KEY=VALUE" arguments, repository then tag per image. --set-string keeps a tag
// such as "1.10" or "20240101" a string.
std::vector<std::string> set_string_args(const std::vector<ImageValue>& images);

}  // namespace ath::helm_apply
