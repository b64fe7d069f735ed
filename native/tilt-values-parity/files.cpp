#include "files.hpp"

#include <system_error>

namespace tvp {

namespace {

Finding malformed(const std::string& path, ath::SourcePos pos, const std::string& message, const std::string& fix) {
  return Finding{"malformed-yaml", path, pos.line, pos.column, "", message, fix};
}

// Length of the UTF-8 sequence starting at s[i], or 0 when it is invalid.
size_t utf8_length(const std::string& s, size_t i) {
  auto c = static_cast<unsigned char>(s[i]);
  size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k)
    if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return 0;
  return n;
}

}  // namespace

std::optional<ath::SourcePos> find_binary_byte(const std::string& text) {
  int line = 1, col = 1;
  for (size_t i = 0; i < text.size();) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      ++line;
      col = 1;
      ++i;
      continue;
    }
    bool control = c < 0x20 && c != '\t' && c != '\r';
    size_t n = utf8_length(text, i);
    if (control || c == 0x7F || n == 0) return ath::SourcePos{line, col};
    i += n;
    ++col;
  }
  return std::nullopt;
}

LoadedFile parse_loaded(const std::string& path, const std::string& text, const LoadLimits& limits) {
  LoadedFile f;
  f.path = path;
  f.exists = true;
  if (auto pos = find_binary_byte(text)) {
    f.error = malformed(path, *pos, "file holds binary data or invalid UTF-8, not YAML text",
                        "restore the file from version control or replace it with a YAML mapping");
    return f;
  }
  ath::YamlLimits yl;
  yl.max_nodes = limits.max_nodes;
  try {
    f.docs = ath::parse_yaml_stream(text, path, yl);
  } catch (const ath::YamlError& e) {
    f.error = malformed(path, e.pos(), e.message(), "fix the YAML at this position (yamllint shows the same spot)");
  }
  f.text = text;
  return f;
}

LoadedFile load_file(const std::filesystem::path& repo_root, const std::string& path, const LoadLimits& limits) {
  LoadedFile f;
  f.path = path;
  std::error_code ec;
  auto full = repo_root / path;
  auto status = std::filesystem::status(full, ec);
  if (ec || !std::filesystem::exists(status)) return f;
  f.exists = true;
  if (!std::filesystem::is_regular_file(status)) {
    f.error = malformed(path, {}, "is not a regular file", "replace it with a YAML file");
    return f;
  }
  auto size = std::filesystem::file_size(full, ec);
  if (!ec && size > limits.max_bytes) {
    f.error = malformed(path, {},
                        "file is " + std::to_string(size) + " bytes, over the limit of " +
                            std::to_string(limits.max_bytes) + " bytes for a workspace file",
                        "values and component files are small; check that this is the file you meant (or raise --max-file-bytes)");
    return f;
  }
  std::string text;
  try {
    text = ath::read_text_file(full.string());
  } catch (const std::exception& e) {
    f.error = malformed(path, {}, "cannot be read", "check the file's permissions");
    return f;
  }
  return parse_loaded(path, text, limits);
}

const LoadedFile& ensure_loaded(FileSet& files, const std::filesystem::path& repo_root, const std::string& path,
                                const LoadLimits& limits) {
  auto it = files.find(path);
  if (it != files.end()) return it->second;
  return files.emplace(path, load_file(repo_root, path, limits)).first->second;
}

std::optional<std::string> normalize_relative(const std::string& path) {
  if (path.empty() || path[0] == '/') return std::nullopt;
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    std::string part = path.substr(start, end - start);
    if (part == "..") {
      if (parts.empty()) return std::nullopt;
      parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    start = end + 1;
  }
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "/") + p;
  return out;
}

}  // namespace tvp
