#include "helm_output.hpp"

#include <sstream>

namespace ath::helm_apply {

namespace {

// helm prints "NOTES:" on a line of its own (pkg/cmd/release_printer / cmd/helm/status.go).
bool is_notes_header(std::string line) {
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  return line == "NOTES:";
}

}  // namespace

HelmOutput loggable_helm_output(const std::string& out, const std::string& err) {
  HelmOutput r;
  bool in_notes = false;
  std::istringstream stdout_lines(out);
  for (std::string line; std::getline(stdout_lines, line);) {
    if (!in_notes && is_notes_header(line)) in_notes = true;
    if (in_notes) {
      ++r.notes_lines_dropped;
      continue;
    }
    if (!line.empty()) r.lines.push_back(line);
  }
  std::istringstream stderr_lines(err);
  for (std::string line; std::getline(stderr_lines, line);)
    if (!line.empty()) r.lines.push_back(line);
  return r;
}

}  // namespace ath::helm_apply
