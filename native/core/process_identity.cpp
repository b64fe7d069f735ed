#include "core/process_identity.hpp"

#include <charconv>
#include <fstream>
#include <sstream>

namespace ath {

namespace {

bool all_digits(const std::string& s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
}

}  // namespace

std::optional<std::string> start_time_of_stat(const std::string& stat_line) {
  // "pid (comm) state ppid ... starttime ...": fields count from the last ')', as comm may hold any byte.
  const auto close = stat_line.rfind(')');
  if (close == std::string::npos || close + 2 > stat_line.size()) return std::nullopt;
  std::istringstream rest(stat_line.substr(close + 2));
  std::string state, field;
  if (!(rest >> state) || state == "Z" || state == "X" || state == "x") return std::nullopt;
  for (int i = 4; i <= 22; ++i)
    if (!(rest >> field)) return std::nullopt;
  if (!all_digits(field)) return std::nullopt;
  return field;
}

std::optional<ProcessIdentity> process_identity(pid_t pid) {
  if (pid <= 0) return std::nullopt;
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!in || !std::getline(in, line)) return std::nullopt;
  auto start = start_time_of_stat(line);
  if (!start) return std::nullopt;
  return ProcessIdentity{pid, *start};
}

bool still_running(const ProcessIdentity& id) { return process_identity(id.pid) == id; }

std::string to_string(const ProcessIdentity& id) { return std::to_string(id.pid) + ":" + id.start; }

std::optional<ProcessIdentity> parse_process_identity(const std::string& text) {
  const auto colon = text.find(':');
  if (colon == std::string::npos) return std::nullopt;
  const std::string pid_text = text.substr(0, colon), start = text.substr(colon + 1);
  if (!all_digits(pid_text) || !all_digits(start) || pid_text.size() > 9) return std::nullopt;
  pid_t pid = 0;
  std::from_chars(pid_text.data(), pid_text.data() + pid_text.size(), pid);
  if (pid <= 0) return std::nullopt;
  return ProcessIdentity{pid, start};
}

}  // namespace ath
