#include "tilt-helm-adopt/adopt_report.hpp"

#include <spdlog/fmt/fmt.h>

#include "tilt-helm-adopt/adopt_plan.hpp"

namespace ath::helm_adopt {

const char* to_string(Outcome o) {
  switch (o) {
    case Outcome::AlreadyOwned: return "already-owned";
    case Outcome::Adopted: return "adopted";
    case Outcome::WouldAdopt: return "would-adopt";
    case Outcome::Conflict: return "conflict";
    case Outcome::Controlled: return "skipped-controlled";
    case Outcome::Absent: return "absent";
    case Outcome::Failed: return "failed";
    case Outcome::Pruned: return "pruned";
    case Outcome::WouldPrune: return "would-prune";
  }
  return "unknown";
}

std::string ObjectEntry::display() const {
  return kind + " " + (namespace_.empty() ? "" : namespace_ + "/") + name;
}

size_t AdoptReport::count(Outcome o) const {
  size_t n = 0;
  for (const auto& e : objects) n += e.outcome == o;
  return n;
}

size_t AdoptReport::found() const { return objects.size() - count(Outcome::Absent); }

size_t AdoptReport::duplicates() const {
  size_t n = 0;
  for (const auto& e : objects) n += e.duplicate;
  return n;
}

bool AdoptReport::failed() const {
  if (count(Outcome::Failed)) return true;
  for (const auto& t : skipped_types)
    if (!t.forbidden) return true;
  return false;
}

int AdoptReport::exit_code() const { return failed() || count(Outcome::Conflict) ? 1 : 0; }

std::string render_text(const AdoptReport& r) {
  std::string out;
  const bool dry = r.dry_run;
  out += fmt::format("release {} in namespace {}{}\n", r.release, r.namespace_, dry ? " (dry run: nothing written)" : "");
  for (const auto& e : r.objects) {
    if (e.outcome == Outcome::AlreadyOwned || e.outcome == Outcome::Controlled || e.outcome == Outcome::Absent)
      continue;  // the quiet cases are counted below, not listed
    out += fmt::format("  {:<13} {} [{}]{}\n", to_string(e.outcome), e.display(), source_names(e.sources),
                       e.message.empty() ? "" : ": " + e.message);
  }
  for (const auto& e : r.objects)
    if (e.duplicate && e.outcome != Outcome::Pruned && e.outcome != Outcome::WouldPrune)
      out += fmt::format("  duplicate     {}: leftover workload of the release (--prune-duplicates deletes it)\n",
                         e.display());
  for (const auto& t : r.skipped_types)
    out += fmt::format("  skipped type  {}: {}\n", t.type, t.reason);
  for (const auto& w : r.warnings) out += "  warning       " + w + "\n";
  out += fmt::format(
      "types scanned: {}, objects found: {}, {}: {}, already owned: {}, conflicts: {}, failed: {}, "
      "controller-owned: {}, absent: {}, skipped types: {}",
      r.types_scanned, r.found(), dry ? "would adopt" : "adopted", r.count(dry ? Outcome::WouldAdopt : Outcome::Adopted),
      r.count(Outcome::AlreadyOwned), r.count(Outcome::Conflict), r.count(Outcome::Failed),
      r.count(Outcome::Controlled), r.count(Outcome::Absent), r.skipped_types.size());
  if (r.duplicates()) out += fmt::format(", duplicates: {}", r.duplicates());
  out += fmt::format(", time: {:.2f}s\n", r.seconds);
  return out;
}

json render_json(const AdoptReport& r) {
  json objects = json::array();
  for (const auto& e : r.objects) {
    json o = {{"apiVersion", e.api_version}, {"kind", e.kind}, {"namespace", e.namespace_}, {"name", e.name},
              {"source", source_names(e.sources)}, {"action", to_string(e.outcome)}};
    if (!e.message.empty()) o["message"] = e.message;
    if (e.duplicate) o["duplicate"] = true;
    objects.push_back(std::move(o));
  }
  json skipped = json::array();
  for (const auto& t : r.skipped_types)
    skipped.push_back({{"type", t.type}, {"reason", t.reason}, {"forbidden", t.forbidden}});
  return {
      {"release", r.release},
      {"namespace", r.namespace_},
      {"selector", r.selector},
      {"dryRun", r.dry_run},
      {"scrubManagedFields", r.scrub_managed_fields},
      {"typesScanned", r.types_scanned},
      {"objectsFound", r.found()},
      {"adopted", r.count(Outcome::Adopted)},
      {"wouldAdopt", r.count(Outcome::WouldAdopt)},
      {"alreadyOwned", r.count(Outcome::AlreadyOwned)},
      {"conflicts", r.count(Outcome::Conflict)},
      {"failed", r.count(Outcome::Failed)},
      {"controllerOwned", r.count(Outcome::Controlled)},
      {"absent", r.count(Outcome::Absent)},
      {"pruned", r.count(Outcome::Pruned)},
      {"duplicates", r.duplicates()},
      {"skippedTypes", skipped},
      {"warnings", r.warnings},
      {"requests", r.requests},
      {"writes", r.writes},
      {"seconds", r.seconds},
      {"exitCode", r.exit_code()},
      {"objects", objects},
  };
}

}  // namespace ath::helm_adopt
