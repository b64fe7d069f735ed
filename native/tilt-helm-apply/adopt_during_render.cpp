#include "adopt_during_render.hpp"

#include <spdlog/spdlog.h>

#include <chrono>

#include "apply_connection.hpp"
#include "core/argocd.hpp"
#include "core/discovery_cache.hpp"
#include "core/yaml_json.hpp"
#include "release_io.hpp"
#include "tilt-helm-adopt/adopt_targets.hpp"

namespace ath::helm_apply {

namespace {

// "group/resource/ns/name" (helm_adopt::object_key) back to a target the index serves.
std::optional<helm_adopt::Target> target_of_key(const std::string& key, const ResourceIndex& index) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t slash; parts.size() < 3 && (slash = key.find('/', start)) != std::string::npos; start = slash + 1)
    parts.push_back(key.substr(start, slash - start));
  if (parts.size() != 3) return std::nullopt;
  const ApiResource* type = index.by_resource(parts[0], parts[1]);
  if (!type) return std::nullopt;
  return helm_adopt::Target{type, parts[2], key.substr(start), 0};
}

std::set<std::string> keys_of(const helm_adopt::Targets& t) {
  std::set<std::string> out;
  for (const auto& target : t.targets) out.insert(target.key());
  return out;
}

bool names_unserved_type(const helm_adopt::Targets& t) {
  for (const auto& u : t.unresolved)
    if (u.reason == "no such type is served") return true;
  return false;
}

}  // namespace

AdoptDuringRender::AdoptDuringRender(const KubeAccess& access, RenderAdoptionSettings settings, HandoffServer& server)
    : s_(std::move(settings)), server_(server), thread_([this, access] { run(access); }) {}

AdoptDuringRender::~AdoptDuringRender() {
  server_.stop();
  release_.set_value();
  if (thread_.joinable()) thread_.join();
}

RenderAdoptionResult AdoptDuringRender::finish() {
  server_.stop();
  served_.get_future().wait();
  if (error_) std::rethrow_exception(error_);
  return std::move(result_);
}

void AdoptDuringRender::refresh_index() {
  auto types = client_->discover();
  if (!types.ok()) throw std::runtime_error("API discovery failed: " + types.error->describe());
  if (s_.server && s_.discovery_dir && !server_version_.empty())
    store_discovery(*s_.discovery_dir, *s_.server, server_version_, types.value);
  index_ = ResourceIndex(std::move(types.value));
  index_from_cache_ = false;
}

void AdoptDuringRender::connect_and_read_ahead(const KubeAccess& access) {
  client_.emplace(connect_for_apply(access, s_.session_proxy));
  const ScanReason before = scan_before_render(s_.last, s_.session, s_.full_scan);
  server_version_ = client_->server_version();  // connect() asked already: no second round trip
  // A scan must see every type, so it never trusts the cache (a CRD may have come since).
  std::optional<std::vector<ApiResource>> cached;
  if (before == ScanReason::None && s_.server && s_.discovery_dir && !server_version_.empty())
    cached = load_discovery(*s_.discovery_dir, *s_.server, server_version_);
  if (cached) {
    index_ = ResourceIndex(std::move(*cached));
    index_from_cache_ = true;
  } else {
    refresh_index();
  }
  if (s_.skip_adopt) return;

  AdoptStep step = s_.step;
  helm_adopt::AdoptOptions o;
  o.release = step.release;
  o.release_namespace = step.namespace_;
  o.argocd_namespace = step.argocd_namespace;
  if (index_.by_group_kind(argocd::kGroup, argocd::kApplicationKind)) o.argocd_app = step.argocd_app;
  std::vector<helm_adopt::Target> guesses;
  if (s_.last)
    for (const auto& key : s_.last->adopted)
      if (auto t = target_of_key(key, index_)) guesses.push_back(*t);
  spdlog::debug("{}: {}; reading {} objects ahead", step.release, describe(before), guesses.size());
  ahead_ = helm_adopt::prefetch(*client_, index_, o, before != ScanReason::None, guesses);
}

void AdoptDuringRender::serve(HandoffRequest& request) {
  // Helm waits from here until the answer: the debug log times it.
  const auto received = std::chrono::steady_clock::now();
  spdlog::debug("{}: helm's post-renderer handed over {} bytes", s_.step.release, request.manifest().size());
  result_.handed_over = true;
  result_.manifest.clear();
  for (auto& d : parse_yaml_stream(request.manifest(), "the manifest helm rendered"))
    if (!d.value.is_null()) result_.manifest.push_back(std::move(d.value));
  spdlog::debug("{}: manifest parsed", s_.step.release);
  if (s_.skip_adopt) {
    request.answer(true, "");
    return;
  }
  auto manifest_targets = helm_adopt::manifest_targets(result_.manifest, index_, s_.step.namespace_);
  if (index_from_cache_ && names_unserved_type(manifest_targets)) {
    // A type the cached discovery does not know: a CRD installed since. Ask the server again.
    spdlog::debug("{}: the manifest names a type the discovery cache lacks; discovering again", s_.step.release);
    refresh_index();
    ahead_.reset();  // its pointers were into the old index
    manifest_targets = helm_adopt::manifest_targets(result_.manifest, index_, s_.step.namespace_);
  }
  result_.manifest_keys = keys_of(manifest_targets);
  ScanReason scan = scan_before_render(s_.last, s_.session, s_.full_scan);
  if (scan == ScanReason::None) scan = scan_after_render(s_.last, result_.manifest_keys);
  spdlog::info("{}: {}", s_.step.release, describe(scan));

  AdoptStep step = s_.step;
  step.manifest = result_.manifest;
  step.label_scan = scan != ScanReason::None;
  result_.adoption = run_adoption(*client_, index_, step, ahead_ ? &*ahead_ : nullptr);
  result_.adopted_keys = result_.manifest_keys;
  if (ahead_ && ahead_->application && ahead_->application->ok())
    for (const auto& key : keys_of(helm_adopt::argocd_targets(ahead_->application->value, index_)))
      result_.adopted_keys.insert(key);

  const bool ok = result_.adoption->exit_code == 0;
  request.answer(ok, ok ? "" : "tilt-helm-apply: objects of " + s_.step.release +
                                   " could not be adopted; helm applied nothing (see tilt-helm-apply's log)");
  spdlog::debug("{}: answered helm's post-renderer after {} ms", s_.step.release,
                std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - received).count());
}

void AdoptDuringRender::run(const KubeAccess& access) {
  try {
    connect_and_read_ahead(access);
    while (auto request = server_.next()) serve(*request);
  } catch (...) {
    error_ = std::current_exception();
    std::string why = "tilt-helm-apply could not adopt before helm's apply";
    try {
      std::rethrow_exception(error_);
    } catch (const std::exception& e) {
      why += ": " + std::string(e.what());
    } catch (...) {
    }
    // Helm may be waiting in its post-renderer: refuse, so that it stops without writing.
    while (auto request = server_.next()) request->answer(false, why);
  }
  served_.set_value();
  release_.get_future().wait();
}

}  // namespace ath::helm_apply
