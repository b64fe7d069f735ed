#include "files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace ath::values_parity {

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

ath::SourcePos LoadedFile::pos_of(const std::string& pointer, size_t doc) const {
  if (doc >= docs.size()) return {};
  if (positions) return docs[doc].pos_of(pointer);
  try {
    auto again = ath::parse_yaml_stream(text, path);  // parsed once already, so it parses again
    return doc < again.size() ? again[doc].pos_of(pointer) : ath::SourcePos{};
  } catch (const ath::YamlError&) {
    return {};
  }
}

LoadedFile parse_loaded(const std::string& path, std::string text, const LoadLimits& limits) {
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
  yl.keep_positions = limits.positions;
  f.positions = limits.positions;
  try {
    f.docs = ath::parse_yaml_stream(text, path, yl);
  } catch (const ath::YamlError& e) {
    f.error = malformed(path, e.pos(), e.message(), "fix the YAML at this position (yamllint shows the same spot)");
  }
  f.text = std::move(text);
  return f;
}

namespace {

// Closes a descriptor when it goes out of scope.
struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

LoadedFile load_file(const std::filesystem::path& repo_root, const std::string& path, const LoadLimits& limits) {
  LoadedFile f;
  f.path = path;
  const std::string full = (repo_root / path).string();
  // One open, one fstat and the reads: workspaces hold thousands of small files. O_NONBLOCK
  // keeps a FIFO from blocking the open; it is reported as not a regular file below.
  Fd in{::open(full.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)};
  if (in.fd < 0) {
    if (errno != EACCES) return f;  // missing (or a dangling link, a file below a file): not there
    f.exists = true;
    f.error = malformed(path, {}, "cannot be read", "check the file's permissions");
    return f;
  }
  f.exists = true;
  struct stat st {};
  if (::fstat(in.fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    f.error = malformed(path, {}, "is not a regular file", "replace it with a YAML file");
    return f;
  }
  auto size = static_cast<size_t>(st.st_size);
  if (size > limits.max_bytes) {
    f.error = malformed(path, {},
                        "file is " + std::to_string(size) + " bytes, over the limit of " +
                            std::to_string(limits.max_bytes) + " bytes for a workspace file",
                        "values and component files are small; check that this is the file you meant (or raise --max-file-bytes)");
    return f;
  }
  // Read to the end, whatever fstat said: the file may change while it is read.
  std::string text(size + 1, '\0');
  size_t have = 0;
  while (true) {
    if (have == text.size()) text.resize(text.size() * 2);
    ssize_t n = ::read(in.fd, text.data() + have, text.size() - have);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      f.error = malformed(path, {}, "cannot be read", "check the file's permissions");
      return f;
    }
    if (n == 0) break;
    have += static_cast<size_t>(n);
    if (have > limits.max_bytes) {
      f.error = malformed(path, {}, "file grew over the limit of " + std::to_string(limits.max_bytes) + " bytes while it was read",
                          "values and component files are small; check that this is the file you meant (or raise --max-file-bytes)");
      return f;
    }
  }
  text.resize(have);
  return parse_loaded(path, std::move(text), limits);
}

const LoadedFile& ensure_loaded(FileSet& files, const std::filesystem::path& repo_root, const std::string& path,
                                const LoadLimits& limits) {
  auto it = files.find(path);
  if (it != files.end() && it->second.released) {
    it->second = load_file(repo_root, path, limits);
    it->second.keep = true;
    return it->second;
  }
  if (it != files.end()) {
    LoadedFile& f = it->second;
    if (limits.positions && !f.positions && f.usable()) {
      // Read first as a values file, now wanted with positions (say, as a component file as
      // well): add them in place, so pointers into its documents stay valid.
      auto again = ath::parse_yaml_stream(f.text, f.path);
      for (size_t i = 0; i < f.docs.size() && i < again.size(); ++i) f.docs[i].positions = std::move(again[i].positions);
      f.positions = true;
    }
    return f;
  }
  return files.emplace(path, load_file(repo_root, path, limits)).first->second;
}

void release(FileSet& files, const std::string& path) {
  auto it = files.find(path);
  if (it == files.end() || it->second.keep || !it->second.usable()) return;
  LoadedFile& f = it->second;
  std::vector<ath::YamlDocument>().swap(f.docs);
  std::string().swap(f.text);
  f.released = true;
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

}  // namespace ath::values_parity
