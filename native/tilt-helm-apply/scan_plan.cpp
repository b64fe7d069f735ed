#include "scan_plan.hpp"

namespace ath::helm_apply {

const char* describe(ScanReason reason) {
  switch (reason) {
    case ScanReason::None: return "no label scan: the manifest's object set is the last apply's";
    case ScanReason::FirstOfSession: return "label scan: first apply of this session";
    case ScanReason::ObjectSetChanged: return "label scan: the manifest's object set changed since the last apply";
    case ScanReason::Requested: return "label scan: --full-scan";
  }
  return "";
}

ScanReason scan_before_render(const std::optional<ApplyRecord>& last, const std::string& session, bool full_scan) {
  if (full_scan) return ScanReason::Requested;
  if (!last || session.empty() || last->session != session) return ScanReason::FirstOfSession;
  return ScanReason::None;
}

ScanReason scan_after_render(const std::optional<ApplyRecord>& last, const std::set<std::string>& manifest) {
  if (!last || last->manifest != manifest) return ScanReason::ObjectSetChanged;
  return ScanReason::None;
}

}  // namespace ath::helm_apply
