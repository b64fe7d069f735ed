#include "isolated_plan.hpp"

#include "core/isolated_names.hpp"

namespace ath::values_parity {

std::string isolated_release(const AppPlan& p) { return ath::isolated_release_name(p.release, "").name; }

json isolated_plan_json(const AppPlan& p) {
  json set = json::array();
  for (const auto& i : p.images) {
    set.push_back(i.repository_key);
    set.push_back(i.tag_key);
  }
  set.push_back(ath::kFullnameKey);
  return {{"release", isolated_release(p)},
          {"argocd_release", p.release},
          {"namespace", p.namespace_},
          {"value_files", p.value_files},
          {"set", set}};
}

std::string isolated_plan_text(const AppPlan& p) {
  std::string out = "  isolated: helm upgrade --install " + isolated_release(p) + " " + p.chart + " -n " + p.namespace_;
  for (const auto& f : p.value_files) out += " -f " + f;
  for (const auto& i : p.images) out += " --set " + i.repository_key + "=... --set " + i.tag_key + "=...";
  return out + " --set " + std::string(ath::kFullnameKey) + "=" + isolated_release(p) + "  (next to Argo CD's " + p.release + ")\n";
}

}  // namespace ath::values_parity
