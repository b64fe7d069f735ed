#pragma once
// Bounds on untrusted structured input. Anyone who can write a ConfigMap in the Argo CD
// namespace, a journal file or a values file can hand us a record nested so deeply that a
// recursive copy or walk overflows the stack; every reader in core and the helpers refuses such
// input up front with one limit, instead of each choosing its own.
#include <nlohmann/json.hpp>

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

namespace ath {

// Deeper than any Kubernetes object or Helm values file we have seen (those stay under 40),
// far below what a recursive walk on a default 8 MiB stack survives.
inline constexpr int kMaxNestingDepth = 256;
// A ConfigMap (and so any one record the guard stores) is capped at 1 MiB by the API server;
// the journal file holds many records.
inline constexpr std::size_t kMaxRecordBytes = 1u << 20;
inline constexpr std::size_t kMaxJournalBytes = 16u << 20;

// Input refused by a bound or malformed: `what()` names the record (ConfigMap key, file) and
// what to do. Helpers map it to exit 2.
class InputLimitError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Parses JSON text named `what` ("ConfigMap argocd/tilt-argocd-sync-holders key apps-x"),
// refusing text over `max_bytes`, nesting deeper than kMaxNestingDepth, or malformed JSON with an
// InputLimitError whose message names `what`. The parser never recurses, so the check happens
// before any deep tree exists.
nlohmann::json parse_json_bounded(std::string_view text, const std::string& what,
                                  std::size_t max_bytes = kMaxRecordBytes);

// Depth of an already-built value (1 for a scalar); stops counting at kMaxNestingDepth + 1 and
// walks with an explicit stack, so it is safe on any tree.
int json_depth(const nlohmann::json& value);

// Refuses, before any recursive copy, walk or dump, a value whose arrays/objects nest deeper than
// kMaxNestingDepth (the bound parse_json_bounded and the YAML reader enforce), with an
// InputLimitError "<what>: nested deeper than N levels". Walks with an explicit stack.
void check_nesting_depth(const nlohmann::json& value, const std::string& what);

}  // namespace ath
