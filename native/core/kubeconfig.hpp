#pragma once
// Which kubeconfig kubectl will read for a helper, checked before kubectl runs, and the API
// server it points at, for messages. kubectl itself only says "error: stat PATH: no such file or
// directory" for a missing --kubeconfig, and with a $KUBECONFIG whose files are all missing it
// quietly falls back to http://localhost:8080.
#include <nlohmann/json.hpp>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/env.hpp"
#include "core/kube_proxy.hpp"

namespace ath {

using json = nlohmann::json;

// The files kubectl reads, in its order: --kubeconfig, else the ':'-separated files of
// $KUBECONFIG (missing ones included; kubectl skips them), else ~/.kube/config.
std::vector<std::string> kubeconfig_files(const KubeAccess& access, const EnvLookup& env = process_env);

// A sentence naming the kubeconfig path, what is wrong with it (missing, unreadable) and how to
// fix it (KUBECONFIG, --kubeconfig, --context); nullopt when kubectl has a file to read or runs
// in a pod (in-cluster config).
std::optional<std::string> kubeconfig_problem(const KubeAccess& access, const EnvLookup& env = process_env);

// "https://10.0.0.1:6443 (context 'dev')": the server the kubeconfig names for this context, read
// with `kubectl config view --minify` (local, no request). Used only when a request failed.
std::string describe_api_server(const KubeAccess& access);

}  // namespace ath
