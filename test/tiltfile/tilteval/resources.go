package main

// Resource-declaring builtins: local_resource, k8s_custom_deploy, k8s_resource,
// k8s_yaml, docker_build, custom_build and the values they take.

import (
	"fmt"
	"path"
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
	ImageSelector     string                   `json:"image_selector"`
	ContainerSelector string                   `json:"container_selector"`
	LiveUpdate        []map[string]interface{} `json:"live_update"`
	Objects           []string                 `json:"objects"`
	ExtraPodSelectors []map[string]string      `json:"extra_pod_selectors"`
	DiscoveryStrategy string                   `json:"discovery_strategy"`
	Tiltfile          string                   `json:"tiltfile"`

	triggerMode TriggerMode
	triggerSet  bool
	configured  bool // k8s_resource() already applied
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
}

type k8sResourceOptions struct {
	pos               string
	workload, newName string
	portForwards      []map[string]interface{}
	extraSelectors    []map[string]string
	trigger           triggerModeArg
	resourceDeps      *[]string
	objects           []string
	autoInit          *bool
	podReadiness      string
	links             []map[string]interface{}
	labels            []string
	discoveryStrategy string
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
	var name string
	var cmd, serveCmd, cmdBat, serveCmdBat cmdArg
	deps := pathList{st: s}
	var trig triggerModeArg
	var resourceDeps stringList
	var ignore stringOrStringList
	autoInit, allowParallel := true, false
	var links linkList
	var labels labelSet
	var env, serveEnv stringStringMap
	var probe starlark.Value = starlark.None
	dir, serveDir := pathArg{st: s}, pathArg{st: s}
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
	if len(cmd.argv) == 0 && len(serveCmd.argv) == 0 {
		return nil, fmt.Errorf("local_resource must have a cmd and/or a serve_cmd, but both were empty")
	}
	if dir.set && len(cmd.argv) == 0 && len(serveCmd.argv) > 0 {
		return nil, fmt.Errorf("local_resource: 'dir' only affects 'cmd', not 'serve_cmd'. Did you mean to use 'serve_dir' instead?")
	}
	var readiness map[string]interface{}
	if probe != starlark.None {
		r, ok := probe.(*record)
		if !ok || r.typ != "Probe" {
			return nil, fmt.Errorf("%s: for parameter readiness_probe: got %s, want Probe", fn.Name(), probe.Type())
		}
		readiness = r.data
	}
	for _, r := range s.resources {
		if r.Kind == "local" && r.Name == name {
			return nil, fmt.Errorf("Local resource %s has been defined multiple times", name)
		}
	}
	r := s.newResource(name, "local")
	r.Cmd, r.ServeCmd = cmd.argv, serveCmd.argv
	r.Dir, r.ServeDir = dir.or(s.curDir()), serveDir.or(s.curDir())
	r.Env, r.ServeEnv = env.orEmpty(), serveEnv.orEmpty()
	r.Deps = orEmpty(deps.values)
	r.Ignore = orEmpty(ignore.values)
	r.ResourceDeps = orEmpty(resourceDeps.values)
	r.Labels = orEmpty(labels.values)
	r.triggerMode, r.triggerSet = trig.mode, trig.set
	r.AutoInit, r.AllowParallel = autoInit, allowParallel
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
	applyDir, deleteDir := pathArg{st: s}, pathArg{st: s}
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
	steps, err := s.liveUpdateSteps(liveUpdate, deps.values)
	if err != nil {
		return nil, fmt.Errorf("live_update: %v", err)
	}
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
	}
	if imageSelector != "" && !validImageRef(imageSelector) {
		return nil, fmt.Errorf("can't parse %q: invalid reference format", imageSelector)
	}
	if _, exists := s.k8sByName[name]; exists {
		return nil, fmt.Errorf("error making resource for %s: k8s_resource named %q already exists", name, name)
	}
	r := s.newResource(name, "k8s_custom_deploy")
	r.ApplyCmd, r.DeleteCmd = applyCmd.argv, deleteCmd.argv
	r.ApplyDir, r.DeleteDir = applyDir.or(s.curDir()), deleteDir.or(s.curDir())
	r.ApplyEnv, r.DeleteEnv = applyEnv.orEmpty(), deleteEnv.orEmpty()
	r.Deps = orEmpty(deps.values)
	r.ImageDeps = orEmpty(imageDeps.refs)
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
	var workload, newName, podReadiness, discovery string
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
	if workload == "" && newName == "" {
		return nil, fmt.Errorf("k8s_resource: must specify workload or new_name")
	}
	if workload == "" && len(objects.values) == 0 {
		return nil, fmt.Errorf("k8s_resource: must specify workload or objects")
	}
	if podReadiness != "" && podReadiness != "ignore" && podReadiness != "wait" {
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
		pos: t.CallFrame(1).Pos.String(), workload: workload, newName: newName,
		portForwards: pfs, extraSelectors: sels, trigger: trig, objects: objects.values,
		podReadiness: podReadiness, links: links.values(), labels: labels.values, discoveryStrategy: discovery,
	}
	if resourceDeps.set {
		deps := orEmpty(resourceDeps.values)
		o.resourceDeps = &deps
	}
	if autoInit != starlark.None {
		b, ok := autoInit.(starlark.Bool)
		if !ok {
			return nil, fmt.Errorf("%s: for parameter auto_init: got %s, want bool", fn.Name(), autoInit.Type())
		}
		bv := bool(b)
		o.autoInit = &bv
	}
	if workload != "" {
		for _, prev := range s.k8sOptions {
			if prev.workload == workload {
				return nil, fmt.Errorf("k8s_resource already called for %s", workload)
			}
		}
	}
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

func (s *state) addImage(img *image) error {
	for _, prev := range s.images {
		if imageName(prev.Ref) == imageName(img.Ref) {
			return fmt.Errorf("Image for ref %q has already been defined", img.Ref)
		}
	}
	s.images = append(s.images, img)
	return nil
}

func (s *state) dockerBuild(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var ref, target, network, platform, dockerfileContents string
	ctx := pathArg{st: s}
	dockerfile := pathArg{st: s}
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
		"live_update?", &liveUpdate,
		"match_in_env_vars?", &matchInEnvVars,
		"ignore?", &ignore,
		"only?", &only,
		"entrypoint?", &entrypoint,
		"target?", &target,
		"ssh?", &ssh,
		"network?", &network,
		"secret?", &secret,
		"extra_tag?", &extraTag,
		"container_args?", &containerArgs,
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
	if dockerfile.set && dockerfileContents != "" {
		return nil, fmt.Errorf("Cannot specify both dockerfile and dockerfile_contents keyword arguments")
	}
	steps, err := s.liveUpdateSteps(liveUpdate, []string{ctx.value})
	if err != nil {
		return nil, err
	}
	img := &image{Ref: ref, Kind: "docker_build", Context: ctx.value, BuildArgs: buildArgs.orEmpty(),
		Target: target, LiveUpdate: steps, Only: orEmpty(only.values), Ignore: orEmpty(ignore.values),
		Entrypoint: entrypoint.argv, ContainerArgs: containerArgs.values, MatchInEnvVars: matchInEnvVars,
		Env: map[string]string{}, Deps: []string{ctx.value}, ImageDeps: []string{}, Tiltfile: s.curPath()}
	if dockerfileContents != "" {
		img.DockerfileInline = true
	} else if dockerfile.set {
		img.Dockerfile = dockerfile.value
	} else {
		img.Dockerfile = path.Join(ctx.value, "Dockerfile")
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
	dir := pathArg{st: s}
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
	steps, err := s.liveUpdateSteps(liveUpdate, deps.values)
	if err != nil {
		return nil, err
	}
	img := &image{Ref: ref, Kind: "custom_build", Command: command.argv, Dir: dir.or(s.curDir()), Env: env.orEmpty(),
		Deps: orEmpty(deps.values), Tag: tag, DisablePush: disablePush, SkipsLocalDocker: skipsLocalDocker,
		OutputsImageRefTo: outputsImageRefTo, ImageDeps: orEmpty(imageDeps.refs), LiveUpdate: steps,
		Only: []string{}, Ignore: orEmpty(ignore.values), Entrypoint: entrypoint.argv,
		MatchInEnvVars: matchInEnvVars, BuildArgs: map[string]string{}, Tiltfile: s.curPath()}
	if outputsImageRefTo != "" {
		img.OutputsImageRefTo = s.absPath(outputsImageRefTo)
	}
	return starlark.None, s.addImage(img)
}

// ---- live update ----------------------------------------------------------

func (s *state) luStep(data map[string]interface{}) *record {
	return &record{typ: "LiveUpdateStep", data: data}
}

func (s *state) sync(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var local, remote string
	if err := unpackArgs(fn.Name(), args, kwargs, "local_path", &local, "remote_path", &remote); err != nil {
		return nil, err
	}
	return s.luStep(map[string]interface{}{"type": "sync", "local_path": s.absPath(local), "remote_path": remote}), nil
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
	return s.luStep(map[string]interface{}{"type": "run", "cmd": cmd.argv, "trigger": triggers, "echo_off": echoOff}), nil
}

func (s *state) fallBackOn(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	files := pathList{st: s}
	if err := unpackArgs(fn.Name(), args, kwargs, "files", &files); err != nil {
		return nil, err
	}
	return s.luStep(map[string]interface{}{"type": "fall_back_on", "files": orEmpty(files.values)}), nil
}

func (s *state) initialSync(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := unpackArgs(fn.Name(), args, kwargs); err != nil {
		return nil, err
	}
	return s.luStep(map[string]interface{}{"type": "initial_sync"}), nil
}

func (s *state) restartContainer(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := unpackArgs(fn.Name(), args, kwargs); err != nil {
		return nil, err
	}
	return s.luStep(map[string]interface{}{"type": "restart_container"}), nil
}

// liveUpdateSteps checks the step list as Tilt's live_update.go does and
// returns it in order.
func (s *state) liveUpdateSteps(v starlark.Value, watched []string) ([]map[string]interface{}, error) {
	out := []map[string]interface{}{}
	if v == starlark.None {
		return out, nil
	}
	items, isSeq := seqItems(v)
	if _, isStep := v.(*record); !isSeq && !isStep {
		return nil, fmt.Errorf("'steps' must be a list of live update steps - got value '%v' of type '%s'", v, v.Type())
	}
	phase := 0 // 0 initial_sync, 1 fall_back_on, 2 sync, 3 run, 4 restart_container
	order := map[string]int{"initial_sync": 0, "fall_back_on": 1, "sync": 2, "run": 3, "restart_container": 4}
	for _, it := range items {
		r, ok := it.(*record)
		if !ok || r.typ != "LiveUpdateStep" {
			return nil, fmt.Errorf("'steps' must be a list of live update steps - got value '%v' of type '%s'", it, it.Type())
		}
		typ := r.data["type"].(string)
		p := order[typ]
		switch {
		case typ == "initial_sync" && (phase > 0 || len(out) > 0):
			return nil, fmt.Errorf("initial_sync must appear at most once, and only at the start of the list")
		case typ == "fall_back_on" && phase > 1:
			return nil, fmt.Errorf("fall_back_on steps must appear at the start of the list")
		case typ == "sync" && phase > 2:
			return nil, fmt.Errorf("all sync steps must precede all run steps")
		case phase == 4:
			return nil, fmt.Errorf("restart_container steps must appear at the end of the list")
		}
		if p > phase {
			phase = p
		}
		if typ == "sync" {
			local := r.data["local_path"].(string)
			ok := false
			for _, w := range watched {
				if isChild(w, local) {
					ok = true
				}
			}
			if !ok {
				return nil, fmt.Errorf("sync step source '%s' is not a child of any watched filepaths (%v)", local, watched)
			}
			if remote := r.data["remote_path"].(string); !path.IsAbs(remote) {
				return nil, fmt.Errorf("sync destination '%s' must be an absolute path", remote)
			}
		}
		out = append(out, r.data)
	}
	return out, nil
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

func (s *state) assemble() error {
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
		if _, exists := s.k8sByName[name]; exists {
			name = o.selector()
		}
		if _, exists := s.k8sByName[name]; exists {
			return fmt.Errorf("k8s_resource named %q already exists", name)
		}
		r := s.newResource(name, "k8s")
		r.Objects = []string{o.selector()}
		r.ImageDeps = s.builtImagesIn(o.images)
		o.claimed = true
		s.resources = append(s.resources, r)
		s.k8sByName[name] = r
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
		r := s.newResource("uncategorized", "k8s")
		r.Objects = rest
		if _, exists := s.k8sByName[r.Name]; exists {
			return fmt.Errorf("k8s_resource named %q already exists", r.Name)
		}
		s.resources = append(s.resources, r)
		s.k8sByName[r.Name] = r
	}
	// Resource names are unique across local and Kubernetes resources.
	seen := map[string]string{}
	for _, r := range s.resources {
		if prev, ok := seen[r.Name]; ok {
			return fmt.Errorf("resource name %q is used by more than one resource (a %s and a %s); resource names must be unique", r.Name, prev, r.Kind)
		}
		seen[r.Name] = r.Kind
	}
	for _, r := range s.resources {
		if !r.triggerSet {
			r.triggerMode = s.defaultTrigger
		}
		r.TriggerMode = r.triggerMode.jsonName()
		for _, dep := range r.ResourceDeps {
			if _, ok := seen[dep]; !ok {
				return fmt.Errorf("resource %s specified a dependency on unknown resource %s", r.Name, dep)
			}
			if dep == r.Name {
				return fmt.Errorf("resource %s depends on itself", r.Name)
			}
		}
	}
	if err := s.checkDepCycles(); err != nil {
		return err
	}
	s.warnUnusedImages()
	return s.checkContext()
}

func (s *state) builtImagesIn(refs []string) []string {
	out := []string{}
	for _, ref := range refs {
		for _, img := range s.images {
			if imageName(img.Ref) == imageName(ref) && !contains(out, img.Ref) {
				out = append(out, img.Ref)
			}
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
		return -1, fmt.Errorf("No object identified by the fragment %q could be found. Possible objects are: %s", sel, strings.Join(all, ", "))
	}
	if len(matches) > 1 {
		return -1, fmt.Errorf("%q is not a unique fragment. Objects that match %q are: %d objects", sel, sel, len(matches))
	}
	return matches[0], nil
}

func (s *state) applyK8sOptions(o *k8sResourceOptions) error {
	var r *resource
	if o.workload != "" {
		r = s.k8sByName[o.workload]
		if r == nil && len(o.objects) == 0 {
			var known []string
			for _, res := range s.resources {
				if res.Kind != "local" {
					known = append(known, res.Name)
				}
			}
			sort.Strings(known)
			return fmt.Errorf("%s: k8s_resource specified unknown resource %q. known k8s resources: %s", o.pos, o.workload, strings.Join(known, ", "))
		}
	}
	if r == nil {
		name := o.newName
		if name == "" {
			name = o.workload
		}
		if _, exists := s.k8sByName[name]; exists {
			return fmt.Errorf("%s: k8s_resource named %q already exists", o.pos, name)
		}
		r = s.newResource(name, "k8s")
		s.resources = append(s.resources, r)
		s.k8sByName[name] = r
	} else if o.newName != "" && o.newName != r.Name {
		if _, exists := s.k8sByName[o.newName]; exists {
			return fmt.Errorf("%s: k8s_resource named %q already exists", o.pos, o.newName)
		}
		delete(s.k8sByName, r.Name)
		r.Name = o.newName
		s.k8sByName[r.Name] = r
	}
	for _, sel := range o.objects {
		i, err := s.findObject(sel)
		if err != nil {
			return fmt.Errorf("%s: %v", o.pos, err)
		}
		obj := &s.k8sObjects[i]
		if obj.claimed && s.workloadKinds[strings.ToLower(obj.Kind)] {
			return fmt.Errorf("%s: object %q is already a workload of another resource", o.pos, sel)
		}
		obj.claimed = true
		r.Objects = append(r.Objects, obj.selector())
		for _, img := range s.builtImagesIn(obj.images) {
			if !contains(r.ImageDeps, img) {
				r.ImageDeps = append(r.ImageDeps, img)
			}
		}
	}
	r.PortForwards = append(r.PortForwards, o.portForwards...)
	r.ExtraPodSelectors = append(r.ExtraPodSelectors, o.extraSelectors...)
	if o.trigger.set {
		r.triggerMode, r.triggerSet = o.trigger.mode, true
	}
	if o.resourceDeps != nil {
		r.ResourceDeps = *o.resourceDeps
	}
	if o.autoInit != nil {
		r.AutoInit = *o.autoInit
	}
	if o.podReadiness != "" {
		r.PodReadiness = o.podReadiness
	}
	if o.discoveryStrategy != "" {
		r.DiscoveryStrategy = o.discoveryStrategy
	}
	r.Links = append(r.Links, o.links...)
	for _, l := range o.labels {
		if !contains(r.Labels, l) {
			r.Labels = append(r.Labels, l)
		}
	}
	return nil
}

func (s *state) checkDepCycles() error {
	byName := map[string]*resource{}
	for _, r := range s.resources {
		byName[r.Name] = r
	}
	const (
		unvisited = iota
		visiting
		done
	)
	mark := map[string]int{}
	var visit func(n string, trail []string) error
	visit = func(n string, trail []string) error {
		switch mark[n] {
		case visiting:
			return fmt.Errorf("Cycle detected in resource dependency graph: %s", strings.Join(append(trail, n), " -> "))
		case done:
			return nil
		}
		mark[n] = visiting
		for _, d := range byName[n].ResourceDeps {
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

func (s *state) warnUnusedImages() {
	suppress, _ := s.settings["update_settings"].(map[string]interface{})["suppress_unused_image_warnings"].([]string)
	used := map[string]bool{}
	for _, r := range s.resources {
		for _, ref := range r.ImageDeps {
			used[imageName(ref)] = true
		}
		if r.ImageSelector != "" {
			used[imageName(r.ImageSelector)] = true
		}
	}
	for _, img := range s.images {
		for _, ref := range img.ImageDeps {
			used[imageName(ref)] = true
		}
	}
	for _, img := range s.images {
		if used[imageName(img.Ref)] || contains(suppress, "*") || contains(suppress, img.Ref) {
			continue
		}
		s.warnings = append(s.warnings, fmt.Sprintf("Image not used in any deploy config:\n    ✕ %s\nSkipping this image build\nIf this is deliberate, suppress this warning with: update_settings(suppress_unused_image_warnings=[%q])", img.Ref, img.Ref))
	}
}
