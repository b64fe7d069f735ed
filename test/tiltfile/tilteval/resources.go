package main

// Resource-declaring builtins: local_resource, k8s_custom_deploy, k8s_resource,
// k8s_yaml, docker_build, custom_build and the values they take.

import (
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"go.starlark.net/starlark"
)

type resource struct {
	Name              string                   `json:"name"`
	Kind              string                   `json:"kind"` // local | k8s_custom_deploy | k8s
	Cmd               []string                 `json:"cmd"`
	Dir               string                   `json:"dir"`
	Env               map[string]string        `json:"env"`
	ServeCmd          []string                 `json:"serve_cmd"`
	ServeDir          string                   `json:"serve_dir"`
	ServeEnv          map[string]string        `json:"serve_env"`
	ApplyCmd          []string                 `json:"apply_cmd"`
	ApplyDir          string                   `json:"apply_dir"`
	ApplyEnv          map[string]string        `json:"apply_env"`
	DeleteCmd         []string                 `json:"delete_cmd"`
	DeleteDir         string                   `json:"delete_dir"`
	DeleteEnv         map[string]string        `json:"delete_env"`
	Deps              []string                 `json:"deps"`
	Ignore            []string                 `json:"ignore"`
	ResourceDeps      []string                 `json:"resource_deps"`
	Labels            []string                 `json:"labels"`
	TriggerMode       string                   `json:"trigger_mode"`
	AutoInit          bool                     `json:"auto_init"`
	AllowParallel     bool                     `json:"allow_parallel"`
	Links             []map[string]interface{} `json:"links"`
	PortForwards      []map[string]interface{} `json:"port_forwards"`
	ImageDeps         []string                 `json:"image_deps"`
	Readiness         map[string]interface{}   `json:"readiness"`
	PodReadiness      string                   `json:"pod_readiness"`
	ReadyWhen         string                   `json:"ready_when"`
	ImageSelector     string                   `json:"image_selector"`
	ContainerSelector string                   `json:"container_selector"`
	LiveUpdate        []map[string]interface{} `json:"live_update"`
	Objects           []string                 `json:"objects"`
	ExtraPodSelectors []map[string]string      `json:"extra_pod_selectors"`
	DiscoveryStrategy string                   `json:"discovery_strategy"`
	Tiltfile          string                   `json:"tiltfile"`

	triggerMode     TriggerMode
	triggerSet      bool
	luImage         string   // the build-less image of a k8s_custom_deploy live update
	objectKinds     []string // lower-case kinds of the objects it deploys
	requiredImages  []string // image_deps that must match a build
	manuallyGrouped bool     // k8s_resource(new_name=, objects=) without a workload
	unresourced     bool     // the "uncategorized" bucket of YAML no resource claimed
}

func (s *state) newResource(name, kind string) *resource {
	return &resource{
		Name: name, Kind: kind,
		Env: map[string]string{}, ServeEnv: map[string]string{},
		ApplyEnv: map[string]string{}, DeleteEnv: map[string]string{},
		Deps: []string{}, Ignore: []string{}, ResourceDeps: []string{}, Labels: []string{},
		AutoInit: true, Links: []map[string]interface{}{}, PortForwards: []map[string]interface{}{},
		ImageDeps: []string{}, LiveUpdate: []map[string]interface{}{}, Objects: []string{},
		ExtraPodSelectors: []map[string]string{}, Tiltfile: s.curPath(),
	}
}

type image struct {
	Ref               string                   `json:"ref"`
	Kind              string                   `json:"kind"` // docker_build | custom_build
	Context           string                   `json:"context"`
	Dockerfile        string                   `json:"dockerfile"`
	DockerfileInline  bool                     `json:"dockerfile_contents"`
	BuildArgs         map[string]string        `json:"build_args"`
	Target            string                   `json:"target"`
	Command           []string                 `json:"command"`
	Dir               string                   `json:"dir"`
	Env               map[string]string        `json:"env"`
	Deps              []string                 `json:"deps"`
	Tag               string                   `json:"tag"`
	DisablePush       bool                     `json:"disable_push"`
	SkipsLocalDocker  bool                     `json:"skips_local_docker"`
	OutputsImageRefTo string                   `json:"outputs_image_ref_to"`
	ImageDeps         []string                 `json:"image_deps"`
	LiveUpdate        []map[string]interface{} `json:"live_update"`
	Only              []string                 `json:"only"`
	Ignore            []string                 `json:"ignore"`
	Entrypoint        []string                 `json:"entrypoint"`
	ContainerArgs     []string                 `json:"container_args"`
	MatchInEnvVars    bool                     `json:"match_in_env_vars"`
	Tiltfile          string                   `json:"tiltfile"`

	hidden     bool     // the build-less image of a k8s_custom_deploy live update: not printed
	baseImages []string // FROM images of a docker_build's Dockerfile
}

type k8sResourceOptions struct {
	pos               string
	workload, newName string
	manual            bool // no workload: a new resource from objects
	portForwards      []map[string]interface{}
	extraSelectors    []map[string]string
	trigger           triggerModeArg
	resourceDeps      []string
	objects           []string
	autoInit          *bool
	podReadiness      string
	links             []map[string]interface{}
	labels            []string
	discoveryStrategy string
}

// nameArg is Tilt's value.Name: a string usable as a path segment
// (internal/tiltfile/value/name.go:18-30, apimachinery IsPathSegmentName).
type nameArg struct{ v string }

func (n *nameArg) Unpack(v starlark.Value) error {
	str, ok := asString(v)
	if !ok {
		return fmt.Errorf("Value should be convertible to string, but is type %s", v.Type())
	}
	if msg := pathSegmentProblem(str); msg != "" {
		return fmt.Errorf("invalid value %q: %s", str, msg)
	}
	n.v = str
	return nil
}

func pathSegmentProblem(str string) string {
	if str == "." || str == ".." {
		return fmt.Sprintf("may not be '%s'", str)
	}
	for _, bad := range []string{"/", "%"} {
		if strings.Contains(str, bad) {
			return fmt.Sprintf("may not contain '%s'", bad)
		}
	}
	return ""
}

type k8sObject struct {
	APIVersion string `json:"api_version"`
	Kind       string `json:"kind"`
	Name       string `json:"name"`
	Namespace  string `json:"namespace"`
	images     []string
	claimed    bool
}

func (o k8sObject) selector() string {
	return strings.ToLower(o.Name + ":" + o.Kind + ":" + o.Namespace)
}

// ---- local_resource -------------------------------------------------------

func (s *state) localResource(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var name nameArg
	var cmd, serveCmd, cmdBat, serveCmdBat cmdArg
	deps := pathList{st: s}
	var trig triggerModeArg
	var resourceDeps stringList
	var ignore stringOrStringList
	autoInit, allowParallel := true, false
	if fn.Name() == "test" {
		allowParallel = true
		s.warnings = append(s.warnings, "test() is deprecated and will be removed in a future release.\nChange this call to use `local_resource(..., allow_parallel=True)`")
	}
	var links linkList
	var labels labelSet
	var env, serveEnv stringStringMap
	var probe starlark.Value = starlark.None
	dir, serveDir := pathArg{st: s, noneOK: true}, pathArg{st: s, noneOK: true}
	if err := unpackArgs(fn.Name(), args, kwargs,
		"name", &name,
		"cmd?", &cmd,
		"deps?", &deps,
		"trigger_mode?", &trig,
		"resource_deps?", &resourceDeps,
		"ignore?", &ignore,
		"auto_init?", &autoInit,
		"serve_cmd?", &serveCmd,
		"cmd_bat?", &cmdBat,
		"serve_cmd_bat?", &serveCmdBat,
		"allow_parallel?", &allowParallel,
		"links?", &links,
		"labels?", &labels,
		"env?", &env,
		"serve_env?", &serveEnv,
		"readiness_probe?", &probe,
		"dir?", &dir,
		"serve_dir?", &serveDir,
	); err != nil {
		return nil, err
	}
	// local_resource.go:104-118: dir/serve_dir only with their command.
	if dir.given && len(cmd.argv) == 0 {
		if len(serveCmd.argv) > 0 {
			return nil, fmt.Errorf("local_resource: 'dir' only affects 'cmd', not 'serve_cmd'. Did you mean to use 'serve_dir' instead?")
		}
		return nil, fmt.Errorf("local_resource: 'dir' specified but 'cmd' is empty")
	}
	if serveDir.given && len(serveCmd.argv) == 0 {
		return nil, fmt.Errorf("local_resource: 'serve_dir' specified but 'serve_cmd' is empty")
	}
	if len(cmd.argv) == 0 && len(serveCmd.argv) == 0 {
		return nil, fmt.Errorf("local_resource must have a cmd and/or a serve_cmd, but both were empty")
	}
	var readiness map[string]interface{}
	if probe != starlark.None {
		r, ok := probe.(*record)
		if !ok || r.typ != "Probe" {
			return nil, fmt.Errorf("%s: for parameter readiness_probe: got %s, want Probe", fn.Name(), probe.Type())
		}
		readiness = r.data
	}
	// local_resource.go:120-124: a probe is only for serve_cmd; Tilt warns
	// and drops it.
	if readiness != nil && len(serveCmd.argv) == 0 {
		s.warnings = append(s.warnings, fmt.Sprintf("Ignoring readiness probe for local resource %q (no serve_cmd was defined)", name.v))
		readiness = nil
	}
	if err := s.checkResourceConflict(name.v); err != nil {
		return nil, err
	}
	r := s.newResource(name.v, "local")
	r.Cmd, r.ServeCmd = cmd.argv, serveCmd.argv
	r.Dir, r.ServeDir = dir.or(s.curDir()), serveDir.or(s.curDir())
	r.Env, r.ServeEnv = env.orEmpty(), serveEnv.orEmpty()
	r.Deps = orEmpty(deps.values)
	r.Ignore = orEmpty(ignore.values)
	r.ResourceDeps = orEmpty(resourceDeps.values)
	r.Labels = orEmpty(labels.values)
	r.triggerMode, r.triggerSet = trig.mode, trig.set
	// A serve-only resource never blocks others (tiltfile_state.go:1611-1612).
	r.AutoInit, r.AllowParallel = autoInit, allowParallel || len(cmd.argv) == 0
	r.Links = links.values()
	r.Readiness = readiness
	s.resources = append(s.resources, r)
	return starlark.None, nil
}

func orEmpty(v []string) []string {
	if v == nil {
		return []string{}
	}
	return v
}

// ---- k8s_custom_deploy ----------------------------------------------------

func (s *state) k8sCustomDeploy(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var name, imageSelector, containerSelector string
	var applyCmd, deleteCmd, applyBat, deleteBat cmdArg
	deps := pathList{st: s}
	var liveUpdate starlark.Value = starlark.None
	applyDir, deleteDir := pathArg{st: s, noneOK: true}, pathArg{st: s, noneOK: true}
	var applyEnv, deleteEnv stringStringMap
	var imageDeps imageList
	if err := unpackArgs(fn.Name(), args, kwargs,
		"name", &name,
		"apply_cmd", &applyCmd,
		"delete_cmd", &deleteCmd,
		"deps", &deps,
		"image_selector?", &imageSelector,
		"live_update?", &liveUpdate,
		"apply_dir?", &applyDir,
		"apply_env?", &applyEnv,
		"apply_cmd_bat?", &applyBat,
		"delete_dir?", &deleteDir,
		"delete_env?", &deleteEnv,
		"delete_cmd_bat?", &deleteBat,
		"container_selector?", &containerSelector,
		"image_deps?", &imageDeps,
	); err != nil {
		return nil, err
	}
	if len(applyCmd.argv) == 0 {
		return nil, fmt.Errorf("k8s_custom_deploy: apply_cmd cannot be empty")
	}
	if len(deleteCmd.argv) == 0 {
		return nil, fmt.Errorf("k8s_custom_deploy: delete_cmd cannot be empty")
	}
	steps, err := s.liveUpdateSteps(liveUpdate)
	if err != nil {
		return nil, fmt.Errorf("live_update: %v", err)
	}
	if err := s.checkResourceConflict(name); err != nil {
		return nil, fmt.Errorf("error making resource for %s: %v", name, err)
	}
	r := s.newResource(name, "k8s_custom_deploy")
	// With a live update, Tilt registers a build-less image for the selector
	// and makes the resource depend on it (k8s_custom_deploy.go:89-150).
	if len(steps) > 0 {
		n := 0
		if imageSelector != "" {
			n++
		}
		if containerSelector != "" {
			n++
		}
		if n == 0 {
			return nil, fmt.Errorf("k8s_custom_deploy: no Live Update selector specified")
		} else if n > 1 {
			return nil, fmt.Errorf("k8s_custom_deploy: cannot specify more than one Live Update selector")
		}
		ref := imageSelector
		if containerSelector != "" {
			ref = "k8s_custom_deploy:" + name
		}
		if !validImageRef(ref) {
			return nil, fmt.Errorf("can't parse %q: invalid reference format", ref)
		}
		lu := &image{Ref: ref, Kind: "custom_build", Command: []string{":"}, Deps: orEmpty(deps.values),
			LiveUpdate: steps, DisablePush: true, SkipsLocalDocker: true, ImageDeps: []string{}, Tiltfile: s.curPath(), hidden: true}
		if err := s.addImage(lu); err != nil {
			return nil, err
		}
		r.luImage = ref
	}
	r.ApplyCmd, r.DeleteCmd = applyCmd.argv, deleteCmd.argv
	r.ApplyDir, r.DeleteDir = applyDir.or(s.curDir()), deleteDir.or(s.curDir())
	r.ApplyEnv, r.DeleteEnv = applyEnv.orEmpty(), deleteEnv.orEmpty()
	r.Deps = orEmpty(deps.values)
	r.ImageDeps = orEmpty(imageDeps.refs)
	r.requiredImages = append([]string{}, r.ImageDeps...)
	r.ImageSelector, r.ContainerSelector = imageSelector, containerSelector
	r.LiveUpdate = steps
	s.resources = append(s.resources, r)
	s.k8sByName[name] = r
	return starlark.None, nil
}

// imageList is Tilt's value.ImageList: a list of image references.
type imageList struct{ refs []string }

var imageRefRE = regexp.MustCompile(`^([a-zA-Z0-9.-]+(:[0-9]+)?/)?[a-z0-9]+([._-]+[a-z0-9]+)*(/[a-z0-9]+([._-]+[a-z0-9]+)*)*(:[\w][\w.-]{0,127})?(@sha256:[a-f0-9]{64})?$`)

func validImageRef(ref string) bool { return imageRefRE.MatchString(ref) }

func (l *imageList) Unpack(v starlark.Value) error {
	var sl stringList
	if err := sl.Unpack(v); err != nil {
		return err
	}
	for _, ref := range sl.values {
		if !validImageRef(ref) {
			return fmt.Errorf("must be a valid image reference: %q", ref)
		}
	}
	l.refs = sl.values
	return nil
}

// ---- k8s_resource (applied after the Tiltfile ran, as in Tilt) ------------

func (s *state) k8sResource(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var podReadiness, discovery string
	var workload, newName nameArg
	var portForwards, extraSelectors starlark.Value = starlark.None, starlark.None
	var trig triggerModeArg
	var resourceDeps, objects stringList
	var autoInit starlark.Value = starlark.None
	var links linkList
	var labels labelSet
	if err := unpackArgs(fn.Name(), args, kwargs,
		"workload?", &workload,
		"new_name?", &newName,
		"port_forwards?", &portForwards,
		"extra_pod_selectors?", &extraSelectors,
		"trigger_mode?", &trig,
		"resource_deps?", &resourceDeps,
		"objects?", &objects,
		"auto_init?", &autoInit,
		"pod_readiness?", &podReadiness,
		"links?", &links,
		"labels?", &labels,
		"discovery_strategy?", &discovery,
	); err != nil {
		return nil, err
	}
	// k8s.go:326-360: without a workload, new_name names a new resource made
	// of the given objects.
	resourceName, manual := workload.v, false
	if resourceName == "" {
		resourceName, manual = newName.v, true
	}
	if resourceName == "" {
		return nil, fmt.Errorf("Resource name missing. Must give a name for an existing resource or a new_name to create a new resource.")
	}
	if manual && len(objects.values) == 0 {
		return nil, fmt.Errorf("k8s_resource doesn't specify a workload or any objects. All non-workload resources must specify 1 or more objects")
	}
	// internal/tiltfile/k8s/readiness.go:17-35 accepts "succeeded" too.
	if podReadiness != "" && podReadiness != "ignore" && podReadiness != "wait" && podReadiness != "succeeded" {
		return nil, fmt.Errorf("Invalid value. Allowed: {ignore, wait}. Got: %s", podReadiness)
	}
	if discovery != "" && discovery != "default" && discovery != "selectors-only" {
		return nil, fmt.Errorf("Invalid value. Allowed: {default, selectors-only}. Got: %s", discovery)
	}
	pfs, err := portForwardList(portForwards)
	if err != nil {
		return nil, err
	}
	sels, err := podSelectors(extraSelectors)
	if err != nil {
		return nil, err
	}
	o := &k8sResourceOptions{
		pos: t.CallFrame(1).Pos.String(), workload: resourceName, newName: newName.v, manual: manual,
		portForwards: pfs, extraSelectors: sels, trigger: trig, objects: objects.values,
		podReadiness: podReadiness, links: links.values(), labels: labels.values, discoveryStrategy: discovery,
	}
	o.resourceDeps = orEmpty(resourceDeps.values)
	if autoInit != starlark.None {
		b, ok := autoInit.(starlark.Bool)
		if !ok {
			return nil, fmt.Errorf("%s: for parameter auto_init: got %s, want bool", fn.Name(), autoInit.Type())
		}
		bv := bool(b)
		o.autoInit = &bv
	}
	// A second call for the same workload is allowed: its options are merged
	// after the Tiltfile ran (tiltfile_state.go:792-870).
	s.k8sOptions = append(s.k8sOptions, o)
	return starlark.None, nil
}

func portForwardList(v starlark.Value) ([]map[string]interface{}, error) {
	out := []map[string]interface{}{}
	items, _ := seqItems(v)
	for _, it := range items {
		switch x := it.(type) {
		case starlark.Int:
			p, ok := x.Int64()
			if !ok || p <= 0 || p > 65535 {
				return nil, fmt.Errorf("port_forwards: invalid port %s", x)
			}
			out = append(out, map[string]interface{}{"local_port": p, "container_port": 0, "host": "", "name": "", "link_path": ""})
		case starlark.String:
			pf, err := parsePortForward(string(x))
			if err != nil {
				return nil, err
			}
			out = append(out, pf)
		case *record:
			if x.typ != "PortForward" {
				return nil, fmt.Errorf("port_forwards: want int, string or PortForward, got %s", x.typ)
			}
			out = append(out, x.data)
		default:
			return nil, fmt.Errorf("port_forwards: want int, string or PortForward, got %s", it.Type())
		}
	}
	return out, nil
}

func parsePortForward(s string) (map[string]interface{}, error) {
	parts := strings.Split(s, ":")
	host := ""
	if len(parts) == 3 {
		host, parts = parts[0], parts[1:]
	}
	if len(parts) > 2 || len(parts) == 0 {
		return nil, fmt.Errorf("Expected a port forward string of the form [HOST:]LOCAL_PORT[:CONTAINER_PORT], got %q", s)
	}
	nums := []int64{}
	for _, p := range parts {
		var n int64
		if _, err := fmt.Sscanf(p, "%d", &n); err != nil || fmt.Sprint(n) != p || n <= 0 || n > 65535 {
			return nil, fmt.Errorf("Expected a port forward string of the form [HOST:]LOCAL_PORT[:CONTAINER_PORT], got %q", s)
		}
		nums = append(nums, n)
	}
	cp := int64(0)
	if len(nums) == 2 {
		cp = nums[1]
	}
	return map[string]interface{}{"local_port": nums[0], "container_port": cp, "host": host, "name": "", "link_path": ""}, nil
}

func podSelectors(v starlark.Value) ([]map[string]string, error) {
	out := []map[string]string{}
	var dicts []starlark.Value
	switch x := v.(type) {
	case starlark.NoneType:
		return out, nil
	case *starlark.Dict:
		dicts = []starlark.Value{x}
	case *starlark.List:
		for i := 0; i < x.Len(); i++ {
			dicts = append(dicts, x.Index(i))
		}
	default:
		return nil, fmt.Errorf("pod labels must be a dict or a list; got %s", v.Type())
	}
	for _, d := range dicts {
		if _, ok := d.(*starlark.Dict); !ok {
			return nil, fmt.Errorf("pod labels elements must be dicts; got %s", d.Type())
		}
		var m stringStringMap
		if err := m.Unpack(d); err != nil {
			return nil, err
		}
		if len(m.m) > 0 {
			out = append(out, m.m)
		}
	}
	return out, nil
}

// ---- k8s_yaml -------------------------------------------------------------

var defaultWorkloadKinds = map[string]bool{"deployment": true, "statefulset": true, "daemonset": true,
	"replicaset": true, "replicationcontroller": true, "job": true, "cronjob": true, "pod": true}

func (s *state) k8sYaml(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var yamlVal starlark.Value
	allowDuplicates := false
	if err := unpackArgs(fn.Name(), args, kwargs, "yaml", &yamlVal, "allow_duplicates?", &allowDuplicates); err != nil {
		return nil, err
	}
	sources, _ := seqItems(yamlVal)
	for _, src := range sources {
		var text string
		switch x := src.(type) {
		case Blob:
			text = x.text
		case starlark.String:
			p := s.absPath(string(x))
			b, err := s.readFile(p)
			if err != nil {
				return nil, err
			}
			text = string(b)
		default:
			return nil, fmt.Errorf("%s: yaml must be a path string, a Blob or a list of them, got %s", fn.Name(), src.Type())
		}
		docs, err := decodeYAMLStreamGo(text)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", fn.Name(), err)
		}
		for _, d := range docs {
			if err := s.addK8sDoc(d, allowDuplicates); err != nil {
				return nil, err
			}
		}
	}
	return starlark.None, nil
}

func (s *state) addK8sDoc(d interface{}, allowDuplicates bool) error {
	m, ok := d.(map[string]interface{})
	if !ok || m == nil {
		return nil
	}
	if kind, _ := m["kind"].(string); strings.HasSuffix(kind, "List") {
		items, _ := m["items"].([]interface{})
		for _, it := range items {
			if err := s.addK8sDoc(it, allowDuplicates); err != nil {
				return err
			}
		}
		return nil
	}
	o := k8sObject{}
	o.APIVersion, _ = m["apiVersion"].(string)
	o.Kind, _ = m["kind"].(string)
	meta, _ := m["metadata"].(map[string]interface{})
	o.Name, _ = meta["name"].(string)
	o.Namespace, _ = meta["namespace"].(string)
	if o.Kind == "" || o.Name == "" {
		return fmt.Errorf("k8s_yaml: object without kind or metadata.name: %v", m)
	}
	for _, prev := range s.k8sObjects {
		if prev.selector() == o.selector() && !allowDuplicates {
			return fmt.Errorf("Duplicate YAML: %s:%s:%s. Call k8s_yaml(..., allow_duplicates=True) to allow duplicates", o.Name, o.Kind, o.Namespace)
		}
	}
	o.images = findImages(m, nil)
	s.k8sObjects = append(s.k8sObjects, o)
	return nil
}

// findImages collects containers[].image / initContainers[].image values.
func findImages(v interface{}, acc []string) []string {
	switch x := v.(type) {
	case map[string]interface{}:
		for k, val := range x {
			if k == "containers" || k == "initContainers" {
				if list, ok := val.([]interface{}); ok {
					for _, c := range list {
						if cm, ok := c.(map[string]interface{}); ok {
							if img, ok := cm["image"].(string); ok {
								acc = append(acc, img)
							}
						}
					}
				}
			}
			acc = findImages(val, acc)
		}
	case []interface{}:
		for _, e := range x {
			acc = findImages(e, acc)
		}
	}
	return acc
}

// imageName strips the tag and digest from a reference.
func imageName(ref string) string {
	if i := strings.Index(ref, "@"); i >= 0 {
		ref = ref[:i]
	}
	if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
		ref = ref[:i]
	}
	return ref
}

// ---- images ---------------------------------------------------------------

// addImage refuses a second build for the same reference (tag included), as
// Tilt's build_index.go:35-41 does; two tags of one name may coexist.
func (s *state) addImage(img *image) error {
	for _, prev := range s.images {
		if prev.Ref == img.Ref {
			return fmt.Errorf("Image for ref %q has already been defined", img.Ref)
		}
	}
	s.images = append(s.images, img)
	return nil
}

// imageFor finds the build a reference consumes: an exact reference, else
// the same name (build_index.go:75-89).
func (s *state) imageFor(ref string) *image {
	for _, img := range s.images {
		if img.Ref == ref {
			return img
		}
	}
	for _, img := range s.images {
		if imageName(img.Ref) == imageName(ref) {
			return img
		}
	}
	return nil
}

func (s *state) dockerBuild(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var ref, target, network, platform string
	var dockerfileContents, cache starlark.Value
	ctx := pathArg{st: s}
	dockerfile := pathArg{st: s, noneOK: true} // "dockerfile??": None means not given (docker.go:125)
	var buildArgs stringStringMap
	var liveUpdate starlark.Value = starlark.None
	matchInEnvVars, pull := false, false
	var ignore, only, ssh, secret, extraTag, cacheFrom, extraHosts stringOrStringList
	var entrypoint cmdArg
	var containerArgs stringList
	if err := unpackArgs(fn.Name(), args, kwargs,
		"ref", &ref,
		"context", &ctx,
		"build_args?", &buildArgs,
		"dockerfile?", &dockerfile,
		"dockerfile_contents?", &dockerfileContents,
		"cache?", &cache,
		"live_update?", &liveUpdate,
		"match_in_env_vars?", &matchInEnvVars,
		"ignore?", &ignore,
		"only?", &only,
		"entrypoint?", &entrypoint,
		"container_args?", &containerArgs,
		"target?", &target,
		"ssh?", &ssh,
		"network?", &network,
		"secret?", &secret,
		"extra_tag?", &extraTag,
		"cache_from?", &cacheFrom,
		"pull?", &pull,
		"platform?", &platform,
		"extra_hosts?", &extraHosts,
	); err != nil {
		return nil, err
	}
	if !validImageRef(ref) {
		return nil, fmt.Errorf("Argument 1 (ref): can't parse %q: invalid reference format", ref)
	}
	// The Dockerfile is read while the Tiltfile runs; a missing one fails
	// the load (docker.go:152-180).
	inline := dockerfileContents != nil && dockerfileContents != starlark.None
	if inline && dockerfile.set {
		return nil, fmt.Errorf("Cannot specify both dockerfile and dockerfile_contents keyword arguments")
	}
	dockerfilePath := filepath.Join(ctx.value, "Dockerfile")
	var dockerfileText string
	if inline {
		text, ok := asString(dockerfileContents)
		if !ok {
			return nil, fmt.Errorf("Argument (dockerfile_contents): must be string or blob.")
		}
		dockerfileText = text
	} else {
		if dockerfile.set {
			dockerfilePath = dockerfile.value
		}
		b, err := s.readFile(dockerfilePath)
		if err != nil {
			return nil, fmt.Errorf("error reading dockerfile: %v", err)
		}
		dockerfileText = string(b)
	}
	if cache != nil && cache != starlark.None {
		s.warnings = append(s.warnings, "docker_build(cache=...) is obsolete, and currently a no-op.\nYou should switch to live_update to optimize your builds.")
	}
	steps, err := s.liveUpdateSteps(liveUpdate)
	if err != nil {
		return nil, fmt.Errorf("live_update: %v", err)
	}
	img := &image{Ref: ref, Kind: "docker_build", Context: ctx.value, BuildArgs: buildArgs.orEmpty(),
		Target: target, LiveUpdate: steps, Only: orEmpty(only.values), Ignore: orEmpty(ignore.values),
		Entrypoint: entrypoint.argv, ContainerArgs: containerArgs.values, MatchInEnvVars: matchInEnvVars,
		Env: map[string]string{}, Deps: []string{ctx.value}, ImageDeps: []string{}, Tiltfile: s.curPath(),
		baseImages: dockerfileBaseImages(dockerfileText, buildArgs.orEmpty())}
	if inline {
		img.DockerfileInline = true
	} else {
		img.Dockerfile = dockerfilePath
	}
	return starlark.None, s.addImage(img)
}

func (s *state) customBuild(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var ref, tag, commandBatVal, outputsImageRefTo string
	var command, commandBat, entrypoint cmdArg
	deps := pathList{st: s}
	disablePush, skipsLocalDocker, matchInEnvVars := false, false, false
	var liveUpdate starlark.Value = starlark.None
	var ignore stringOrStringList
	var imageDeps imageList
	var env stringStringMap
	var containerArgs stringList
	dir := pathArg{st: s, noneOK: true}
	if err := unpackArgs(fn.Name(), args, kwargs,
		"ref", &ref,
		"command", &command,
		"deps", &deps,
		"tag?", &tag,
		"disable_push?", &disablePush,
		"skips_local_docker?", &skipsLocalDocker,
		"live_update?", &liveUpdate,
		"match_in_env_vars?", &matchInEnvVars,
		"ignore?", &ignore,
		"entrypoint?", &entrypoint,
		"container_args?", &containerArgs, // docker.go:302-325
		"command_bat_val?", &commandBatVal,
		"outputs_image_ref_to?", &outputsImageRefTo,
		"command_bat?", &commandBat,
		"image_deps?", &imageDeps,
		"env?", &env,
		"dir?", &dir,
	); err != nil {
		return nil, err
	}
	if !validImageRef(ref) {
		return nil, fmt.Errorf("Argument 1 (ref): can't parse %q: invalid reference format", ref)
	}
	if len(command.argv) == 0 {
		return nil, fmt.Errorf("Argument 2 (command) can't be empty")
	}
	if tag != "" && outputsImageRefTo != "" {
		return nil, fmt.Errorf("Cannot specify both tag and outputs_image_ref_to")
	}
	steps, err := s.liveUpdateSteps(liveUpdate)
	if err != nil {
		return nil, fmt.Errorf("live_update: %v", err)
	}
	img := &image{Ref: ref, Kind: "custom_build", Command: command.argv, Dir: dir.or(s.curDir()), Env: env.orEmpty(),
		Deps: orEmpty(deps.values), Tag: tag, DisablePush: disablePush, SkipsLocalDocker: skipsLocalDocker,
		OutputsImageRefTo: outputsImageRefTo, ImageDeps: orEmpty(imageDeps.refs), LiveUpdate: steps,
		Only: []string{}, Ignore: orEmpty(ignore.values), Entrypoint: entrypoint.argv, ContainerArgs: containerArgs.values,
		MatchInEnvVars: matchInEnvVars, BuildArgs: map[string]string{}, Tiltfile: s.curPath()}
	if outputsImageRefTo != "" {
		img.OutputsImageRefTo = s.absPath(outputsImageRefTo)
	}
	return starlark.None, s.addImage(img)
}

// ---- links, port forwards, probes ------------------------------------------

type linkList struct{ links []map[string]interface{} }

func (l *linkList) values() []map[string]interface{} {
	if l.links == nil {
		return []map[string]interface{}{}
	}
	return l.links
}

func (l *linkList) Unpack(v starlark.Value) error {
	l.links = nil
	items, _ := seqItems(v)
	for _, it := range items {
		switch x := it.(type) {
		case starlark.String:
			if string(x) == "" {
				return fmt.Errorf("url empty")
			}
			l.links = append(l.links, map[string]interface{}{"url": string(x), "name": ""})
		case *record:
			if x.typ != "Link" {
				return fmt.Errorf("Want a string or Link, got %s", x.typ)
			}
			l.links = append(l.links, x.data)
		default:
			return fmt.Errorf("Want a string or Link, got %s", it.Type())
		}
	}
	return nil
}

func (s *state) link(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var url, name string
	if err := unpackArgs(fn.Name(), args, kwargs, "url", &url, "name?", &name); err != nil {
		return nil, err
	}
	if url == "" {
		return nil, fmt.Errorf("url empty")
	}
	return &record{typ: "Link", data: map[string]interface{}{"url": url, "name": name}}, nil
}

func (s *state) portForward(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var local, container int
	var name, linkPath, host string
	if err := unpackArgs(fn.Name(), args, kwargs, "local_port", &local, "container_port?", &container,
		"name?", &name, "link_path?", &linkPath, "host?", &host); err != nil {
		return nil, err
	}
	return &record{typ: "PortForward", data: map[string]interface{}{"local_port": local, "container_port": container,
		"name": name, "link_path": linkPath, "host": host}}, nil
}

func (s *state) probe(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	initialDelay, timeout, period, success, failure := 0, 1, 10, 1, 3
	var exec, httpGet, tcp starlark.Value = starlark.None, starlark.None, starlark.None
	if err := unpackArgs(fn.Name(), args, kwargs,
		"initial_delay_secs?", &initialDelay, "timeout_secs?", &timeout, "period_secs?", &period,
		"success_threshold?", &success, "failure_threshold?", &failure,
		"exec?", &exec, "http_get?", &httpGet, "tcp_socket?", &tcp); err != nil {
		return nil, err
	}
	data := map[string]interface{}{"initial_delay_secs": initialDelay, "timeout_secs": timeout, "period_secs": period,
		"success_threshold": success, "failure_threshold": failure, "exec": nil, "http_get": nil, "tcp_socket": nil}
	n := 0
	for key, want := range map[string]starlark.Value{"exec": exec, "http_get": httpGet, "tcp_socket": tcp} {
		if want == starlark.None {
			continue
		}
		typ := map[string]string{"exec": "ExecAction", "http_get": "HTTPGetAction", "tcp_socket": "TCPSocketAction"}[key]
		r, ok := want.(*record)
		if !ok || r.typ != typ {
			return nil, fmt.Errorf("%s: for parameter %s: got %s, want %s", fn.Name(), key, want.Type(), typ)
		}
		data[key] = r.data
		n++
	}
	if n != 1 {
		return nil, fmt.Errorf("exactly one of exec, http_get, or tcp_socket must be specified")
	}
	return &record{typ: "Probe", data: data}, nil
}

func (s *state) execAction(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var command stringList
	if err := unpackArgs(fn.Name(), args, kwargs, "command", &command); err != nil {
		return nil, err
	}
	if len(command.values) == 0 {
		return nil, fmt.Errorf("exec_action: command cannot be empty")
	}
	return &record{typ: "ExecAction", data: map[string]interface{}{"command": command.values}}, nil
}

func (s *state) httpGetAction(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var port int
	host, scheme, p := "localhost", "http", ""
	if err := unpackArgs(fn.Name(), args, kwargs, "port", &port, "host?", &host, "scheme?", &scheme, "path?", &p); err != nil {
		return nil, err
	}
	return &record{typ: "HTTPGetAction", data: map[string]interface{}{"port": port, "host": host, "scheme": scheme, "path": p}}, nil
}

func (s *state) tcpSocketAction(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var port int
	host := "localhost"
	if err := unpackArgs(fn.Name(), args, kwargs, "port", &port, "host?", &host); err != nil {
		return nil, err
	}
	return &record{typ: "TCPSocketAction", data: map[string]interface{}{"port": port, "host": host}}, nil
}

// ---- assembly (what Tilt does after the Tiltfile ran) ---------------------

// checkResourceConflict is k8s.go:635-650: one name, one resource.
func (s *state) checkResourceConflict(name string) error {
	if s.k8sByName[name] != nil {
		return fmt.Errorf("k8s_resource named %q already exists", name)
	}
	for _, r := range s.resources {
		if r.Kind == "local" && r.Name == name {
			return fmt.Errorf("local_resource named %q already exists", name)
		}
	}
	return nil
}

func (s *state) addK8sResource(name string) (*resource, error) {
	if err := s.checkResourceConflict(name); err != nil {
		return nil, err
	}
	r := s.newResource(name, "k8s")
	s.resources = append(s.resources, r)
	s.k8sByName[name] = r
	return r, nil
}

// assemble follows Tilt's loadManifests (tiltfile_state.go:246-350) in order.
func (s *state) assemble() error {
	if err := s.checkImageDeps(); err != nil {
		return err
	}
	if err := s.assembleK8s(); err != nil {
		return err
	}
	s.warnUnusedImages()
	for _, r := range s.resources {
		if !r.triggerSet {
			r.triggerMode = s.defaultTrigger
		}
		r.TriggerMode = r.triggerMode.jsonName()
	}
	if err := s.checkRestartContainer(); err != nil {
		return err
	}
	if err := s.checkContext(); err != nil {
		return err
	}
	if err := s.checkLiveUpdatePaths(); err != nil {
		return err
	}
	if err := s.checkUnusedSteps(); err != nil {
		return err
	}
	if err := s.sanitizeDependencies(); err != nil {
		return err
	}
	s.modelReadiness()
	return nil
}

// checkImageDeps: a custom_build's image_deps must each name a build
// (tiltfile_state.go:685-694).
func (s *state) checkImageDeps() error {
	for _, img := range s.images {
		for _, base := range img.baseImages {
			if b := s.imageFor(base); b != nil && b != img && !contains(img.ImageDeps, b.Ref) {
				img.ImageDeps = append(img.ImageDeps, b.Ref)
			}
		}
	}
	for _, img := range s.images {
		if img.Kind != "custom_build" {
			continue
		}
		for _, dep := range img.ImageDeps {
			if s.imageFor(dep) == nil {
				return fmt.Errorf("image %q: image dep %q not found", img.Ref, dep)
			}
		}
	}
	return nil
}

func (s *state) assembleK8s() error {
	// Workloads from k8s_yaml become resources named after the object.
	names := map[string]int{}
	for _, o := range s.k8sObjects {
		if s.workloadKinds[strings.ToLower(o.Kind)] {
			names[strings.ToLower(o.Name)]++
		}
	}
	for i := range s.k8sObjects {
		o := &s.k8sObjects[i]
		if !s.workloadKinds[strings.ToLower(o.Kind)] {
			continue
		}
		name := strings.ToLower(o.Name)
		if names[name] > 1 {
			name = strings.ToLower(o.Name + ":" + o.Kind)
		}
		r, err := s.addK8sResource(name)
		if err != nil {
			return fmt.Errorf("error making resource for workload %s: %v", o.selector(), err)
		}
		r.Objects = []string{o.selector()}
		r.ImageDeps = s.builtImagesIn(o.images)
		r.objectKinds = []string{strings.ToLower(o.Kind)}
		o.claimed = true
	}
	for _, opt := range s.k8sOptions {
		if err := s.applyK8sOptions(opt); err != nil {
			return err
		}
	}
	var rest []string
	for i := range s.k8sObjects {
		if !s.k8sObjects[i].claimed {
			rest = append(rest, s.k8sObjects[i].selector())
			s.k8sObjects[i].claimed = true
		}
	}
	if len(rest) > 0 {
		r, err := s.addK8sResource("uncategorized")
		if err != nil {
			return err
		}
		r.Objects = rest
		r.unresourced = true
		r.PodReadiness = "ignore" // tiltfile_state.go:314-320
	}
	// validateK8s (tiltfile_state.go:1037-1053): a k8s_custom_deploy's
	// image_deps must each name a build.
	for _, r := range s.resources {
		for _, ref := range r.requiredImages {
			if s.imageFor(ref) == nil {
				return fmt.Errorf("resource %q: image build %q not found", r.Name, ref)
			}
		}
	}
	return nil
}

func (s *state) builtImagesIn(refs []string) []string {
	out := []string{}
	for _, ref := range refs {
		if img := s.imageFor(ref); img != nil && !contains(out, img.Ref) {
			out = append(out, img.Ref)
		}
	}
	return out
}

func (s *state) findObject(sel string) (int, error) {
	parts := strings.Split(strings.ToLower(sel), ":")
	if len(parts) > 3 {
		return -1, fmt.Errorf("Error parsing object selector %q: too many colon-separated parts", sel)
	}
	var matches []int
	var all []string
	for i, o := range s.k8sObjects {
		all = append(all, o.selector())
		fields := []string{strings.ToLower(o.Name), strings.ToLower(o.Kind), strings.ToLower(o.Namespace)}
		ok := true
		for j, p := range parts {
			if p != "" && p != fields[j] {
				ok = false
			}
		}
		if ok {
			matches = append(matches, i)
		}
	}
	if len(matches) == 0 {
		return -1, fmt.Errorf("No object identified by the fragment %q could be found. Possible objects are: %s", sel, quotedList(all))
	}
	if len(matches) > 1 {
		var names []string
		for _, i := range matches {
			names = append(names, s.k8sObjects[i].selector())
		}
		return -1, fmt.Errorf("%q is not a unique fragment. Objects that match %q are %s", sel, sel, quotedList(names))
	}
	return matches[0], nil
}

func quotedList(items []string) string {
	q := make([]string, len(items))
	for i, it := range items {
		q[i] = fmt.Sprintf("%q", it)
	}
	return strings.Join(q, ", ")
}

// applyK8sOptions merges one k8s_resource() call into its resource, as
// tiltfile_state.go:792-878 does: lists append, scalars given win, labels merge.
func (s *state) applyK8sOptions(o *k8sResourceOptions) error {
	if o.manual {
		r, err := s.addK8sResource(o.newName)
		if err != nil {
			return err
		}
		r.manuallyGrouped = true
	}
	r := s.k8sByName[o.workload]
	if r == nil {
		var known []string
		for name := range s.k8sByName {
			known = append(known, name)
		}
		sort.Strings(known)
		return fmt.Errorf("%s: k8s_resource specified unknown resource %q. known k8s resources: %s", o.pos, o.workload, strings.Join(known, ", "))
	}
	r.ExtraPodSelectors = append(r.ExtraPodSelectors, o.extraSelectors...)
	if o.podReadiness != "" {
		r.PodReadiness = o.podReadiness
	}
	if o.discoveryStrategy != "" {
		r.DiscoveryStrategy = o.discoveryStrategy
	}
	r.PortForwards = append(r.PortForwards, o.portForwards...)
	if o.trigger.set {
		r.triggerMode, r.triggerSet = o.trigger.mode, true
	}
	if o.autoInit != nil {
		r.AutoInit = *o.autoInit
	}
	r.ResourceDeps = append(r.ResourceDeps, o.resourceDeps...)
	r.Links = append(r.Links, o.links...)
	for _, l := range o.labels {
		if !contains(r.Labels, l) {
			r.Labels = append(r.Labels, l)
		}
	}
	if o.newName != "" && o.newName != r.Name {
		if err := s.checkResourceConflict(o.newName); err != nil {
			return fmt.Errorf("%s: k8s_resource specified to rename %q to %q: %v", o.pos, r.Name, o.newName, err)
		}
		delete(s.k8sByName, r.Name)
		r.Name = o.newName
		s.k8sByName[r.Name] = r
	}
	for _, sel := range o.objects {
		i, err := s.findObject(sel)
		if err != nil {
			return err
		}
		obj := &s.k8sObjects[i]
		if obj.claimed {
			var remaining []string
			for _, other := range s.k8sObjects {
				if !other.claimed {
					remaining = append(remaining, other.selector())
				}
			}
			return fmt.Errorf("No object identified by the fragment %q could be found in remaining YAML. Valid remaining fragments are: %s", sel, quotedList(remaining))
		}
		obj.claimed = true
		r.Objects = append(r.Objects, obj.selector())
		r.objectKinds = append(r.objectKinds, strings.ToLower(obj.Kind))
		for _, img := range s.builtImagesIn(obj.images) {
			if !contains(r.ImageDeps, img) {
				r.ImageDeps = append(r.ImageDeps, img)
			}
		}
	}
	return nil
}

// sanitizeDependencies is tiltfile_state.go:1650-1693: a dependency on
// itself fails, an unknown one is dropped with a warning, a cycle fails.
func (s *state) sanitizeDependencies() error {
	known := map[string]*resource{}
	for _, r := range s.resources {
		known[r.Name] = r
	}
	for _, r := range s.resources {
		kept := []string{}
		for _, dep := range r.ResourceDeps {
			if dep == r.Name {
				return fmt.Errorf("resource %s specified a dependency on itself", r.Name)
			}
			if known[dep] == nil {
				s.warnings = append(s.warnings, fmt.Sprintf("resource %s specified a dependency on unknown resource %s - dependency ignored", r.Name, dep))
				continue
			}
			kept = append(kept, dep)
		}
		r.ResourceDeps = kept
	}
	const (
		visiting = 1
		done     = 2
	)
	mark := map[string]int{}
	var visit func(n string, trail []string) error
	visit = func(n string, trail []string) error {
		switch mark[n] {
		case visiting:
			cycle := append(trail, n)
			for i, t := range cycle {
				if t == n {
					cycle = cycle[i:]
					break
				}
			}
			return fmt.Errorf("cycle detected in resource dependency graph: %s", strings.Join(cycle, " -> "))
		case done:
			return nil
		}
		mark[n] = visiting
		for _, d := range known[n].ResourceDeps {
			if err := visit(d, append(trail, n)); err != nil {
				return err
			}
		}
		mark[n] = done
		return nil
	}
	for _, r := range s.resources {
		if err := visit(r.Name, nil); err != nil {
			return err
		}
	}
	return nil
}

// warnUnusedImages is assertAllImagesMatched (tiltfile_state.go:642-664,
// build_index.go:101-124, docker.go:622-645): a warning about the first
// build nothing deploys, unless suppressed. The "Did you mean" suggestions
// are not modelled.
func (s *state) warnUnusedImages() {
	suppress, _ := s.settings["update_settings"].(map[string]interface{})["suppress_unused_image_warnings"].([]string)
	used := map[string]bool{}
	k8sResources, unresourced := 0, false
	for _, r := range s.resources {
		for _, ref := range deployedRefs(r) {
			used[imageName(ref)] = true
		}
		switch {
		case r.Kind == "local":
		case r.unresourced:
			unresourced = true
		default:
			k8sResources++
		}
	}
	for _, img := range s.images {
		for _, ref := range img.ImageDeps {
			used[imageName(ref)] = true
		}
	}
	for _, img := range s.images {
		if img.hidden || used[imageName(img.Ref)] || contains(suppress, "*") || contains(suppress, img.Ref) {
			continue
		}
		switch {
		case k8sResources == 0 && !unresourced:
			s.warnings = append(s.warnings, "We could not find any deployment instructions, e.g. `k8s_yaml` or `docker_compose`.\nSkipping all image builds until we know how to deploy them.")
		case k8sResources == 0:
			s.warnings = append(s.warnings, "No Kubernetes configs with images found.\nIf you are using CRDs, add k8s_kind() to tell Tilt how to find images.\nhttps://docs.tilt.dev/api.html#api.k8s_kind")
		default:
			s.warnings = append(s.warnings, fmt.Sprintf("Image not used in any Kubernetes config:\n    ✕ %s\nSkipping this image build\nIf this is deliberate, suppress this warning with: update_settings(suppress_unused_image_warnings=[%q])", img.Ref, img.Ref))
		}
		return
	}
}
