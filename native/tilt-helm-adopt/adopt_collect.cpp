#include "tilt-helm-adopt/adopt_collect.hpp"

#include <spdlog/spdlog.h>

#include <mutex>

#include "core/argocd.hpp"
#include "core/parallel.hpp"
#include "tilt-helm-adopt/adopt_plan.hpp"
#include "tilt-helm-adopt/adopt_retry.hpp"

namespace ath::helm_adopt {

namespace {

ObjectEntry entry_for(const Target& t, Outcome outcome, std::string message) {
  return ObjectEntry{t.type->group_version(), t.type->kind, t.namespace_, t.name, t.sources, outcome,
                     std::move(message)};
}

// Merges targets that several sources (or one source twice) name.
void add_targets(std::map<std::string, Target>& into, const Targets& from, std::vector<std::string>& warnings,
                 const std::string& source) {
  for (const auto& t : from.targets) {
    auto [it, fresh] = into.try_emplace(t.key(), t);
    if (!fresh) it->second.sources |= t.sources;
  }
  for (const auto& u : from.unresolved) warnings.push_back(source + ": " + u.what + ": " + u.reason);
}

}  // namespace

Prefetch prefetch(KubeClient& client, const ResourceIndex& index, const AdoptOptions& o, bool scan,
                  const std::vector<Target>& guesses) {
  Prefetch p;
  const std::vector<const ApiResource*> types = scan ? scan_types(index) : std::vector<const ApiResource*>{};
  const ApiResource* app_type = o.argocd_app.empty() ? nullptr : index.by_group_kind(argocd::kGroup, argocd::kApplicationKind);
  const size_t first_type = app_type ? 1 : 0, first_guess = first_type + types.size();
  const ListOptions list_options{scan_selector(o.release, o.selector)};
  std::vector<Result<std::vector<json>>> lists(types.size());
  std::vector<Result<json>> got(guesses.size());
  Result<json> app;
  parallel_for(first_guess + guesses.size(), o.concurrency, [&](size_t i) {
    if (i < first_type) {
      app = with_transient_retries(o.max_attempts, [&] { return client.get(*app_type, o.argocd_namespace, o.argocd_app); });
    } else if (i < first_guess) {
      const ApiResource& type = *types[i - first_type];
      lists[i - first_type] = with_transient_retries(
          o.max_attempts, [&] { return client.list(type, o.release_namespace, list_options); });
    } else {
      const Target& t = guesses[i - first_guess];
      got[i - first_guess] = with_transient_retries(o.max_attempts, [&] { return client.get(*t.type, t.namespace_, t.name); });
    }
  });
  if (app_type) p.application = std::move(app);
  if (scan) p.lists = std::move(lists);
  for (size_t i = 0; i < guesses.size(); ++i) p.objects.emplace(guesses[i].key(), std::move(got[i]));
  return p;
}

Collected collect(KubeClient& client, const ResourceIndex& index, const AdoptOptions& o, const Prefetch* already) {
  Collected c;
  const std::vector<const ApiResource*> types = o.label_scan ? scan_types(index) : std::vector<const ApiResource*>{};
  const bool want_app = !o.argocd_app.empty();
  const ApiResource* app_type = want_app ? index.by_group_kind(argocd::kGroup, argocd::kApplicationKind) : nullptr;
  if (want_app && !app_type)
    throw AdoptSetupError("--argocd-app " + o.argocd_app + ": the cluster serves no argoproj.io Application type");

  // Round one, all at once: the Application (task 0, it gates round two) and one LIST per type.
  const ListOptions list_options{scan_selector(o.release, o.selector)};
  const size_t first_type = want_app ? 1 : 0;
  Result<json> app;
  std::vector<Result<std::vector<json>>> lists(types.size());
  const bool have_app = already && already->application, have_lists = already && already->lists;
  if (have_app) app = *already->application;
  if (have_lists) lists = *already->lists;
  parallel_for(first_type + types.size(), o.concurrency, [&](size_t i) {
    if (i < first_type) {
      if (have_app) return;
      app = with_transient_retries(o.max_attempts, [&] { return client.get(*app_type, o.argocd_namespace, o.argocd_app); });
      return;
    }
    if (have_lists) return;
    const ApiResource& type = *types[i - first_type];
    lists[i - first_type] = with_transient_retries(
        o.max_attempts, [&] { return client.list(type, o.release_namespace, list_options); });
  });
  if (lists.size() != types.size()) throw std::logic_error("prefetched label scan lists another set of types");

  const std::string app_name = o.argocd_namespace + "/" + o.argocd_app;
  if (want_app && !app.ok()) {
    if (app.error->kind == KubeErrorKind::NotFound)
      throw AdoptSetupError("Argo CD Application " + app_name + " not found; check --argocd-app and --argocd-namespace");
    throw AdoptSetupError("cannot read Argo CD Application " + app_name + ": " + app.error->describe());
  }

  c.types_scanned = types.size();
  for (size_t i = 0; i < types.size(); ++i) {
    const ApiResource& type = *types[i];
    if (!lists[i].ok()) {
      const KubeError& e = *lists[i].error;
      --c.types_scanned;
      if (e.kind == KubeErrorKind::NotFound) {  // the type went away since discovery: nothing to adopt
        spdlog::info("{} is no longer served; skipped", type.display());
        continue;
      }
      const bool forbidden = e.kind == KubeErrorKind::Forbidden;
      if (forbidden)
        spdlog::warn("skipping {}: not allowed to list it in {} ({})", type.display(), o.release_namespace, e.describe());
      else
        spdlog::error("could not list {} in {}: {}", type.display(), o.release_namespace, e.describe());
      c.skipped_types.push_back({type.display(), e.describe(), forbidden});
      continue;
    }
    for (auto& item : lists[i].value) {
      const json& md = item["metadata"];
      std::string key = object_key(type, md.value("namespace", ""), md.value("name", ""));
      c.live.emplace(std::move(key), Candidate{&type, std::move(item), kFromLabelScan});
    }
  }

  // Round two: the named objects the scan did not already bring back.
  std::map<std::string, Target> named;
  if (o.use_manifest) {
    add_targets(named, manifest_targets(o.manifest, index, o.release_namespace), c.warnings, "manifest");
    c.manifest_objects = manifest_objects(o.manifest);
  }
  if (want_app) add_targets(named, argocd_targets(app.value, index), c.warnings, "Application " + app_name);
  for (const auto& w : c.warnings) spdlog::warn("{}", w);

  std::vector<const Target*> to_get;
  for (const auto& [key, target] : named) {
    auto it = c.live.find(key);
    if (it != c.live.end()) it->second.sources |= target.sources;
    else to_get.push_back(&target);
  }
  std::mutex mutex;
  parallel_for(to_get.size(), o.concurrency, [&](size_t i) {
    const Target& t = *to_get[i];
    const auto cached = already ? already->objects.find(t.key()) : std::map<std::string, Result<json>>::const_iterator{};
    auto got = already && cached != already->objects.end()
                   ? cached->second
                   : with_transient_retries(o.max_attempts, [&] { return client.get(*t.type, t.namespace_, t.name); });
    std::lock_guard lock(mutex);
    if (got.ok()) {
      c.live.emplace(t.key(), Candidate{t.type, std::move(got.value), t.sources});
    } else if (got.error->kind == KubeErrorKind::NotFound) {
      c.settled.push_back(entry_for(t, Outcome::Absent, "not in the cluster; Helm will create it"));
    } else {
      c.settled.push_back(entry_for(t, Outcome::Failed, "cannot read it: " + got.error->describe()));
    }
  });
  return c;
}

}  // namespace ath::helm_adopt
