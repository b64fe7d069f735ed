#pragma once
// What of helm's text output may reach the log. `helm upgrade` ends its report with the chart's
// rendered NOTES.txt, which may print a value (a generated password, a token); Tilt shows every
// line the apply command writes, so NOTES never go to the log. Pure.
#include <string>
#include <vector>

namespace ath::helm_apply {

struct HelmOutput {
  std::vector<std::string> lines;  // loggable, in order: stdout's report, then stderr
  size_t notes_lines_dropped = 0;  // the NOTES section's lines (including the "NOTES:" header)
};

// Non-empty lines of stdout up to the "NOTES:" header that helm 3 and 4 print before the notes,
// then the non-empty lines of stderr.
HelmOutput loggable_helm_output(const std::string& out, const std::string& err);

}  // namespace ath::helm_apply
