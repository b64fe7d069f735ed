package main

// Global settings builtins (Tilt's internal/tiltfile/*settings*, k8scontext).

import (
	"fmt"
	"strings"
	"time"

	"go.starlark.net/starlark"
)

func defaultSettings() map[string]interface{} {
	return map[string]interface{}{
		"default_registry":      nil,
		"allow_k8s_contexts":    []string{},
		"version_settings":      map[string]interface{}{"check_updates": true, "constraint": ""},
		"secret_settings":       map[string]interface{}{"disable_scrub": false},
		"watch_settings":        map[string]interface{}{"ignore": []string{}},
		"docker_prune_settings": map[string]interface{}{"disable": false, "max_age_mins": 360, "num_builds": 0, "interval_hrs": 1, "keep_recent": 2},
		"update_settings": map[string]interface{}{"max_parallel_updates": 3, "k8s_upsert_timeout_secs": 30,
			"suppress_unused_image_warnings": []string{}, "k8s_server_side_apply": "auto"},
		"ci_settings":                   map[string]interface{}{"k8s_grace_period": "", "timeout": "30m", "readiness_timeout": "5m"},
		"trigger_mode":                  "auto",
		"features":                      []string{},
		"team_id":                       "",
		"analytics":                     nil,
		"workload_to_resource_function": false,
	}
}

func (s *state) defaultRegistry(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var host, hostFromCluster, singleName string
	if err := unpackArgs(fn.Name(), args, kwargs, "host", &host, "host_from_cluster?", &hostFromCluster, "single_name?", &singleName); err != nil {
		return nil, err
	}
	if s.settings["default_registry"] != nil {
		return nil, fmt.Errorf("default registry already defined")
	}
	// RegistryHosting.Validate (pkg/apis/core/v1alpha1/registry_types.go:
	// 84-111), wrapped as docker.go:507-509 does.
	var errs []string
	if host == "" {
		errs = append(errs, "host: Required value")
	} else if !validImageRef(host + "/fake") {
		errs = append(errs, fmt.Sprintf("host: Invalid value: %q: invalid reference format", host))
	}
	if hostFromCluster != "" && !validImageRef(hostFromCluster+"/fake") {
		errs = append(errs, fmt.Sprintf("hostFromContainerRuntime: Invalid value: %q: invalid reference format", hostFromCluster))
	}
	if err := aggregate(errs); err != nil {
		return nil, fmt.Errorf("validating defaultRegistry: %v", err)
	}
	if hostFromCluster == "" {
		hostFromCluster = host
	}
	s.settings["default_registry"] = map[string]interface{}{"host": host, "host_from_cluster": hostFromCluster, "single_name": singleName}
	return starlark.None, nil
}

func (s *state) allowK8sContexts(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var contexts stringOrStringList
	if err := unpackArgs(fn.Name(), args, kwargs, "contexts", &contexts); err != nil {
		return nil, err
	}
	for _, c := range contexts.values {
		if !contains(s.allowedCtx, c) {
			s.allowedCtx = append(s.allowedCtx, c)
		}
	}
	s.settings["allow_k8s_contexts"] = s.allowedCtx
	return starlark.None, nil
}

// localContext mirrors Tilt's detection of local clusters, which are allowed
// without allow_k8s_contexts().
func localContext(ctx string) bool {
	for _, exact := range []string{"minikube", "docker-for-desktop", "docker-desktop", "microk8s", "rancher-desktop", "orbstack", "colima"} {
		if ctx == exact {
			return true
		}
	}
	for _, prefix := range []string{"kind-", "k3d-", "krucible-", "crc-", "colima-"} {
		if strings.HasPrefix(ctx, prefix) {
			return true
		}
	}
	return false
}

func (s *state) contextAllowed() bool {
	return localContext(s.opts.context) || contains(s.allowedCtx, s.opts.context)
}

// checkContext is Tilt's refusal to deploy to a cluster that might be
// production when the Tiltfile declares Kubernetes resources.
func (s *state) checkContext() error {
	hasK8s := false
	for _, r := range s.resources {
		if r.Kind != "local" {
			hasK8s = true
		}
	}
	if !hasK8s || s.contextAllowed() {
		return nil
	}
	return fmt.Errorf("Stop! %s might be production.\nIf you're sure you want to deploy there, add:\n\tallow_k8s_contexts('%s')\nto your Tiltfile. Otherwise, switch k8s contexts and restart Tilt.", s.opts.context, s.opts.context)
}

func (s *state) versionSettings(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	cur := s.settings["version_settings"].(map[string]interface{})
	checkUpdates := cur["check_updates"].(bool)
	constraint := cur["constraint"].(string)
	if err := unpackArgs(fn.Name(), args, kwargs, "check_updates?", &checkUpdates, "constraint?", &constraint); err != nil {
		return nil, err
	}
	// version/version.go:48-59: the constraint must hold for the running Tilt.
	if constraint != "" {
		ok, err := versionSatisfies(modelledTiltVersion, constraint)
		if err != nil {
			return nil, fmt.Errorf("error parsing version constraint: %v", err)
		}
		if !ok {
			return nil, fmt.Errorf("you are running Tilt version %s, which doesn't match the version constraint specified in your Tiltfile: '%s'", modelledTiltVersion, constraint)
		}
	}
	s.settings["version_settings"] = map[string]interface{}{"check_updates": checkUpdates, "constraint": constraint}
	return starlark.None, nil
}

func (s *state) secretSettings(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	disableScrub := false
	// disable_scrub is required: secretsettings/secret_settings.go:30
	if err := unpackArgs(fn.Name(), args, kwargs, "disable_scrub", &disableScrub); err != nil {
		return nil, err
	}
	s.settings["secret_settings"] = map[string]interface{}{"disable_scrub": disableScrub}
	return starlark.None, nil
}

func (s *state) watchSettings(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var ignore stringOrStringList
	// ignore is optional: watch/watch.go:31
	if err := unpackArgs(fn.Name(), args, kwargs, "ignore?", &ignore); err != nil {
		return nil, err
	}
	cur := s.settings["watch_settings"].(map[string]interface{})
	cur["ignore"] = append(cur["ignore"].([]string), ignore.values...)
	return starlark.None, nil
}

func (s *state) dockerPruneSettings(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	disable := false
	maxAge, numBuilds, interval, keepRecent := 0, 0, 0, 2
	if err := unpackArgs(fn.Name(), args, kwargs, "disable?", &disable, "max_age_mins?", &maxAge,
		"num_builds?", &numBuilds, "interval_hrs?", &interval, "keep_recent?", &keepRecent); err != nil {
		return nil, err
	}
	// dockerprune/docker_prune.go:48-51, 53-62 (zero keeps the default).
	if numBuilds != 0 && interval != 0 {
		return nil, fmt.Errorf("can't specify both 'prune every X builds' and 'prune every Y hours'; please pass only one of `num_builds` and `interval_hrs`")
	}
	if maxAge == 0 {
		maxAge = 360
	}
	if interval == 0 {
		interval = 1
	}
	s.settings["docker_prune_settings"] = map[string]interface{}{"disable": disable, "max_age_mins": maxAge,
		"num_builds": numBuilds, "interval_hrs": interval, "keep_recent": keepRecent}
	return starlark.None, nil
}

func (s *state) updateSettings(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	cur := s.settings["update_settings"].(map[string]interface{})
	maxParallel := cur["max_parallel_updates"].(int)
	timeout := cur["k8s_upsert_timeout_secs"].(int)
	var suppress stringOrStringList
	ssa := cur["k8s_server_side_apply"].(string)
	if err := unpackArgs(fn.Name(), args, kwargs, "max_parallel_updates?", &maxParallel,
		"k8s_upsert_timeout_secs?", &timeout, "suppress_unused_image_warnings?", &suppress,
		"k8s_server_side_apply?", &ssa); err != nil {
		return nil, err
	}
	if maxParallel < 1 {
		return nil, fmt.Errorf("max number of parallel updates must be >= 1(got: %d)", maxParallel)
	}
	if timeout < 1 {
		return nil, fmt.Errorf("minimum k8s upsert timeout is 1s; got %ds", timeout)
	}
	if ssa != "auto" && ssa != "true" && ssa != "false" && ssa != "" { // update_settings.go:61-63
		return nil, fmt.Errorf("update_settings: k8s_server_side_apply must be \"true\", \"false\", or \"auto\"; got %q", ssa)
	}
	if ssa == "" {
		ssa = cur["k8s_server_side_apply"].(string)
	}
	cur["max_parallel_updates"], cur["k8s_upsert_timeout_secs"], cur["k8s_server_side_apply"] = maxParallel, timeout, ssa
	if suppress.set {
		cur["suppress_unused_image_warnings"] = append(cur["suppress_unused_image_warnings"].([]string), suppress.values...)
	}
	return starlark.None, nil
}

func (s *state) ciSettings(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	cur := s.settings["ci_settings"].(map[string]interface{})
	grace, timeout, readiness := cur["k8s_grace_period"].(string), cur["timeout"].(string), cur["readiness_timeout"].(string)
	if err := unpackArgs(fn.Name(), args, kwargs, "k8s_grace_period?", &grace, "timeout?", &timeout, "readiness_timeout?", &readiness); err != nil {
		return nil, err
	}
	// Each is a Go duration (value/duration.go:21-34, ci_settings.go:39-45).
	for name, d := range map[string]string{"k8s_grace_period": grace, "timeout": timeout, "readiness_timeout": readiness} {
		if d == "" {
			continue
		}
		if _, err := time.ParseDuration(d); err != nil {
			return nil, fmt.Errorf("%s: for parameter %s: %v", fn.Name(), name, err)
		}
	}
	s.settings["ci_settings"] = map[string]interface{}{"k8s_grace_period": grace, "timeout": timeout, "readiness_timeout": readiness}
	return starlark.None, nil
}

func (s *state) triggerModeBuiltin(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var tm triggerModeArg
	if err := unpackArgs(fn.Name(), args, kwargs, "trigger_mode", &tm); err != nil {
		return nil, err
	}
	s.defaultTrigger = tm.mode
	s.settings["trigger_mode"] = tm.mode.jsonName()
	return starlark.None, nil
}

func (s *state) setTeam(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var team string
	if err := unpackArgs(fn.Name(), args, kwargs, "team_id", &team); err != nil {
		return nil, err
	}
	if team == "" {
		return nil, fmt.Errorf("team_id cannot be empty")
	}
	if prev := s.settings["team_id"].(string); prev != "" && prev != team { // tiltfile_state.go:1581-1583
		return nil, fmt.Errorf("team_id set multiple times (to '%s' and '%s')", prev, team)
	}
	s.settings["team_id"] = team
	return starlark.None, nil
}

// featureFlags is internal/feature/flags.go (v0.37.6): name -> still active.
// Setting an unknown flag fails; an obsolete one only warns.
var featureFlags = map[string]bool{
	"multiple_containers_per_pod": false, "events": false, "snapshots": true,
	"update_history": false, "facets": false, "labels": false, "live_update_v2": false,
	"disable_resources": false, "bulk_disable_resources": false, "cluster_refresh": true,
	"offline_snapshot_creation": false,
}

// setFeature is features.go:9-43: enable_feature(msg) / disable_feature(msg).
func (s *state) setFeature(enabled bool) builtinFn {
	return func(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var name string
		if err := unpackArgs(fn.Name(), args, kwargs, "msg", &name); err != nil {
			return nil, err
		}
		return starlark.None, s.applyFeature(name, enabled)
	}
}

func (s *state) applyFeature(name string, enabled bool) error {
	active, known := featureFlags[name]
	if !known {
		return fmt.Errorf("Unknown feature flag: %s", name)
	}
	if !active {
		s.warnings = append(s.warnings, "Obsolete feature flag: "+name)
		return nil
	}
	prefix := map[bool]string{true: "", false: "-"}[enabled]
	s.settings["features"] = append(s.settings["features"].([]string), prefix+name)
	return nil
}

func (s *state) disableSnapshots(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := unpackArgs(fn.Name(), args, kwargs); err != nil {
		return nil, err
	}
	return starlark.None, s.applyFeature("snapshots", false)
}

func (s *state) analyticsSettings(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var enable bool
	if err := unpackArgs(fn.Name(), args, kwargs, "enable", &enable); err != nil {
		return nil, err
	}
	s.settings["analytics"] = enable
	return starlark.None, nil
}

func (s *state) k8sKind(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var kind, apiVersion, podReadiness string
	var jsonPath stringOrStringList
	var imageObject starlark.Value = starlark.None
	// k8s.go:487-505: only kind may be positional; then image_json_path,
	// api_version, image_object, pod_readiness.
	if len(args) > 1 {
		return nil, fmt.Errorf("%s: got %d arguments, want at most %d", fn.Name(), len(args), 1)
	}
	if err := unpackArgs(fn.Name(), args, kwargs, "kind", &kind, "image_json_path?", &jsonPath,
		"api_version?", &apiVersion, "image_object?", &imageObject, "pod_readiness?", &podReadiness); err != nil {
		return nil, err
	}
	if podReadiness != "" && podReadiness != "ignore" && podReadiness != "wait" && podReadiness != "succeeded" {
		return nil, fmt.Errorf("Invalid value. Allowed: {ignore, wait}. Got: %s", podReadiness)
	}
	if len(jsonPath.values) > 0 && imageObject != starlark.None {
		return nil, fmt.Errorf("Cannot specify both image_json_path and image_object")
	}
	s.workloadKinds[strings.ToLower(kind)] = true
	if podReadiness != "" {
		s.kindReadiness[strings.ToLower(kind)] = podReadiness
	}
	return starlark.None, nil
}

func (s *state) workloadToResourceFunction(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var f starlark.Callable
	if err := unpackArgs(fn.Name(), args, kwargs, "func", &f); err != nil { // k8s.go:547
		return nil, err
	}
	s.settings["workload_to_resource_function"] = true
	s.warnings = append(s.warnings, "tilt-eval: workload_to_resource_function is recorded but not applied to resource names")
	return starlark.None, nil
}
