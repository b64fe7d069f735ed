#include "tilt-helm-adopt/adopt_apply.hpp"

#include <spdlog/spdlog.h>

#include <thread>

#include "tilt-helm-adopt/adopt_retry.hpp"

namespace ath::helm_adopt {

namespace {

ObjectEntry entry_for(const Candidate& c) {
  const json& md = c.object["metadata"];
  ObjectEntry e;
  e.api_version = c.object.value("apiVersion", c.type->group_version());
  e.kind = c.object.value("kind", c.type->kind);
  e.namespace_ = md.value("namespace", "");
  e.name = md.value("name", "");
  e.sources = c.sources;
  return e;
}

ObjectEntry finish(ObjectEntry e, Outcome outcome, std::string message) {
  e.outcome = outcome;
  e.message = std::move(message);
  return e;
}

void count_write(const ApplySettings& s) {
  if (s.writes) ++*s.writes;
}

std::string failure_text(const KubeError& e, int attempts) {
  return e.describe() + (attempts > 1 ? " (after " + std::to_string(attempts) + " attempts)" : "") +
         "; the object is unchanged, rerun to finish";
}

}  // namespace

ObjectEntry adopt_object(KubeClient& client, const Candidate& candidate, const ApplySettings& s) {
  ObjectEntry entry = entry_for(candidate);
  json live = candidate.object;
  for (int attempt = 1;; ++attempt) {
    Decision d = plan_adoption(live, candidate.sources, s.plan);
    switch (d.action) {
      case Action::AlreadyOwned: return finish(entry, Outcome::AlreadyOwned, "");
      case Action::Conflict: return finish(entry, Outcome::Conflict, d.reason);
      case Action::Controlled: return finish(entry, Outcome::Controlled, d.reason);
      case Action::Adopt: break;
    }
    const std::string change = describe_patch(d.patch);
    if (s.dry_run) return finish(entry, Outcome::WouldAdopt, change);

    count_write(s);
    auto res = client.patch(*candidate.type, entry.namespace_, entry.name, PatchType::Merge, d.patch);
    if (res.ok()) {
      spdlog::debug("adopted {}: {}", entry.display(), change);
      return finish(entry, Outcome::Adopted, d.owner_release.empty() ? change : d.reason);
    }
    const KubeError& err = *res.error;
    if (err.kind == KubeErrorKind::NotFound) return finish(entry, Outcome::Absent, "deleted while adopting it");
    const bool stale = err.kind == KubeErrorKind::Conflict;
    if (attempt >= s.max_attempts || !(stale || err.transient())) {
      spdlog::error("cannot adopt {}: {}", entry.display(), err.describe());
      return finish(entry, Outcome::Failed, "patch failed: " + failure_text(err, attempt));
    }
    if (stale) {
      // Someone wrote the object since it was read: decide again on what it is now.
      auto again = with_transient_retries(s.max_attempts, [&] {
        return client.get(*candidate.type, entry.namespace_, entry.name);
      });
      if (!again.ok()) {
        if (again.error->kind == KubeErrorKind::NotFound)
          return finish(entry, Outcome::Absent, "deleted while adopting it");
        return finish(entry, Outcome::Failed, "re-read after a conflict failed: " + failure_text(*again.error, attempt));
      }
      live = std::move(again.value);
    } else {
      // The precondition makes the retry safe: had the write landed, it now answers 409.
      std::this_thread::sleep_for(retry_backoff(attempt));
    }
  }
}

ObjectEntry prune_object(KubeClient& client, const Candidate& candidate, const ApplySettings& s) {
  ObjectEntry entry = entry_for(candidate);
  Decision d = plan_adoption(candidate.object, candidate.sources, s.plan);
  if (d.action == Action::Conflict) return finish(entry, Outcome::Conflict, d.reason + " (a duplicate, not deleted)");
  if (d.action == Action::Controlled) return finish(entry, Outcome::Controlled, d.reason);
  const std::string why = "leftover workload: the manifest renders another one with the same name and component";
  if (s.dry_run) return finish(entry, Outcome::WouldPrune, why);
  // The uid precondition deletes exactly the object judged here, not a namesake created since.
  const json options = {{"apiVersion", "v1"},
                        {"kind", "DeleteOptions"},
                        {"propagationPolicy", "Background"},
                        {"preconditions", {{"uid", candidate.object["metadata"].value("uid", "")}}}};
  const std::string path = resource_path(*candidate.type, entry.namespace_, entry.name);
  auto res = with_transient_retries(s.max_attempts, [&] {
    count_write(s);
    return client.request("DELETE", path, options.dump(), "application/json");
  });
  if (res.ok() || res.error->kind == KubeErrorKind::NotFound) {
    spdlog::info("pruned {}", entry.display());
    return finish(entry, Outcome::Pruned, why);
  }
  spdlog::error("cannot delete {}: {}", entry.display(), res.error->describe());
  return finish(entry, Outcome::Failed, "delete failed: " + res.error->describe() + "; rerun to finish");
}

}  // namespace ath::helm_adopt
