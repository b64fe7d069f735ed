#include "tilt-helm-adopt/adopt.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <tuple>

#include "core/parallel.hpp"
#include "tilt-helm-adopt/adopt_apply.hpp"
#include "tilt-helm-adopt/adopt_collect.hpp"
#include "tilt-helm-adopt/adopt_plan.hpp"
#include "tilt-helm-adopt/adopt_targets.hpp"

namespace ath::helm_adopt {

AdoptReport adopt(KubeClient& client, const ResourceIndex& index, const AdoptOptions& o, const Prefetch* already) {
  const auto start = std::chrono::steady_clock::now();
  const size_t requests_before = client.requests_sent();

  Collected collected = collect(client, index, o, already);

  std::vector<const Candidate*> candidates;
  for (const auto& [key, c] : collected.live) candidates.push_back(&c);

  // Leftover workloads can only be told apart from the rendered chart.
  std::vector<bool> duplicate(candidates.size(), false);
  if (o.use_manifest) {
    std::vector<json> workloads;
    std::vector<size_t> at;
    for (size_t i = 0; i < candidates.size(); ++i) {
      const json& obj = candidates[i]->object;
      if (is_workload_kind(obj.value("apiVersion", ""), obj.value("kind", ""))) {
        workloads.push_back(obj);
        at.push_back(i);
      }
    }
    for (size_t w : find_duplicate_workloads(workloads, collected.manifest_objects, o.release_namespace))
      duplicate[at[w]] = true;
  }

  std::atomic<size_t> writes{0};
  ApplySettings settings{PlanSettings{o.release, o.release_namespace, o.scrub_managed_fields, o.force}, o.dry_run,
                         o.max_attempts, &writes};
  std::vector<ObjectEntry> entries(candidates.size());
  parallel_for(candidates.size(), o.concurrency, [&](size_t i) {
    entries[i] = duplicate[i] && o.prune_duplicates ? prune_object(client, *candidates[i], settings)
                                                     : adopt_object(client, *candidates[i], settings);
    entries[i].duplicate = duplicate[i];
  });

  AdoptReport r;
  r.release = o.release;
  r.namespace_ = o.release_namespace;
  r.selector = o.label_scan ? scan_selector(o.release, o.selector) : "";
  r.dry_run = o.dry_run;
  r.scrub_managed_fields = o.scrub_managed_fields;
  r.types_scanned = collected.types_scanned;
  r.objects = std::move(collected.settled);
  for (auto& e : entries) r.objects.push_back(std::move(e));
  std::sort(r.objects.begin(), r.objects.end(), [](const ObjectEntry& a, const ObjectEntry& b) {
    return std::tie(a.kind, a.namespace_, a.name, a.api_version) < std::tie(b.kind, b.namespace_, b.name, b.api_version);
  });
  r.skipped_types = std::move(collected.skipped_types);
  r.warnings = std::move(collected.warnings);
  r.requests = client.requests_sent() - requests_before;
  r.writes = writes.load();
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

}  // namespace ath::helm_adopt
