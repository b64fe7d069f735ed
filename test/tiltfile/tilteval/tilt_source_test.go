package main

// Regression tests for behaviour modelled on Tilt v0.37.6's Go code. Each
// test name carries the source file and line it follows (paths are under
// internal/tiltfile/ unless they say otherwise).

import (
	"strings"
	"testing"
)

var dockerfile = map[string]string{"Dockerfile": "FROM scratch\n"}

func withFiles(extra map[string]string) map[string]string {
	out := map[string]string{"Dockerfile": "FROM scratch\n"}
	for k, v := range extra {
		out[k] = v
	}
	return out
}

func warningsOf(doc map[string]interface{}) string {
	return strings.Join(strs(doc["warnings"]), "\n")
}

// ---- live update ------------------------------------------------------------

func TestLiveUpdateGo356_UnusedStepsFailTheLoad(t *testing.T) {
	r, dir := evalTiltfile(t, "s = sync('.', '/app')\nr = run('make')\n", nil)
	mustFail(t, r, "found 2 live_update steps that were created but not used in a live_update:",
		dir+"/Tiltfile:1:9: value 'sync step: '"+dir+"'->'/app'' of type 'live_update_sync_step'",
		dir+"/Tiltfile:2:8: value 'run step: \"make\"' of type 'live_update_run_step'")
	// A helper that always builds default steps, while the caller passes its
	// own list, leaves the defaults unused: the helm_app case of issue 14.
	r, _ = evalTiltfile(t, `
def app(name, live_update=None):
    defaults = [sync('src', '/app/src')]
    docker_build(name, '.', live_update=live_update if live_update != None else defaults)
app('img', live_update=[sync('.', '/app')])
`, dockerfile)
	mustFail(t, r, "found 1 live_update steps that were created but not used in a live_update")
	// Steps are keyed by the line that created them (live_update.go:149-151):
	// one line used once covers every step it made.
	r, _ = evalTiltfile(t, `
def steps():
    return [sync('.', '/app')]
a, b = steps(), steps()
docker_build('img', '.', live_update=a)
`, dockerfile)
	mustOK(t, r)
}

func TestTiltfileState1368_RestartContainerRefusedOnK8s(t *testing.T) {
	deployed := "docker_build('img', '.', live_update=[sync('.', '/app'), restart_container()])\n" +
		"k8s_custom_deploy('app', 'apply', 'delete', [], image_deps=['img'])\n"
	r, _ := evalTiltfile(t, deployed, dockerfile)
	mustFail(t, r, "Found `restart_container()` LiveUpdate step in resource(s): [app]. `restart_container()`  has been deprecated for k8s resources.")
	r, _ = evalTiltfile(t, "k8s_custom_deploy('app', 'a', 'd', ['.'], container_selector='c', live_update=[sync('.', '/app'), restart_container()])\n", nil)
	mustFail(t, r, "Found `restart_container()` LiveUpdate step in resource(s): [app]")
}

func TestLiveUpdateGo244_OrderRulesAndLiveUpdateValidate(t *testing.T) {
	cases := map[string]string{
		"docker_build('img', '.', live_update=[fall_back_on('x')])":                          "live_update: spec.syncs: Invalid value: []v1alpha1.LiveUpdateSync(nil): must contain at least 1 sync or 1 exec to run on live update",
		"docker_build('img', '.', live_update=[initial_sync(), initial_sync()])":             "initial_sync must appear at most once, at the start of the list",
		"docker_build('img', '.', live_update=[restart_container(), sync('.', '/a')])":       "restart container is only valid as the last step",
		"docker_build('img', '.', live_update=[sync('.', 'a'), sync('.', 'b')])":             `[spec.syncs[0]: Invalid value: "a": sync destination is not absolute, spec.syncs[1]: Invalid value: "b": sync destination is not absolute]`,
		"docker_build('img', '.', live_update=[fall_back_on(files=['x']), sync('.', '/a')])": `fall_back_on: unexpected keyword argument "files"`,
	}
	for call, want := range cases {
		r, _ := evalTiltfile(t, call+"\n", dockerfile)
		mustFail(t, r, want)
	}
	r, _ := evalTiltfile(t, "docker_build('img', '.', live_update=[fall_back_on(paths=['x']), sync('.', '/a'), run('true')])\n", dockerfile)
	mustOK(t, r)
	// Path checks apply to deployed images only (tiltfile_state.go:1278-1348).
	r, _ = evalTiltfile(t, "docker_build('img', 'ctx', live_update=[sync('.', '/a')])\n", map[string]string{"ctx/Dockerfile": "FROM scratch\n"})
	mustOK(t, r)
	r, _ = evalTiltfile(t, "docker_build('img', 'ctx', live_update=[fall_back_on('x'), sync('ctx', '/a')])\nk8s_custom_deploy('app', 'a', 'd', [], image_deps=['img'])\n",
		map[string]string{"ctx/Dockerfile": "FROM scratch\n"})
	mustFail(t, r, "fall_back_on paths '", "' is not a child of any watched filepaths")
}

// ---- images -------------------------------------------------------------------

func TestDockerGo152_DockerfileReadAtLoad(t *testing.T) {
	r, dir := evalTiltfile(t, "docker_build('img', 'svc')\n", nil)
	mustFail(t, r, "Error in docker_build: error reading dockerfile: open "+dir+"/svc/Dockerfile: no such file or directory")
	r, _ = evalTiltfile(t, "docker_build('img', '.', dockerfile='missing.Dockerfile')\n", nil)
	mustFail(t, r, "error reading dockerfile: open ", "missing.Dockerfile: no such file or directory")
	r, dir = evalTiltfile(t, "docker_build('img', 'svc', dockerfile_contents='FROM scratch')\nk8s_custom_deploy('a', 'x', 'y', [], image_deps=['img'])\n", nil)
	mustOK(t, r)
	// cache= exists in Go (docker.go:127) and only warns (docker.go:182-184).
	r, _ = evalTiltfile(t, "docker_build('img', '.', cache='/root/.cache')\nk8s_custom_deploy('a', 'x', 'y', [], image_deps=['img'])\n", dockerfile)
	if w := warningsOf(mustOK(t, r)); !strings.Contains(w, "docker_build(cache=...) is obsolete, and currently a no-op.") {
		t.Fatalf("warnings: %s", w)
	}
	r, dir = evalTiltfile(t, "docker_build('img', '.')\n", dockerfile)
	if files := strs(mustOK(t, r)["watched_files"]); !contains(files, dir+"/Dockerfile") {
		t.Fatalf("the Dockerfile is a watched read: %v", files)
	}
}

func TestValueGo36_PathArguments(t *testing.T) {
	mustFailEach(t, dockerfile, [][2]string{
		{"docker_build('img', None)", "docker_build: for parameter context: expected path | string. Actual type: starlark.NoneType"},
		{"docker_build('img', blob('.'))", "expected path | string. Actual type: io.Blob"},
	})
	// a git.Repo is a path (its root); None is the default for a command dir
	// and for "dockerfile??" (value/value.go:139-149, docker.go:125).
	r, _ := evalTiltfile(t, "docker_build('img', local_git_repo('.'), dockerfile=None)\nlocal_resource('a', 'x', dir=None)\n",
		withFiles(map[string]string{".git/HEAD": "x"}))
	mustOK(t, r)
}

func TestTiltfileState666_BaseImageFromDockerfileIsUsed(t *testing.T) {
	r, _ := evalTiltfile(t, `
docker_build('base', 'base')
docker_build('app', '.', build_args={'BASE': 'base'})
k8s_custom_deploy('a', 'x', 'y', [], image_deps=['app'])
`, map[string]string{"base/Dockerfile": "FROM scratch\n", "Dockerfile": "ARG BASE=other\nFROM ${BASE} AS build\nFROM build\n"})
	doc := mustOK(t, r)
	if w := warningsOf(doc); w != "" {
		t.Fatalf("base image is used through FROM, got warnings: %s", w)
	}
}

func TestTiltfileState685_ImageDepsMustMatchABuild(t *testing.T) {
	r, _ := evalTiltfile(t, "custom_build('img', 'make', ['.'], image_deps=['nope'])\n", nil)
	mustFail(t, r, `image "img": image dep "nope" not found`)
	r, _ = evalTiltfile(t, "k8s_custom_deploy('app', 'a', 'd', [], image_deps=['nope'])\n", nil)
	mustFail(t, r, `resource "app": image build "nope" not found`)
	r, _ = evalTiltfile(t, "docker_build('nope', '.')\nk8s_custom_deploy('app', 'a', 'd', [], image_deps=['nope:dev'])\n", dockerfile)
	mustOK(t, r)
}

// ---- resources ------------------------------------------------------------------

func TestTiltfileState792_SecondK8sResourceMerges(t *testing.T) {
	r, _ := evalTiltfile(t, `
local_resource('db', 'x')
local_resource('cache', 'x')
k8s_custom_deploy('app', 'a', 'd', [])
k8s_resource('app', port_forwards=8080, resource_deps=['db'], labels=['one'], trigger_mode=TRIGGER_MODE_MANUAL)
k8s_resource('app', port_forwards=9090, resource_deps=['cache'], labels=['two'], auto_init=False)
k8s_resource('app', new_name='web')
`, nil)
	web := resources(mustOK(t, r))["web"]
	if web == nil {
		t.Fatal("renamed resource missing")
	}
	eqStrs(t, "resource_deps append", web["resource_deps"], "db", "cache")
	eqStrs(t, "labels merge", web["labels"], "one", "two")
	if len(web["port_forwards"].([]interface{})) != 2 || web["trigger_mode"] != "manual" || web["auto_init"] != false {
		t.Fatalf("merged options: %v", web)
	}
	mustFailEach(t, nil, [][2]string{
		{"k8s_resource(new_name='cfg')", "k8s_resource doesn't specify a workload or any objects. All non-workload resources must specify 1 or more objects"},
		{"k8s_resource()", "Resource name missing. Must give a name for an existing resource or a new_name to create a new resource."},
	})
}

func TestTiltfileState1650_UnknownResourceDepWarnsAndIsDropped(t *testing.T) {
	r, _ := evalTiltfile(t, "local_resource('a', 'x', resource_deps=['ghost'])\n", nil)
	doc := mustOK(t, r)
	if w := warningsOf(doc); !strings.Contains(w, "resource a specified a dependency on unknown resource ghost - dependency ignored") {
		t.Fatalf("warnings: %s", w)
	}
	eqStrs(t, "dropped", resources(doc)["a"]["resource_deps"])
}

func TestLocalResourceGo56_DeprecatedTestBuiltin(t *testing.T) {
	r, _ := evalTiltfile(t, "test('unit', 'make test')\n", nil)
	doc := mustOK(t, r)
	if resources(doc)["unit"]["allow_parallel"] != true || !strings.Contains(warningsOf(doc), "test() is deprecated") {
		t.Fatalf("test(): %v %s", resources(doc)["unit"], warningsOf(doc))
	}
	// tiltfile_state.go:1612: a serve-only resource is parallel.
	r, _ = evalTiltfile(t, "local_resource('srv', serve_cmd='x')\nlocal_resource('job', 'x')\n", nil)
	res := resources(mustOK(t, r))
	if res["srv"]["allow_parallel"] != true || res["job"]["allow_parallel"] != false {
		t.Fatalf("allow_parallel: %v %v", res["srv"]["allow_parallel"], res["job"]["allow_parallel"])
	}
}

func TestLocalResourceGo40_NameDirProbeChecks(t *testing.T) {
	mustFailEach(t, nil, [][2]string{
		{"local_resource('a/b', 'x')", `local_resource: for parameter name: invalid value "a/b": may not contain '/'`},
		{"local_resource('..', 'x')", `invalid value "..": may not be '..'`},
		{"local_resource('a', serve_cmd='x', dir='.')", "local_resource: 'dir' only affects 'cmd', not 'serve_cmd'. Did you mean to use 'serve_dir' instead?"},
		{"local_resource('a', cmd='', dir='.', serve_cmd='')", "local_resource: 'dir' specified but 'cmd' is empty"},
		{"local_resource('a', cmd='x', serve_dir='.')", "local_resource: 'serve_dir' specified but 'serve_cmd' is empty"},
	})
	r, _ := evalTiltfile(t, "local_resource('a', cmd='x', readiness_probe=probe(exec=exec_action(['true'])))\n", nil)
	doc := mustOK(t, r)
	if w := warningsOf(doc); !strings.Contains(w, `Ignoring readiness probe for local resource "a" (no serve_cmd was defined)`) {
		t.Fatalf("warnings: %s", w)
	}
	if resources(doc)["a"]["readiness"] != nil {
		t.Fatalf("probe must be dropped: %v", resources(doc)["a"]["readiness"])
	}
}

// ---- readiness ---------------------------------------------------------------------

func TestCmdController527_ReadinessModel(t *testing.T) {
	yaml := "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: nightly\n---\n" +
		"apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: migrate\n---\n" +
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n"
	r, _ := evalTiltfile(t, `
local_resource('build', 'make')
local_resource('guard', serve_cmd='sleep 1000')
local_resource('probed', serve_cmd='sleep 1000', readiness_probe=probe(period_secs=2, exec=exec_action(['true'])))
k8s_custom_deploy('deploy', 'a', 'd', [])
k8s_custom_deploy('jobs', 'a', 'd', [])
k8s_resource('jobs', pod_readiness='ignore')
k8s_yaml('all.yaml')
k8s_resource(new_name='config', objects=['cfg'])
`, map[string]string{"all.yaml": yaml})
	res := resources(mustOK(t, r))
	want := map[string][2]string{
		"build": {"cmd_finished", ""}, "guard": {"process_started", ""}, "probed": {"probe", ""},
		"deploy": {"pods_ready", "wait"}, "jobs": {"pod_readiness_ignore", "ignore"},
		"nightly": {"pod_readiness_ignore", "ignore"}, "migrate": {"pods_succeeded", "succeeded"},
		"config": {"pod_readiness_ignore", "ignore"},
	}
	for name, w := range want {
		if res[name]["ready_when"] != w[0] || res[name]["pod_readiness"] != w[1] {
			t.Errorf("%s: ready_when=%v pod_readiness=%v, want %v", name, res[name]["ready_when"], res[name]["pod_readiness"], w)
		}
	}
}

// ---- config ---------------------------------------------------------------------------

func TestConfigDef96_PflagArgs(t *testing.T) {
	tf := "config.define_string_list('names', args=True)\nconfig.define_string_list('only')\nconfig.define_bool('fast')\nconfig.define_string('mode')\ncfg = config.parse()\n"
	r, _ := evalTiltfile(t, tf, nil, "--", "a", "--only=x", "b", "--only", "y,z", "--fast", "c")
	c := mustOK(t, r)["config"].(map[string]interface{})
	eqStrs(t, "interspersed positional", c["names"], "a", "b", "c")
	eqStrs(t, "repeats append, no comma split", c["only"], "x", "y,z")
	if c["fast"] != true {
		t.Fatalf("bool flag: %v", c)
	}
	r, _ = evalTiltfile(t, tf, nil, "--", "-only=x")
	mustFail(t, r, "invalid Tiltfile config args: unknown shorthand flag: 'o' in -only=x")
	r, _ = evalTiltfile(t, tf, nil, "--", "--mode=a", "--mode=b")
	mustFail(t, r, "invalid Tiltfile config args: invalid argument \"b\" for \"--mode\" flag: string settings can only be specified once. multiple values found (last value: b)")
	r, _ = evalTiltfile(t, tf, nil, "--", "--bogus")
	mustFail(t, r, "invalid Tiltfile config args: unknown flag: --bogus", "Usage:")
	r, _ = evalTiltfile(t, tf, nil, "--", "--", "--only=x")
	eqStrs(t, "after --, flags are positional", mustOK(t, r)["config"].(map[string]interface{})["names"], "--only=x")
}

func TestConfigObjectGo_ConfigGo110_DefineObjectAndFileBesideTheCaller(t *testing.T) {
	tf := "config.define_object('obj')\nconfig.define_string('mode')\ncfg = config.parse()\nprint(cfg)\n"
	r, _ := evalTiltfile(t, tf, map[string]string{"tilt_config.json": `{"obj": {"a": [1, "x"]}, "mode": "file"}`}, "--", `--obj={"b": true}`)
	c := mustOK(t, r)["config"].(map[string]interface{})
	if c["mode"] != "file" || c["obj"].(map[string]interface{})["b"] != true {
		t.Fatalf("command line wins per setting: %v", c)
	}
	r, _ = evalTiltfile(t, tf, nil, "--", "--obj=nope")
	mustFail(t, r, `invalid Tiltfile config args: invalid argument "nope" for "--obj" flag: decoding JSON, got "nope"`)
	// tilt_config.json is read beside the Tiltfile that calls parse
	// (config/config.go:110-148), and parse works from one directory only.
	r, _ = evalTiltfile(t, "load('sub/Tiltfile', 'cfg')\nprint(cfg)\n", map[string]string{
		"sub/Tiltfile": "config.define_string('mode')\ncfg = config.parse()\n", "sub/tilt_config.json": `{"mode": "sub"}`})
	if c := mustOK(t, r)["config"].(map[string]interface{}); c["mode"] != "sub" {
		t.Fatalf("config beside the caller: %v", c)
	}
	r, _ = evalTiltfile(t, "load('sub/Tiltfile', 'cfg')\nconfig.parse()\n", map[string]string{"sub/Tiltfile": "cfg = config.parse()\n"})
	mustFail(t, r, "config.parse can only be called from one Tiltfile working directory per run.")
	r, _ = evalTiltfile(t, "print(config.tilt_subcommand)\n", nil, "--subcommand", "ci")
	if p := strs(mustOK(t, r)["prints"]); p[0] != "ci" {
		t.Fatalf("tilt_subcommand: %v", p)
	}
}

// ---- v1alpha1 -------------------------------------------------------------------------

const btn = "v1alpha1.ui_button(name='b', text='Go', location=v1alpha1.ui_component_location(component_type='Resource', component_id='app'))\n"

func TestV1alpha1Plugin47_RegistrationAndValidate(t *testing.T) {
	r, _ := evalTiltfile(t, btn+btn, nil)
	if n := len(mustOK(t, r)["buttons"].([]interface{})); n != 1 {
		t.Fatalf("an identical object registers once, got %d", n)
	}
	r, _ = evalTiltfile(t, btn+strings.Replace(btn, "'Go'", "'Run'", 1), nil)
	mustFail(t, r, `uibuttons "b" already registered`)
	mustFailEach(t, nil, [][2]string{
		{"v1alpha1.ui_button(name='b', text='Go', location={'component_type': 'Resource'})", "spec.location.componentID: Required value: Parent component ID is required"},
		{"v1alpha1.ui_button(name='b', location={'component_type': 'Global', 'component_id': 'nav'}, icon_svg='x.svg')", `[spec.text: Required value: Button text cannot be empty, spec.iconSVG: Invalid value: "x.svg": Invalid <svg> element]`},
		{strings.Replace(btn, "))", "), show_inputs_as_modal=True)", 1), `v1alpha1.ui_button: unexpected keyword argument "show_inputs_as_modal"`},
		{"v1alpha1.ui_button(name='b', text='Go', location={'component_type': 'Global', 'component_id': 'nav'}, inputs=[{'name': 'x'}])", "must specify exactly one input type"},
		{"v1alpha1.extension_repo(name='r', url='file://relative/path')", "file:// URLs must be absolute"},
		{"v1alpha1.kubernetes_apply(name='k')", "spec.yaml: Required value: must specify exactly ONE of .spec.yaml or .spec.applyCmd"},
	})
	r, _ = evalTiltfile(t, `
v1alpha1.kubernetes_apply(name='k', apply_cmd=v1alpha1.kubernetes_apply_cmd(args=['apply']),
    kubernetes_discovery_template_spec=v1alpha1.kubernetes_discovery_template_spec(extra_selectors=[v1alpha1.label_selector(match_labels={'a': 'b'})]),
    image_locators=[v1alpha1.kubernetes_image_locator(object_selector=v1alpha1.object_selector(kind_regexp='Foo'), path='{.spec.image}')],
    port_forward_template_spec=v1alpha1.port_forward_template_spec(forwards=[v1alpha1.forward(local_port=8080)]))
v1alpha1.kubernetes_discovery(name='d', watches=[v1alpha1.kubernetes_watch_ref(name='x')])
x = v1alpha1.label_selector_requirement(key='k', operator='In', values=['v'])
y = v1alpha1.kubernetes_image_object_descriptor(repo_field='r', tag_field='t')
z = v1alpha1.pod_log_stream_template_spec(only_containers=['c'])
`, nil)
	mustOK(t, r)
}

func TestDownGo86_NoButtonsButSameChecks(t *testing.T) {
	r, _ := evalTiltfile(t, btn, nil, "--subcommand", "down")
	doc := mustOK(t, r)
	if len(doc["buttons"].([]interface{})) != 0 || doc["api_objects_applied"] != false {
		t.Fatalf("down creates no buttons: %v %v", doc["buttons"], doc["api_objects_applied"])
	}
	if len(doc["api_objects"].(map[string]interface{})["uibuttons"].([]interface{})) != 1 {
		t.Fatalf("the object is still registered while loading: %v", doc["api_objects"])
	}
	r, _ = evalTiltfile(t, "v1alpha1.ui_button(name='b')\n", nil, "--subcommand", "down")
	mustFail(t, r, "spec.text: Required value")
}

// ---- keyword names, settings, builtins ------------------------------------------------

func TestGoKeywordNames(t *testing.T) {
	files := map[string]string{"f.txt": "x", "d/a": "", "Dockerfile": "FROM scratch\n"}
	ok := []string{
		"read_file(paths='f.txt')", "watch_file(paths='f.txt')", "listdir(dir='d')", "blob(input='x')",
		"read_json(paths='missing.json', default={})", "read_yaml(paths='missing.yaml', default={})",
		"decode_json(json='{}')", "decode_yaml(yaml='a: 1')", "enable_feature(msg='cluster_refresh')",
		"workload_to_resource_function(func=lambda id: id.name)", "k8s_kind(kind='Foo', pod_readiness='wait')",
		"shlex.quote(name='a b')", "custom_build('img', 'make', ['.'], container_args=['--x'])",
	}
	for _, call := range ok {
		r, _ := evalTiltfile(t, "x = "+call+"\n", files)
		mustOK(t, r)
	}
	bad := map[string]string{
		"read_file(file_path='f.txt')": "unexpected keyword argument \"file_path\"", "listdir(directory='d')": "unexpected keyword argument \"directory\"",
		"blob(contents='x')": "unexpected keyword argument \"contents\"", "watch_file(file_path='f.txt')": "unexpected keyword argument \"file_path\"",
		"enable_feature(feature_name='x')": "unexpected keyword argument \"feature_name\"", "workload_to_resource_function(fn=1)": "unexpected keyword argument \"fn\"",
		"k8s_kind('Foo', 'v1')": "k8s_kind: got 2 arguments, want at most 1", "shlex.quote(s='x')": "unexpected keyword argument \"s\"",
	}
	for call, want := range bad {
		r, _ := evalTiltfile(t, "x = "+call+"\n", files)
		mustFail(t, r, want)
	}
}

func TestSettingsValidation(t *testing.T) {
	bad := map[string]string{
		"secret_settings()": "secret_settings: missing argument for disable_scrub",
		"docker_prune_settings(num_builds=3, interval_hrs=2)": "can't specify both 'prune every X builds' and 'prune every Y hours'",
		"version_settings(constraint='<0.30.0')":              "you are running Tilt version 0.37.6, which doesn't match the version constraint specified in your Tiltfile: '<0.30.0'",
		"version_settings(constraint='banana')":               "error parsing version constraint",
		"default_registry('bad host!')":                       `validating defaultRegistry: host: Invalid value: "bad host!"`,
		"update_settings(k8s_server_side_apply='maybe')":      `update_settings: k8s_server_side_apply must be "true", "false", or "auto"; got "maybe"`,
		"ci_settings(timeout='ten')":                          "ci_settings: for parameter timeout: time: invalid duration",
		"set_team('a')\nset_team('b')":                        "team_id set multiple times (to 'a' and 'b')",
		"disable_feature('nope')":                             "Unknown feature flag: nope",
	}
	for call, want := range bad {
		r, _ := evalTiltfile(t, call+"\n", nil)
		mustFail(t, r, want)
	}
	r, _ := evalTiltfile(t, "version_settings(constraint='>=0.37.0 <0.38.0')\ndocker_prune_settings(num_builds=3)\nenable_feature('events')\nwatch_settings()\n", nil)
	if w := warningsOf(mustOK(t, r)); !strings.Contains(w, "Obsolete feature flag: events") {
		t.Fatalf("warnings: %s", w)
	}
}

func TestGitGo23_LocalGitRepoAndImageJSONPath(t *testing.T) {
	r, dir := evalTiltfile(t, "print(local_git_repo('.').paths('src'))\nk8s_image_json_path('{.spec.image}', kind='Foo')\n", map[string]string{".git/HEAD": "x"})
	if p := strs(mustOK(t, r)["prints"]); p[0] != dir+"/src" {
		t.Fatalf("paths: %v", p)
	}
	r, dir = evalTiltfile(t, "local_git_repo('.')\n", nil)
	mustFail(t, r, dir+" isn't a valid git repo: it doesn't have a .git/ directory")
	r, _ = evalTiltfile(t, "k8s_image_json_path('{.spec.image}')\n", nil)
	mustFail(t, r, "at least one of kind, name, or namespace must be specified")
}

func TestTiltfileState482_LocalRefusedOnDisallowedContext(t *testing.T) {
	r, _ := evalTiltfile(t, "local('true')\n", nil, "--local", "record", "--context", "prod-eu")
	mustFail(t, r, "Refusing to run 'local' because prod-eu might be a production kube context.",
		"allow_k8s_contexts('prod-eu')\nbefore this function call in your Tiltfile.")
	r, _ = evalTiltfile(t, "allow_k8s_contexts('prod-eu')\nlocal('true')\n", nil, "--local", "record", "--context", "prod-eu")
	mustOK(t, r)
	r, _ = evalTiltfile(t, "local('true')\n", nil, "--local", "record", "--context", "kind-dev")
	mustOK(t, r)
}
