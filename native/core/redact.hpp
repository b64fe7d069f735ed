#pragma once
// Secret data must never reach a log line or a report.
#include <nlohmann/json.hpp>

namespace ath {
using json = nlohmann::json;

// A copy of `object` safe to print: a Secret's data/stringData values (also inside Lists and
// last-applied annotations) become "<redacted>". A value nested deeper than kMaxNestingDepth is
// refused with an InputLimitError (see json_limits.hpp).
json redact_secrets(const json& object);

}  // namespace ath
