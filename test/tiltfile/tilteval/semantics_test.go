package main

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// ---- load() ---------------------------------------------------------------

func TestLoadRelativeAndExtensionOnce(t *testing.T) {
	extra := map[string]string{
		"lib/Tiltfile":            "print('lib loaded')\nload('../exts/greet/Tiltfile', 'greet')\ndef lib_fn():\n  return greet('lib')\n",
		"exts/greet/Tiltfile":     "print('greet loaded from ' + __file__)\ndef greet(n):\n  return 'hi ' + n\n",
		"exts/other/sub/Tiltfile": "def other():\n  return 'other'\n",
	}
	r, dir := evalTiltfile(t, `
v1alpha1.extension_repo(name='default', url='file://' + config.main_dir + '/exts')
load('ext://greet', 'greet')
load('./lib/Tiltfile', 'lib_fn')
load('ext://greet', g2='greet')
v1alpha1.extension(name='other', repo_name='default', repo_path='other/sub')
load('ext://other', 'other')
syms = load_dynamic('exts/greet/Tiltfile')
print(greet('a'), lib_fn(), g2('b'), other(), syms['greet']('c'))
`, extra)
	doc := mustOK(t, r)
	prints := strs(doc["prints"])
	count := 0
	for _, p := range prints {
		if strings.HasPrefix(p, "greet loaded") {
			count++
		}
	}
	if count != 1 {
		t.Fatalf("greet must be loaded once (ext://, relative and load_dynamic), got %d: %q", count, prints)
	}
	if prints[len(prints)-1] != "hi a hi lib hi b other hi c" {
		t.Fatalf("last print %q", prints[len(prints)-1])
	}
	eqStrs(t, "loaded_files", doc["loaded_files"], filepath.Join(dir, "Tiltfile"),
		filepath.Join(dir, "exts/greet/Tiltfile"), filepath.Join(dir, "lib/Tiltfile"), filepath.Join(dir, "exts/other/sub/Tiltfile"))
}

func TestLoadHostRepo(t *testing.T) {
	r, _ := evalTiltfile(t, `
v1alpha1.extension_repo(name='mine', url='file://' + config.main_dir + '/repo', load_host='example.com')
load('ext://example.com/tool', 'x')
print(x)
`, map[string]string{"repo/tool/Tiltfile": "x = 'tool'\n"})
	if got := strs(mustOK(t, r)["prints"]); got[0] != "tool" {
		t.Fatalf("prints %q", got)
	}
}

func TestLoadErrors(t *testing.T) {
	r, _ := evalTiltfile(t, "load('ext://nothing', 'x')\n", nil)
	mustFail(t, r, `extension repo "default" is not registered`, "Tiltfile:1:")
	r, _ = evalTiltfile(t, "v1alpha1.extension_repo(name='default', url='https://github.com/tilt-dev/tilt-extensions')\nload('ext://x', 'x')\n", nil)
	mustFail(t, r, "only loads file:// repos")
	r, _ = evalTiltfile(t, "load('./a/Tiltfile', 'x')\n", map[string]string{"a/Tiltfile": "load('../b/Tiltfile', 'y')\nx = 1\n", "b/Tiltfile": "load('../a/Tiltfile', 'x')\ny = 2\n"})
	mustFail(t, r, "cycle in load graph")
	r, _ = evalTiltfile(t, "load('./a/Tiltfile', 'x')\n", map[string]string{"a/Tiltfile": "\n\nfail('inner failure')\nx = 1\n"})
	mustFail(t, r, "a/Tiltfile:3:5", "inner failure")
	r, _ = evalTiltfile(t, "load('./a/Tiltfile', 'nope')\n", map[string]string{"a/Tiltfile": "x = 1\n"})
	mustFail(t, r, "nope")
}

// A relative path resolves against the Tiltfile being executed.
func TestPathsRelativeToLoadedFile(t *testing.T) {
	r, dir := evalTiltfile(t, "load('./sub/Tiltfile', 'x')\nlocal_resource('main', 'x', deps=['src'])\n",
		map[string]string{"sub/Tiltfile": "local_resource('sub', 'x', deps=['src'])\nx = 1\n"})
	res := resources(mustOK(t, r))
	eqStrs(t, "sub deps", res["sub"]["deps"], filepath.Join(dir, "sub/src"))
	eqStrs(t, "main deps", res["main"]["deps"], filepath.Join(dir, "src"))
	if res["sub"]["dir"] != filepath.Join(dir, "sub") {
		t.Fatalf("sub dir %v", res["sub"]["dir"])
	}
}

// ---- config ---------------------------------------------------------------

const configTiltfile = `
config.define_string_list('only')
config.define_string('mode')
config.define_bool('fast')
cfg = config.parse()
print(cfg)
`

func configOf(t *testing.T, extra map[string]string, args ...string) map[string]interface{} {
	t.Helper()
	r, _ := evalTiltfile(t, configTiltfile, extra, args...)
	c, _ := mustOK(t, r)["config"].(map[string]interface{})
	return c
}

func TestConfigFlags(t *testing.T) {
	c := configOf(t, nil, "--", "--only=a", "--only", "b", "--only=c,d", "--mode=dev", "--fast")
	eqStrs(t, "only (repeats append, no comma split)", c["only"], "a", "b", "c,d")
	if c["mode"] != "dev" || c["fast"] != true {
		t.Fatalf("config %v", c)
	}
	if c := configOf(t, nil); len(c) != 0 {
		t.Fatalf("no args, no file: settings must be absent, got %v", c)
	}
	c = configOf(t, nil, "--", "--fast=false")
	if c["fast"] != false {
		t.Fatalf("--fast=false: %v", c)
	}
}

func TestConfigFileAndOverride(t *testing.T) {
	file := map[string]string{"tilt_config.json": `{"only": ["x", "y"], "mode": "file"}`}
	c := configOf(t, file)
	eqStrs(t, "only from file", c["only"], "x", "y")
	if c["mode"] != "file" {
		t.Fatalf("mode %v", c["mode"])
	}
	c = configOf(t, file, "--", "--only=z")
	eqStrs(t, "command line wins", c["only"], "z")
	if c["mode"] != "file" {
		t.Fatalf("unset flag keeps the file value, got %v", c["mode"])
	}
	r, _ := evalTiltfile(t, configTiltfile, map[string]string{"tilt_config.json": `{"bogus": 1}`})
	mustFail(t, r, "specified unknown setting name 'bogus'")
	r, _ = evalTiltfile(t, configTiltfile, map[string]string{"tilt_config.json": `{"only": "x"}`})
	mustFail(t, r, "specified invalid value for setting only")
}

func TestConfigErrors(t *testing.T) {
	r, _ := evalTiltfile(t, configTiltfile, nil, "--", "--nope=1")
	mustFail(t, r, "invalid Tiltfile config args: unknown flag: --nope")
	r, _ = evalTiltfile(t, configTiltfile, nil, "--", "web")
	mustFail(t, r, `invalid Tiltfile config args: positional CLI args ("web") were specified, but none were expected.`)
	r, _ = evalTiltfile(t, "config.parse()\nconfig.define_string('late')\n", nil)
	mustFail(t, r, "config.define_string cannot be called after config.parse is called")
	r, _ = evalTiltfile(t, "config.define_string('a')\nconfig.define_bool('a')\n", nil)
	mustFail(t, r, "a defined multiple times")
	r, _ = evalTiltfile(t, "config.define_string_list('a', args=True)\nconfig.define_string_list('b', args=True)\n", nil)
	mustFail(t, r, "both b and a are defined as positional args")
}

func TestConfigPositional(t *testing.T) {
	r, _ := evalTiltfile(t, "config.define_string_list('to-run', args=True)\nconfig.define_bool('x')\ncfg = config.parse()\n", nil, "--", "--x", "a", "b")
	c := mustOK(t, r)["config"].(map[string]interface{})
	eqStrs(t, "positional", c["to-run"], "a", "b")
}

func TestConfigModuleValues(t *testing.T) {
	r, dir := evalTiltfile(t, "print(config.tilt_subcommand, config.main_dir, config.main_path)\n", nil, "--subcommand", "down")
	got := strs(mustOK(t, r)["prints"])[0]
	want := "down " + dir + " " + filepath.Join(dir, "Tiltfile")
	if got != want {
		t.Fatalf("got %q want %q", got, want)
	}
}

// ---- enabled resources ----------------------------------------------------

const depsTiltfile = `
local_resource('db', 'x')
local_resource('api', 'x', resource_deps=['db'])
local_resource('web', 'x', resource_deps=['api'])
local_resource('docs', 'x')
`

func enabledOf(t *testing.T, tiltfile string, args ...string) []string {
	t.Helper()
	r, _ := evalTiltfile(t, tiltfile, nil, args...)
	return strs(mustOK(t, r)["enabled"])
}

func TestEnabledResources(t *testing.T) {
	if got := enabledOf(t, depsTiltfile); strings.Join(got, ",") != "db,api,web,docs" {
		t.Fatalf("default: all, got %v", got)
	}
	// without config.parse, Tilt args are resource names (plus their deps)
	if got := enabledOf(t, depsTiltfile, "--", "web"); strings.Join(got, ",") != "db,api,web" {
		t.Fatalf("args as names: %v", got)
	}
	only := depsTiltfile + "config.define_string_list('only')\ncfg = config.parse()\nconfig.set_enabled_resources(cfg.get('only', []))\n"
	if got := enabledOf(t, only, "--", "--only=api", "--only=docs"); strings.Join(got, ",") != "db,api,docs" {
		t.Fatalf("set_enabled_resources with transitive deps: %v", got)
	}
	if got := enabledOf(t, only); strings.Join(got, ",") != "db,api,web,docs" {
		t.Fatalf("empty list enables all: %v", got)
	}
	cleared := depsTiltfile + "config.clear_enabled_resources()\n"
	if got := enabledOf(t, cleared); len(got) != 0 {
		t.Fatalf("clear_enabled_resources: %v", got)
	}
	r, _ := evalTiltfile(t, only, nil, "--", "--only=nope")
	mustFail(t, r, `You specified some resources that could not be found: "nope"`)
	r, _ = evalTiltfile(t, depsTiltfile, nil, "--", "nope")
	mustFail(t, r, `could not be found: "nope"`)
	// after config.parse, positional args are not resource names
	parsed := depsTiltfile + "config.define_string_list('only')\nconfig.parse()\n"
	r, _ = evalTiltfile(t, parsed, nil, "--", "web")
	mustFail(t, r, "positional CLI args (\"web\") were specified")
	withArgs := depsTiltfile + "config.define_string_list('names', args=True)\ncfg = config.parse()\nconfig.set_enabled_resources(cfg.get('names', []))\n"
	if got := enabledOf(t, withArgs, "--", "api"); strings.Join(got, ",") != "db,api" {
		t.Fatalf("args=True setting: %v", got)
	}
}

func TestResourceDepsChecked(t *testing.T) {
	r, _ := evalTiltfile(t, "local_resource('a', 'x', resource_deps=['b'])\nlocal_resource('b', 'x', resource_deps=['a'])\n", nil)
	mustFail(t, r, "cycle detected in resource dependency graph: ")
	r, _ = evalTiltfile(t, "local_resource('a', 'x', resource_deps=['a'])\n", nil)
	mustFail(t, r, "resource a specified a dependency on itself")
}

// ---- duplicate names ------------------------------------------------------

func TestDuplicateNamesFail(t *testing.T) {
	cases := map[string][]string{
		"local twice":         {"local_resource('a', 'x')\nlocal_resource('a', 'y')\n", `local_resource named "a" already exists`},
		"custom deploy twice": {"k8s_custom_deploy('a', 'x', 'y', [])\nk8s_custom_deploy('a', 'x', 'y', [])\n", `k8s_resource named "a" already exists`},
		"local and deploy":    {"local_resource('a', 'x')\nk8s_custom_deploy('a', 'x', 'y', [])\n", `error making resource for a: local_resource named "a" already exists`},
		"deploy and local":    {"k8s_custom_deploy('a', 'x', 'y', [])\nlocal_resource('a', 'x')\n", `k8s_resource named "a" already exists`},
		"rename onto local":   {"k8s_custom_deploy('a', 'x', 'y', [])\nlocal_resource('b', 'x')\nk8s_resource('a', new_name='b')\n", `k8s_resource specified to rename "a" to "b": local_resource named "b" already exists`},
		"image twice":         {"docker_build('img:v2', '.')\ndocker_build('img:v2', '.')\n", `Image for ref "img:v2" has already been defined`},
		"button differs":      {"v1alpha1.ui_button(name='b', text='t', location={'component_type': 'Global', 'component_id': 'nav'})\nv1alpha1.ui_button(name='b', text='u', location={'component_type': 'Global', 'component_id': 'nav'})\n", `uibuttons "b" already registered`},
		"yaml twice":          {"k8s_yaml('d.yaml')\nk8s_yaml('d.yaml')\n", "Duplicate YAML: web:Deployment"},
	}
	for name, c := range cases {
		c := c
		t.Run(name, func(t *testing.T) {
			r, _ := evalTiltfile(t, c[0], map[string]string{"d.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n", "Dockerfile": "FROM scratch\n"})
			mustFail(t, r, c[1])
		})
	}
	r, _ := evalTiltfile(t, "k8s_yaml('d.yaml')\nk8s_yaml('d.yaml', allow_duplicates=True)\n", map[string]string{"d.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n"})
	mustOK(t, r)
}

// ---- local() --------------------------------------------------------------

func TestLocalAllowRunsCommands(t *testing.T) {
	r, dir := evalTiltfile(t, `
out = local('echo "$GREETING from $(basename $PWD)"', env={'GREETING': 'hello'})
argv = local(['printf', '%s|', 'a b', 'c'], dir='sub')
piped = local('cat', stdin='fed')
print(str(out).strip(), str(argv), str(piped), os.getenv('FROM_FLAG'), type(out))
`, map[string]string{"sub/.keep": ""}, "--env", "FROM_FLAG=flag-value")
	doc := mustOK(t, r)
	want := "hello from " + filepath.Base(dir) + " a b|c| fed flag-value blob"
	if got := strs(doc["prints"])[0]; got != want {
		t.Fatalf("got %q want %q", got, want)
	}
	calls := doc["local_calls"].([]interface{})
	first := calls[0].(map[string]interface{})
	eqStrs(t, "string command runs through sh -c", first["argv"], "sh", "-c", `echo "$GREETING from $(basename $PWD)"`)
	if first["mode"] != "allow" || first["exit_code"].(float64) != 0 {
		t.Fatalf("call record %v", first)
	}
	if calls[1].(map[string]interface{})["dir"] != filepath.Join(dir, "sub") {
		t.Fatalf("dir %v", calls[1])
	}
}

func TestLocalEnvReachesCommands(t *testing.T) {
	r, _ := evalTiltfile(t, "os.putenv('PUT', 'p')\nprint(str(local('echo $FROM_FLAG $PUT')).strip())\n", nil, "--env", "FROM_FLAG=f")
	if got := strs(mustOK(t, r)["prints"])[0]; got != "f p" {
		t.Fatalf("got %q", got)
	}
}

func TestLocalFailureIsAnError(t *testing.T) {
	r, _ := evalTiltfile(t, "\nlocal('echo out; echo err >&2; exit 3')\n", nil)
	mustFail(t, r, "Tiltfile:2:6", `command "echo out; echo err >&2; exit 3" failed`, "exit status 3")
}

func TestLocalRecordRunsNothing(t *testing.T) {
	marker := filepath.Join(t.TempDir(), "ran")
	r, _ := evalTiltfile(t, "x = local(['touch', '"+marker+"'], env={'A': 'b'})\nprint(repr(str(x)))\ny = helm('chart', name='app', values=['v.yaml'])\n", nil, "--local", "record")
	doc := mustOK(t, r)
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("--local record ran the command")
	}
	if got := strs(doc["prints"])[0]; got != `""` {
		t.Fatalf("recorded local must return empty output, got %s", got)
	}
	calls := doc["local_calls"].([]interface{})
	if len(calls) != 2 {
		t.Fatalf("calls %v", calls)
	}
	c0, c1 := calls[0].(map[string]interface{}), calls[1].(map[string]interface{})
	eqStrs(t, "argv", c0["argv"], "touch", marker)
	if c0["mode"] != "record" || c0["exit_code"] != nil || c0["env"].(map[string]interface{})["A"] != "b" {
		t.Fatalf("record %v", c0)
	}
	if c1["function"] != "helm" || strs(c1["argv"])[1] != "template" || strs(c1["argv"])[2] != "app" {
		t.Fatalf("helm record %v", c1)
	}
}

// ---- messages, exit, context ---------------------------------------------

func TestFailWarnPrintExit(t *testing.T) {
	r, _ := evalTiltfile(t, "def check(x):\n  if not x:\n    fail('x is required')\ncheck('')\n", nil)
	mustFail(t, r, "Tiltfile:4:6: in <toplevel>", "Tiltfile:3:9: in check", "Error in fail: x is required")
	r, _ = evalTiltfile(t, "warn('w1')\nprint('p1')\nlocal_resource('a', 'x')\nexit('done')\nlocal_resource('b', 'x')\n", nil)
	doc := mustOK(t, r)
	eqStrs(t, "warnings", doc["warnings"], "w1")
	eqStrs(t, "prints", doc["prints"], "p1", "done")
	if len(doc["resources"].([]interface{})) != 1 || doc["exited"] != true {
		t.Fatalf("exit must stop evaluation: %v", doc["resources"])
	}
	r, _ = evalTiltfile(t, "x = [\n", nil)
	mustFail(t, r, "Tiltfile:2:1")
	r, _ = evalTiltfile(t, "print(undefined_name)\n", nil)
	mustFail(t, r, "undefined: undefined_name")
}

func TestDialect(t *testing.T) {
	r, _ := evalTiltfile(t, `
s = set([1, 2, 2])
n = 0
while n < 3:
  n += 1
def fact(k):
  return 1 if k <= 1 else k * fact(k - 1)
n = n + fact(4)
f = lambda x: x * 2.5
print(len(s), n, f(2))
`, nil)
	if got := strs(mustOK(t, r)["prints"])[0]; got != "2 27 5.0" {
		t.Fatalf("got %q", got)
	}
}

func TestContextAndProductionGuard(t *testing.T) {
	k8s := "k8s_custom_deploy('app', 'a', 'd', [])\nprint(k8s_context(), k8s_namespace())\n"
	r, _ := evalTiltfile(t, k8s, nil, "--context", "prod-cluster")
	mustFail(t, r, "Stop! prod-cluster might be production.", "allow_k8s_contexts('prod-cluster')")
	r, _ = evalTiltfile(t, "allow_k8s_contexts('prod-cluster')\n"+k8s, nil, "--context", "prod-cluster", "--namespace", "dev")
	doc := mustOK(t, r)
	if strs(doc["prints"])[0] != "prod-cluster dev" || doc["settings"].(map[string]interface{})["context_allowed"] != true {
		t.Fatalf("%v %v", doc["prints"], doc["settings"])
	}
	r, _ = evalTiltfile(t, "local_resource('a', 'x')\n", nil, "--context", "prod-cluster")
	mustOK(t, r)
	r, _ = evalTiltfile(t, k8s, nil, "--context", "kind-dev")
	mustOK(t, r)
}

// ---- buttons, settings, images, k8s ---------------------------------------

func TestButtonsJoinCmd(t *testing.T) {
	r, dir := evalTiltfile(t, `
local_resource('app', 'x')
v1alpha1.ui_button(name='e2e', text='Run e2e', location={'component_type': 'Resource', 'component_id': 'app'},
  icon_name='science', requires_confirmation=True,
  inputs=[v1alpha1.ui_input_spec(name='SUITE', label='Suite', text=v1alpha1.ui_text_input_spec(default_value='smoke'))])
v1alpha1.cmd(name='btn-e2e', args=['make', 'e2e'], env=['A=1'], start_on=v1alpha1.start_on_spec(ui_buttons=['e2e']))
v1alpha1.ui_button(name='lonely', text='No cmd', location=v1alpha1.ui_component_location(component_type='Global', component_id='nav'))
`, nil)
	doc := mustOK(t, r)
	buttons := doc["buttons"].([]interface{})
	if len(buttons) != 2 {
		t.Fatalf("buttons %v", buttons)
	}
	b := buttons[0].(map[string]interface{})
	loc := b["location"].(map[string]interface{})
	if b["name"] != "e2e" || b["text"] != "Run e2e" || loc["component_type"] != "Resource" || loc["component_id"] != "app" || b["requires_confirmation"] != true {
		t.Fatalf("button %v", b)
	}
	in := b["inputs"].([]interface{})[0].(map[string]interface{})
	if in["name"] != "SUITE" || in["text"].(map[string]interface{})["default_value"] != "smoke" {
		t.Fatalf("inputs %v", in)
	}
	cmd := b["cmd"].(map[string]interface{})
	eqStrs(t, "cmd args", cmd["args"], "make", "e2e")
	eqStrs(t, "cmd env", cmd["env"], "A=1")
	if cmd["name"] != "btn-e2e" || cmd["dir"] != dir {
		t.Fatalf("cmd %v", cmd)
	}
	if buttons[1].(map[string]interface{})["cmd"] != nil {
		t.Fatalf("a button no cmd starts has cmd null")
	}
	r, _ = evalTiltfile(t, "v1alpha1.ui_button(name='b', text='t', location={'component_type': 'Global', 'componentID': 'nav'})\n", nil)
	mustFail(t, r, "Unexpected attribute name: componentID")
}

func TestSettingsRecorded(t *testing.T) {
	r, _ := evalTiltfile(t, `
default_registry('localhost:5005')
allow_k8s_contexts(['a', 'b'])
allow_k8s_contexts('c')
version_settings(constraint='>=0.33.0')
secret_settings(disable_scrub=True)
watch_settings(ignore='*.log')
watch_settings(ignore=['tmp/'])
docker_prune_settings(disable=True)
update_settings(max_parallel_updates=1, k8s_upsert_timeout_secs=120)
`, nil)
	s := mustOK(t, r)["settings"].(map[string]interface{})
	if s["default_registry"].(map[string]interface{})["host"] != "localhost:5005" {
		t.Fatalf("registry %v", s["default_registry"])
	}
	eqStrs(t, "contexts", s["allow_k8s_contexts"], "a", "b", "c")
	eqStrs(t, "watch ignores", s["watch_settings"].(map[string]interface{})["ignore"], "*.log", "tmp/")
	if s["version_settings"].(map[string]interface{})["constraint"] != ">=0.33.0" ||
		s["secret_settings"].(map[string]interface{})["disable_scrub"] != true ||
		s["docker_prune_settings"].(map[string]interface{})["disable"] != true ||
		s["update_settings"].(map[string]interface{})["max_parallel_updates"].(float64) != 1 ||
		s["update_settings"].(map[string]interface{})["k8s_upsert_timeout_secs"].(float64) != 120 {
		t.Fatalf("settings %v", s)
	}
	r, _ = evalTiltfile(t, "update_settings(max_parallel_updates=0)\n", nil)
	mustFail(t, r, "max number of parallel updates must be >= 1")
}

func TestLiveUpdateRules(t *testing.T) {
	ok := `docker_build('img', '.', live_update=[fall_back_on('package.json'), sync('src', '/app/src'), run('npm i', trigger=['package.json'])])
k8s_custom_deploy('app', 'a', 'd', ['.'], image_deps=['img'])`
	dockerfiles := map[string]string{"Dockerfile": "FROM scratch\n", "ctx/Dockerfile": "FROM scratch\n"}
	r, dir := evalTiltfile(t, ok, dockerfiles)
	img := mustOK(t, r)["images"].([]interface{})[0].(map[string]interface{})
	var kinds []string
	for _, s := range img["live_update"].([]interface{}) {
		kinds = append(kinds, s.(map[string]interface{})["type"].(string))
	}
	if strings.Join(kinds, ",") != "fall_back_on,sync,run" {
		t.Fatalf("steps %v", kinds)
	}
	if img["live_update"].([]interface{})[1].(map[string]interface{})["local_path"] != filepath.Join(dir, "src") {
		t.Fatalf("sync local path %v", img["live_update"])
	}
	bad := map[string]string{
		"run before sync": "docker_build('img', '.', live_update=[run('x'), sync('.', '/app')])",
		"fall_back late":  "docker_build('img', '.', live_update=[sync('.', '/app'), fall_back_on('x')])",
		"sync outside":    "docker_build('img', 'ctx', live_update=[sync('other', '/app')])\nk8s_custom_deploy('app', 'a', 'd', [], image_deps=['img'])",
		"relative remote": "docker_build('img', '.', live_update=[sync('.', 'app')])",
		"not a step":      "docker_build('img', '.', live_update=['sync'])",
		"no selector":     "k8s_custom_deploy('app', 'a', 'd', ['.'], live_update=[sync('.', '/app')])",
		"two selectors":   "k8s_custom_deploy('app', 'a', 'd', ['.'], live_update=[sync('.', '/app')], image_selector='img', container_selector='c')",
	}
	wants := map[string]string{
		"run before sync": "all sync steps must precede all run steps", "fall_back late": "fall_back_on steps must appear at the start",
		"sync outside": "is not a child of any watched filepaths", "relative remote": "spec.syncs[0]: Invalid value: \"app\": sync destination is not absolute",
		"not a step": "must be a list of live update steps", "no selector": "no Live Update selector specified",
		"two selectors": "cannot specify more than one Live Update selector",
	}
	names := make([]string, 0, len(bad))
	for n := range bad {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		r, _ := evalTiltfile(t, bad[n]+"\n", dockerfiles)
		mustFail(t, r, wants[n])
	}
}

func TestK8sYamlAndResources(t *testing.T) {
	yaml := `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - name: web
        image: my/web:latest
---
apiVersion: v1
kind: Service
metadata:
  name: web
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: apps
`
	r, _ := evalTiltfile(t, `
docker_build('my/web', '.')
k8s_yaml(['all.yaml'])
k8s_resource('web', new_name='frontend', port_forwards='8080:80', objects=['web:service'], resource_deps=['setup'], labels='fe')
k8s_resource(objects=['settings:configmap:apps'], new_name='config')
local_resource('setup', 'x')
`, map[string]string{"all.yaml": yaml, "Dockerfile": "FROM scratch\n"})
	doc := mustOK(t, r)
	res := resources(doc)
	fe := res["frontend"]
	if fe == nil || fe["kind"] != "k8s" {
		t.Fatalf("resources %v", res)
	}
	eqStrs(t, "objects", fe["objects"], "web:deployment:", "web:service:")
	eqStrs(t, "image_deps from YAML", fe["image_deps"], "my/web")
	eqStrs(t, "labels", fe["labels"], "fe")
	eqStrs(t, "config objects", res["config"]["objects"], "settings:configmap:apps")
	if _, ok := res["uncategorized"]; ok {
		t.Fatalf("all objects were claimed: %v", res["uncategorized"])
	}
	if len(doc["warnings"].([]interface{})) != 0 {
		t.Fatalf("used image must not warn: %v", doc["warnings"])
	}
	r, _ = evalTiltfile(t, "k8s_resource('ghost', port_forwards=8080)\n", nil)
	mustFail(t, r, `k8s_resource specified unknown resource "ghost"`)
}

func TestUnusedImageWarning(t *testing.T) {
	df := map[string]string{"Dockerfile": "FROM scratch\n"}
	r, _ := evalTiltfile(t, "docker_build('orphan', '.')\ndocker_build('other', '.')\nk8s_custom_deploy('a', 'x', 'y', [])\n", df)
	w := strs(mustOK(t, r)["warnings"])
	if len(w) != 1 || !strings.Contains(w[0], "Image not used in any Kubernetes config:\n    ✕ orphan\n") {
		t.Fatalf("one warning, for the first unused image (tiltfile_state.go:642-664): %q", w)
	}
	r, _ = evalTiltfile(t, "docker_build('orphan', '.')\n", df)
	if w := strs(mustOK(t, r)["warnings"]); len(w) != 1 || !strings.HasPrefix(w[0], "We could not find any deployment instructions") {
		t.Fatalf("no deploy config at all: %q", w)
	}
	r, _ = evalTiltfile(t, "update_settings(suppress_unused_image_warnings=['orphan'])\ndocker_build('orphan', '.')\n", df)
	if w := mustOK(t, r)["warnings"].([]interface{}); len(w) != 0 {
		t.Fatalf("suppressed, got %v", w)
	}
}

func TestEncodingRoundTrip(t *testing.T) {
	r, _ := evalTiltfile(t, `
d = decode_yaml('b: 1\na: [x, {y: true}]\nc: null\n')
print(list(d.keys()), d['a'][1]['y'], d['c'])
print(str(encode_json({'b': 1, 'a': 'x'})))
print(str(encode_yaml({'k': ['v']})))
print(len(decode_yaml_stream('a: 1\n---\nb: 2\n')), decode_json('{"z": [1, 2.5]}'))
print(read_yaml('missing.yaml', default={'d': 1}), str(read_file('missing.txt', default='dflt')))
`, nil)
	p := strs(mustOK(t, r)["prints"])
	want := []string{`["b", "a", "c"] True None`, "{\n  \"a\": \"x\",\n  \"b\": 1\n}\n", "k:\n  - v\n", `2 {"z": [1, 2.5]}`, `{"d": 1} dflt`}
	for i := range want {
		if p[i] != want[i] {
			t.Fatalf("print %d: got %q want %q", i, p[i], want[i])
		}
	}
	r, _ = evalTiltfile(t, "decode_yaml('a: 1\\n---\\nb: 2\\n')\n", nil)
	mustFail(t, r, "use decode_yaml_stream")
	r, _ = evalTiltfile(t, "read_file('missing.txt')\n", nil)
	mustFail(t, r, "no such file or directory")
}

// Every top-level key of the output schema is present, with the documented types.
func TestOutputSchema(t *testing.T) {
	r, _ := evalTiltfile(t, "local_resource('a', 'x')\n", nil)
	doc := mustOK(t, r)
	lists := []string{"resources", "images", "buttons", "enabled", "local_calls", "warnings", "prints", "k8s_objects", "loaded_files", "watched_files", "tilt_args"}
	for _, k := range lists {
		if _, ok := doc[k].([]interface{}); !ok {
			t.Fatalf("%s must be a list, got %T", k, doc[k])
		}
	}
	for _, k := range []string{"settings", "api_objects"} {
		if _, ok := doc[k].(map[string]interface{}); !ok {
			t.Fatalf("%s must be an object, got %T", k, doc[k])
		}
	}
	res := doc["resources"].([]interface{})[0].(map[string]interface{})
	for _, k := range []string{"name", "kind", "cmd", "serve_cmd", "apply_cmd", "delete_cmd", "env", "serve_env", "deps",
		"resource_deps", "labels", "trigger_mode", "auto_init", "links", "image_deps", "readiness"} {
		if _, ok := res[k]; !ok {
			t.Fatalf("resource lacks %s: %v", k, res)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	var out, errb strings.Builder
	for _, args := range [][]string{{}, {"--local", "maybe", "T"}, {"--subcommand", "run", "T"}, {"--bogus", "T"}, {"/nonexistent/Tiltfile"}} {
		out.Reset()
		errb.Reset()
		if code := run(args, &out, &errb); code != 2 {
			t.Fatalf("%v: want exit 2, got %d (%s)", args, code, errb.String())
		}
	}
}
