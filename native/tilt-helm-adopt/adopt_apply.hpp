#pragma once
// The write half of a run: one object's ownership patch (re-read and retried on 409, bounded)
// or, for --prune-duplicates, its deletion. Called concurrently, one object per call.
#include <atomic>

#include "core/kube_client.hpp"
#include "tilt-helm-adopt/adopt_collect.hpp"
#include "tilt-helm-adopt/adopt_plan.hpp"
#include "tilt-helm-adopt/adopt_report.hpp"

namespace ath::helm_adopt {

struct ApplySettings {
  PlanSettings plan;
  bool dry_run = false;
  int max_attempts = 3;
  std::atomic<size_t>* writes = nullptr;  // counts PATCH/DELETE requests sent, when set
};

// Decides and, unless dry-run, writes. Every outcome leaves the object either fully adopted or
// untouched: the single merge patch carries a resourceVersion precondition.
ObjectEntry adopt_object(KubeClient& client, const Candidate& candidate, const ApplySettings& settings);

// Deletes a leftover workload (--prune-duplicates), unless another release owns it.
ObjectEntry prune_object(KubeClient& client, const Candidate& candidate, const ApplySettings& settings);

}  // namespace ath::helm_adopt
