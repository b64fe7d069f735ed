package main

// Live update steps and their rules, as in Tilt v0.37.6
// internal/tiltfile/live_update.go and tiltfile_state.go:
//   - every step remembers where it was created (the calling line); a step a
//     live_update list uses is consumed; any left over fails the load
//     (live_update.go:149-151, 352-367, called at tiltfile_state.go:303);
//   - the order rules and the LiveUpdate API validation run when a
//     live_update= list is read (live_update.go:244-350,
//     pkg/apis/core/v1alpha1/liveupdate_types.go:162-219);
//   - sync sources and fall_back_on paths must lie under the watched paths of
//     a deployed image, checked after assembly (tiltfile_state.go:1306-1348);
//   - restart_container() is refused on Kubernetes resources
//     (tiltfile_state.go:1165, 1368-1396, live_update.go:19).

import (
	"fmt"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"go.starlark.net/starlark"
)

// luStep is one value returned by sync/run/fall_back_on/initial_sync/
// restart_container. Its Starlark type names are Tilt's, since they appear in
// Tilt's error messages.
type luStep struct {
	kind string // sync | run | fall_back_on | initial_sync | restart_container
	data map[string]interface{}
	pos  string // file:line:col of the call that created it
}

func (l *luStep) Type() string          { return "live_update_" + l.kind + "_step" }
func (l *luStep) Freeze()               {}
func (l *luStep) Truth() starlark.Bool  { return true }
func (l *luStep) Hash() (uint32, error) { return starlark.String(l.String()).Hash() }
func (l *luStep) String() string {
	switch l.kind {
	case "sync":
		return fmt.Sprintf("sync step: '%s'->'%s'", l.data["local_path"], l.data["remote_path"])
	case "run":
		text := fmt.Sprintf("run step: %q", cmdString(l.data["cmd"].([]string)))
		if tr := l.data["trigger"].([]string); len(tr) > 0 {
			text += " (triggers: " + strings.Join(tr, "; ") + ")"
		}
		return text
	case "fall_back_on":
		return fmt.Sprintf("fall_back_on step: %v'", l.data["files"])
	}
	return l.kind + " step"
}

// newStep records a step as created and not yet used.
func (s *state) newStep(t *starlark.Thread, kind string, data map[string]interface{}) *luStep {
	data["type"] = kind
	st := &luStep{kind: kind, data: data, pos: t.CallFrame(1).Pos.String()}
	s.unusedSteps[st.pos] = st
	return st
}

func (s *state) sync(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var local, remote string
	if err := unpackArgs(fn.Name(), args, kwargs, "local_path", &local, "remote_path", &remote); err != nil {
		return nil, err
	}
	return s.newStep(t, "sync", map[string]interface{}{"local_path": s.absPath(local), "remote_path": remote}), nil
}

func (s *state) run(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var cmd cmdArg
	var trigger stringOrStringList
	echoOff := false
	if err := unpackArgs(fn.Name(), args, kwargs, "cmd", &cmd, "trigger?", &trigger, "echo_off?", &echoOff); err != nil {
		return nil, err
	}
	triggers := []string{}
	for _, p := range trigger.values {
		triggers = append(triggers, s.absPath(p))
	}
	return s.newStep(t, "run", map[string]interface{}{"cmd": cmd.argv, "trigger": triggers, "echo_off": echoOff}), nil
}

// fallBackOn takes paths=, as Tilt's Go code unpacks it (live_update.go:168);
// the API docs call it files=.
func (s *state) fallBackOn(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	files := pathList{st: s}
	if err := unpackArgs(fn.Name(), args, kwargs, "paths", &files); err != nil {
		return nil, err
	}
	return s.newStep(t, "fall_back_on", map[string]interface{}{"files": orEmpty(files.values)}), nil
}

func (s *state) initialSync(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := unpackArgs(fn.Name(), args, kwargs); err != nil {
		return nil, err
	}
	return s.newStep(t, "initial_sync", map[string]interface{}{}), nil
}

func (s *state) restartContainer(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := unpackArgs(fn.Name(), args, kwargs); err != nil {
		return nil, err
	}
	return s.newStep(t, "restart_container", map[string]interface{}{}), nil
}

// aggregate joins API validation errors as apimachinery's ToAggregate does.
func aggregate(errs []string) error {
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return fmt.Errorf("%s", errs[0])
	}
	return fmt.Errorf("[%s]", strings.Join(errs, ", "))
}

// liveUpdateSteps reads a live_update= value: the order rules, consumption,
// then the LiveUpdate API validation. An empty list is no live update.
func (s *state) liveUpdateSteps(v starlark.Value) ([]map[string]interface{}, error) {
	out := []map[string]interface{}{}
	items, _ := seqItems(v)
	if len(items) == 0 {
		return out, nil
	}
	seenInitial, noFallbacks, noSyncs, noRuns := false, false, false, false
	syncs, runs := 0, 0
	var errs []string
	for _, it := range items {
		st, ok := it.(*luStep)
		if !ok {
			return nil, fmt.Errorf("'steps' must be a list of live update steps - got value '%v' of type '%s'", it.String(), it.Type())
		}
		switch st.kind {
		case "initial_sync":
			if seenInitial {
				return nil, fmt.Errorf("initial_sync must appear at most once, at the start of the list")
			}
			seenInitial = true
		case "fall_back_on":
			seenInitial = true
			if noFallbacks {
				return nil, fmt.Errorf("fall_back_on steps must appear at the start of the list")
			}
		case "sync":
			if noRuns {
				return nil, fmt.Errorf("restart container is only valid as the last step")
			}
			if noSyncs {
				return nil, fmt.Errorf("all sync steps must precede all run steps")
			}
			seenInitial, noFallbacks = true, true
			if remote := st.data["remote_path"].(string); !path.IsAbs(remote) {
				errs = append(errs, fmt.Sprintf("spec.syncs[%d]: Invalid value: %q: sync destination is not absolute", syncs, remote))
			}
			syncs++
		case "run":
			if noRuns {
				return nil, fmt.Errorf("restart container is only valid as the last step")
			}
			seenInitial, noFallbacks, noSyncs = true, true, true
			runs++
		case "restart_container":
			seenInitial, noFallbacks, noSyncs, noRuns = true, true, true, true
		}
		delete(s.unusedSteps, st.pos)
		out = append(out, st.data)
	}
	if syncs == 0 && runs == 0 {
		errs = append([]string{"spec.syncs: Invalid value: []v1alpha1.LiveUpdateSync(nil): must contain at least 1 sync or 1 exec to run on live update"}, errs...)
	}
	if err := aggregate(errs); err != nil {
		return nil, err
	}
	return out, nil
}

// checkUnusedSteps fails when a step was created but never used in a
// live_update (live_update.go:356-367).
func (s *state) checkUnusedSteps() error {
	if len(s.unusedSteps) == 0 {
		return nil
	}
	var lines []string
	for _, st := range s.unusedSteps {
		lines = append(lines, fmt.Sprintf("%s: value '%s' of type '%s'", st.pos, st.String(), st.Type()))
	}
	sort.Strings(lines)
	return fmt.Errorf("found %d live_update steps that were created but not used in a live_update:\n%s",
		len(s.unusedSteps), strings.Join(lines, "\n\t"))
}

// imageWatchedPaths is what Tilt watches for an image and the images it is
// built from (tiltfile_state.go:1312-1321).
func (s *state) imageWatchedPaths(img *image, seen map[*image]bool) []string {
	if seen[img] {
		return nil
	}
	seen[img] = true
	out := append([]string{}, img.Deps...)
	for _, dep := range img.ImageDeps {
		if b := s.imageFor(dep); b != nil {
			out = append(out, s.imageWatchedPaths(b, seen)...)
		}
	}
	return out
}

// checkLiveUpdatePaths applies tiltfile_state.go:1306-1348 to every image a
// resource deploys.
func (s *state) checkLiveUpdatePaths() error {
	for _, r := range s.resources {
		for _, ref := range deployedRefs(r) {
			img := s.imageFor(ref)
			if img == nil || len(img.LiveUpdate) == 0 {
				continue
			}
			watched := s.imageWatchedPaths(img, map[*image]bool{})
			for _, st := range img.LiveUpdate {
				var paths []string
				what := "sync step source"
				switch st["type"] {
				case "sync":
					paths = []string{st["local_path"].(string)}
				case "fall_back_on":
					what = "fall_back_on paths"
					paths = st["files"].([]string)
				}
				for _, p := range paths {
					if !isChildOfOne(watched, p) {
						return fmt.Errorf("%s '%s' is not a child of any watched filepaths (%v)", what, p, watched)
					}
				}
			}
		}
	}
	return nil
}

func isChildOfOne(dirs []string, p string) bool {
	for _, d := range dirs {
		if isChild(filepath.Clean(d), filepath.Clean(p)) {
			return true
		}
	}
	return false
}

// checkRestartContainer refuses restart_container() in an image deployed by
// a Kubernetes resource (tiltfile_state.go:1368-1396).
func (s *state) checkRestartContainer() error {
	var names []string
	for _, r := range s.resources {
		if r.Kind == "local" {
			continue
		}
		for _, ref := range deployedRefs(r) {
			img := s.imageFor(ref)
			if img == nil {
				continue
			}
			for _, st := range img.LiveUpdate {
				if st["type"] == "restart_container" && !contains(names, r.Name) {
					names = append(names, r.Name)
				}
			}
		}
	}
	if len(names) == 0 {
		return nil
	}
	return fmt.Errorf("Found `restart_container()` LiveUpdate step in resource(s): [%s]. `restart_container()`  has been deprecated for k8s resources. We recommend the restart_process extension: https://github.com/tilt-dev/tilt-extensions/tree/master/restart_process. For more information, see https://docs.tilt.dev/live_update_reference.html#restarting-your-process", strings.Join(names, ", "))
}

// deployedRefs are the images a resource deploys, the build-less live
// update image of a k8s_custom_deploy included.
func deployedRefs(r *resource) []string {
	refs := append([]string{}, r.ImageDeps...)
	if r.luImage != "" {
		refs = append(refs, r.luImage)
	}
	return refs
}

// cmdString shows a command as pkg/model/cmd.go:61-79 does: the script of
// `sh -c SCRIPT`, else the argv with spaced words quoted.
func cmdString(argv []string) string {
	if len(argv) == 3 && argv[0] == "sh" && argv[1] == "-c" {
		return argv[2]
	}
	quoted := make([]string, len(argv))
	for i, a := range argv {
		if strings.Contains(a, " ") {
			quoted[i] = fmt.Sprintf("%q", a)
		} else {
			quoted[i] = a
		}
	}
	return strings.Join(quoted, " ")
}
