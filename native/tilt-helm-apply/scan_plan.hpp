#pragma once
// When an apply scans every type for the release's label, and when the objects the manifest and
// the Argo CD Application name are enough. Pure.
//
// A re-apply adopts exactly what the manifest and the Application's status.resources name: an
// object Argo CD re-created or re-synced without Helm's metadata is among them, and an object
// Argo CD created under a new name or of a new type changes the manifest's object set. The full
// label scan runs on the first apply of a session (nothing remembered yet, or another session
// remembered it), when the manifest's object set differs from the last apply's, and on
// --full-scan.
#include <optional>
#include <set>
#include <string>

namespace ath::helm_apply {

// What the last successful apply of this release (same server, namespace) remembered.
struct ApplyRecord {
  std::string session;                // who applied: see session_id()
  std::set<std::string> manifest;     // object keys (helm_adopt::object_key) the manifest rendered
  std::set<std::string> adopted;      // every object key adoption looked at (manifest + Argo CD)
};

enum class ScanReason { None, FirstOfSession, ObjectSetChanged, Requested };
const char* describe(ScanReason reason);

// Known before the manifest: scan when asked to, or when no record of this session exists.
ScanReason scan_before_render(const std::optional<ApplyRecord>& last, const std::string& session, bool full_scan);
// Known once the manifest arrived: scan when its object set is not the remembered one.
ScanReason scan_after_render(const std::optional<ApplyRecord>& last, const std::set<std::string>& manifest);

}  // namespace ath::helm_apply
