#include "image_values.hpp"

#include <regex>
#include <stdexcept>

namespace ath::helm_apply {

namespace {

bool valid_key(const std::string& key) {
  static const std::regex re(R"(^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$)");
  return std::regex_match(key, re);
}

}  // namespace

ImageKeys parse_image_keys(const std::string& pair) {
  auto comma = pair.find(',');
  if (comma == std::string::npos || pair.find(',', comma + 1) != std::string::npos)
    throw std::invalid_argument("--image-key '" + pair + "' must be REPOSITORY_KEY,TAG_KEY, e.g. image.repository,image.tag");
  ImageKeys keys{pair.substr(0, comma), pair.substr(comma + 1)};
  for (const auto& k : {keys.repository_key, keys.tag_key})
    if (!valid_key(k))
      throw std::invalid_argument("--image-key '" + pair + "': '" + k +
                                  "' is not a dotted Helm value key (letters, digits, '_', '-', separated by '.')");
  if (keys.repository_key == keys.tag_key)
    throw std::invalid_argument("--image-key '" + pair + "' names the same key twice");
  return keys;
}

ImageRef split_image_ref(const std::string& ref) {
  // registry[:port]/path/name:tag — lower-case path components, tags of [\w.-] up to 128.
  static const std::regex re(R"(^((?:[A-Za-z0-9.-]+(?::[0-9]+)?/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*):([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})$)");
  if (ref.find('@') != std::string::npos)
    throw std::invalid_argument("'" + ref + "' is pinned by digest; the chart takes image.repository and image.tag, so a tagged reference is needed");
  std::smatch m;
  if (!std::regex_match(ref, m, re))
    throw std::invalid_argument("'" + ref + "' is not a tagged image reference like registry.localhost:32000/graph:tilt-1a2b3c");
  return {m[1], m[2]};
}

std::vector<ImageValue> image_values(const std::vector<ImageKeys>& keys,
                                     const std::function<std::optional<std::string>(const std::string&)>& getenv) {
  std::vector<ImageValue> out;
  for (size_t i = 0; i < keys.size(); ++i) {
    const std::string var = "TILT_IMAGE_" + std::to_string(i);
    auto value = getenv(var);
    if (!value || value->empty())
      throw std::invalid_argument(var + " is not set: Tilt sets it for image " + std::to_string(i) +
                                  " of the k8s_custom_deploy's image_deps (one per --image-key); outside Tilt, export " +
                                  var + "=REGISTRY/NAME:TAG");
    try {
      out.push_back({keys[i], split_image_ref(*value), var});
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(var + ": " + e.what());
    }
  }
  return out;
}

std::vector<std::string> set_string_args(const std::vector<ImageValue>& images) {
  std::vector<std::string> out;
  for (const auto& i : images) {
    out.insert(out.end(), {"--set-string", i.keys.repository_key + "=" + i.ref.repository});
    out.insert(out.end(), {"--set-string", i.keys.tag_key + "=" + i.ref.tag});
  }
  return out;
}

}  // namespace ath::helm_apply
