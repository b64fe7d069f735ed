package main

// When Tilt counts each resource as ready, so that resource_deps and
// `tilt ci` can be reasoned about from the JSON (Tilt v0.37.6):
//   - local_resource with only cmd: when cmd has finished (an update);
//   - serve_cmd without readiness_probe: as soon as the process runs
//     (internal/controllers/core/cmd/controller.go:527-529);
//   - serve_cmd with readiness_probe: when the probe succeeds (same file,
//     the probe worker sets Ready);
//   - Kubernetes resources and k8s_custom_deploy: by the pod readiness mode
//     (internal/store/runtime_state.go:124-171): "wait" needs every container
//     of the pods ready, "succeeded" needs the pods to complete, "ignore"
//     counts the resource ready once applied. The mode is inferred as in
//     internal/tiltfile/tiltfile_state.go:1083-1118: an explicit
//     pod_readiness wins, then a kind's (Job: succeeded, CronJob: ignore,
//     internal/tiltfile/k8s/resource.go:23-24, or k8s_kind(pod_readiness=)),
//     then "ignore" for a group of objects with no images and no pod
//     selectors, else "wait". A k8s_custom_deploy has no objects at load
//     time, so it waits for pods unless told otherwise.

const (
	readyCmdFinished   = "cmd_finished"
	readyProcessStart  = "process_started"
	readyProbe         = "probe"
	readyPodsReady     = "pods_ready"
	readyPodsSucceeded = "pods_succeeded"
	readyIgnorePods    = "pod_readiness_ignore"
)

// defaultKindReadiness is internal/tiltfile/k8s/resource.go:23-24.
var defaultKindReadiness = map[string]string{"job": "succeeded", "cronjob": "ignore"}

func (s *state) podReadinessFor(r *resource) string {
	if r.PodReadiness != "" {
		return r.PodReadiness
	}
	has := map[string]bool{}
	for _, k := range r.objectKinds {
		if m := s.kindReadiness[k]; m != "" {
			has[m] = true
		} else if m := defaultKindReadiness[k]; m != "" {
			has[m] = true
		}
	}
	for _, m := range []string{"wait", "ignore", "succeeded"} {
		if has[m] {
			return m
		}
	}
	if r.manuallyGrouped && len(r.ExtraPodSelectors) == 0 && len(r.ImageDeps) == 0 {
		return "ignore"
	}
	return "wait"
}

func (s *state) modelReadiness() {
	for _, r := range s.resources {
		switch {
		case r.Kind == "local" && len(r.ServeCmd) == 0:
			r.ReadyWhen = readyCmdFinished
		case r.Kind == "local" && r.Readiness == nil:
			r.ReadyWhen = readyProcessStart
		case r.Kind == "local":
			r.ReadyWhen = readyProbe
		default:
			r.PodReadiness = s.podReadinessFor(r)
			r.ReadyWhen = map[string]string{"wait": readyPodsReady, "succeeded": readyPodsSucceeded, "ignore": readyIgnorePods}[r.PodReadiness]
		}
	}
}
