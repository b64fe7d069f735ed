package main

import (
	"strings"
	"testing"
)

// Files every signature case can refer to.
var sigFiles = map[string]string{
	"data.yaml":        "a: 1\nb: [x, y]\n",
	"data.json":        `{"a": 1, "b": ["x"]}`,
	"f.txt":            "hello\n",
	"lib/Tiltfile":     "x = 1\n",
	"deploy.yaml":      "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n",
	"chart/Chart.yaml": "name: c\n",
	"Dockerfile":       "FROM scratch\n",
	"repo/.git/HEAD":   "ref: refs/heads/main\n",
}

// sigCase: ok is a call Tilt accepts; missing omits a required argument ("" if
// there is none); wrong passes a value of a type Tilt rejects. An unknown
// keyword argument is added to ok automatically. setup runs before each call,
// after (if any) right after it, with the call's value in x: live update
// steps must be used, or Tilt fails the load (live_update.go:356).
type sigCase struct {
	setup, ok, missing, wrong string
}

// sigAfter: what runs after the call, by case.
var sigAfter = map[string]string{"sync": useSteps, "run": useSteps,
	"fall_back_on":      "docker_build('img', '.', live_update=[x, sync('.', '/app')])",
	"initial_sync":      "docker_build('img', '.', live_update=[x, sync('.', '/app')])",
	"restart_container": "docker_build('img', '.', live_update=[sync('.', '/app'), x])"}

const useSteps = "docker_build('img', '.', live_update=[x])"

var sigCases = map[string]sigCase{
	"local_resource":                 {"", `local_resource('a', 'echo', ['.'], TRIGGER_MODE_MANUAL, [], ['*.tmp'], False, 'srv', labels=['l'], env={'A': 'b'}, serve_env={}, readiness_probe=probe(exec=exec_action(['true'])), dir='.', serve_dir='.', links=['http://x'], allow_parallel=True)`, `local_resource(cmd='x')`, `local_resource('a', cmd='x', trigger_mode='manual')`},
	"local_resource_env":             {"", `local_resource('a', serve_cmd=['x'], serve_env={'K': 'V'})`, ``, `local_resource('a', cmd='x', env=['K=V'])`},
	"local_resource_labels":          {"", `local_resource('a', cmd='x', labels='one')`, ``, `local_resource('a', cmd='x', labels=[1])`},
	"docker_build":                   {"", `docker_build('img', '.', {'A': 'b'}, 'Dockerfile', live_update=[sync('.', '/app')], only=['src'], ignore='*.md', target='t', entrypoint=['x'], pull=True)`, `docker_build('img')`, `docker_build('img', '.', build_args=['A=b'])`},
	"custom_build":                   {"custom_build('base', 'make', ['.'])", `custom_build('img', 'make', ['.'], tag='dev', disable_push=True, skips_local_docker=True, env={'A': 'b'}, dir='.', image_deps=['base'])`, `custom_build('img', 'make')`, `custom_build('img', 'make', ['.'], disable_push='yes')`},
	"k8s_custom_deploy":              {"docker_build('img', '.')", `k8s_custom_deploy('app', ['apply'], 'delete', ['.'], apply_env={'A': 'b'}, apply_dir='.', delete_env={}, delete_dir='.', image_deps=['img'])`, `k8s_custom_deploy('app', 'apply', 'delete')`, `k8s_custom_deploy('app', 'apply', 'delete', ['.'], apply_env=['A=b'])`},
	"k8s_resource":                   {"k8s_custom_deploy('app', 'a', 'd', [])", `k8s_resource('app', port_forwards=[8080, '9000:80', port_forward(1, 2, name='n')], resource_deps=[], labels=['x'], links=[link('http://x', 'x')], trigger_mode=TRIGGER_MODE_AUTO, auto_init=False, pod_readiness='ignore', extra_pod_selectors={'a': 'b'}, discovery_strategy='selectors-only')`, ``, `k8s_resource('app', resource_deps='b')`},
	"k8s_yaml":                       {"", `k8s_yaml('deploy.yaml', allow_duplicates=True)`, `k8s_yaml()`, `k8s_yaml(5)`},
	"helm":                           {"", `helm('chart', name='r', namespace='n', values=['v.yaml'], set=['a=b'], kube_version='1.30', skip_crds=True)`, `helm()`, `helm('chart', set={'a': 'b'})`},
	"default_registry":               {"", `default_registry('localhost:5000', host_from_cluster='registry:5000', single_name='dev')`, `default_registry()`, `default_registry(5000)`},
	"allow_k8s_contexts":             {"", `allow_k8s_contexts(['a', 'b'])`, `allow_k8s_contexts()`, `allow_k8s_contexts(1)`},
	"version_settings":               {"", `version_settings(True, '>=0.33.0')`, ``, `version_settings(constraint=33)`},
	"secret_settings":                {"", `secret_settings(disable_scrub=True)`, `secret_settings()`, `secret_settings(disable_scrub='yes')`},
	"watch_settings":                 {"", `watch_settings(ignore=['*.log'])`, ``, `watch_settings(ignore=1)`},
	"enable_feature":                 {"", `enable_feature(msg='cluster_refresh')`, `enable_feature()`, `enable_feature(5)`},
	"disable_feature":                {"", `disable_feature('snapshots')`, `disable_feature()`, `disable_feature(5)`},
	"k8s_image_json_path":            {"", `k8s_image_json_path('{.spec.image}', api_version='x/v1', kind='Env', name='n', namespace='ns')`, `k8s_image_json_path(kind='Env')`, `k8s_image_json_path(5, kind='Env')`},
	"k8s_kind":                       {"", `k8s_kind('Env', image_json_path='{.spec.image}', api_version='x/v1', pod_readiness='ignore')`, `k8s_kind()`, `k8s_kind('Env', pod_readiness=1)`},
	"workload_to_resource_function":  {"", `workload_to_resource_function(func=lambda id: id.name)`, `workload_to_resource_function()`, `workload_to_resource_function(5)`},
	"local_git_repo":                 {"", `local_git_repo('repo').paths('a')`, `local_git_repo()`, `local_git_repo(5)`},
	"config.define_object":           {"", `config.define_object('o', usage='u')`, `config.define_object()`, `config.define_object('o', args='no')`},
	"docker_prune_settings":          {"", `docker_prune_settings(True, 60, 0, 2, 3)`, ``, `docker_prune_settings(max_age_mins='1h')`},
	"update_settings":                {"", `update_settings(max_parallel_updates=2, k8s_upsert_timeout_secs=60, suppress_unused_image_warnings='*', k8s_server_side_apply='false')`, ``, `update_settings(max_parallel_updates='2')`},
	"local":                          {"", `local('echo hi', quiet=True, command_bat='x', echo_off=True, env={'A': 'b'}, dir='.', stdin='in')`, `local()`, `local(5)`},
	"read_file":                      {"", `read_file('f.txt', default='d')`, `read_file()`, `read_file(5)`},
	"read_yaml":                      {"", `read_yaml('data.yaml', default={})`, `read_yaml()`, `read_yaml(5)`},
	"read_yaml_stream":               {"", `read_yaml_stream('data.yaml')`, `read_yaml_stream()`, `read_yaml_stream(5)`},
	"read_json":                      {"", `read_json('data.json', default=None)`, `read_json()`, `read_json(5)`},
	"decode_yaml":                    {"", `decode_yaml('a: 1')`, `decode_yaml()`, `decode_yaml(5)`},
	"decode_yaml_stream":             {"", `decode_yaml_stream(blob('a: 1\n---\nb: 2\n'))`, `decode_yaml_stream()`, `decode_yaml_stream([])`},
	"decode_json":                    {"", `decode_json('{"a": 1}')`, `decode_json()`, `decode_json(5)`},
	"encode_json":                    {"", `encode_json({'a': [1, True, None, 'x']})`, `encode_json()`, `encode_json({1: 2})`},
	"encode_yaml":                    {"", `encode_yaml({'a': [1, 2]})`, `encode_yaml()`, `encode_yaml({1: 2})`},
	"encode_yaml_stream":             {"", `encode_yaml_stream([{'a': 1}, {'b': 2}])`, `encode_yaml_stream()`, `encode_yaml_stream({'a': 1})`},
	"watch_file":                     {"", `watch_file('f.txt')`, `watch_file()`, `watch_file(5)`},
	"listdir":                        {"", `listdir('.', recursive=True)`, `listdir()`, `listdir('.', recursive='yes')`},
	"blob":                           {"", `blob('text')`, `blob()`, `blob(5)`},
	"warn":                           {"", `warn('careful')`, `warn()`, `warn(5)`},
	"load_dynamic":                   {"", `load_dynamic('lib/Tiltfile')`, `load_dynamic()`, `load_dynamic(5)`},
	"include":                        {"", `include('lib/Tiltfile')`, `include()`, `include(5)`},
	"sync":                           {"", `sync('.', '/app')`, `sync('.')`, `sync('.', 5)`},
	"run":                            {"", `run(['make'], trigger=['x'], echo_off=True)`, `run()`, `run({'a': 1})`},
	"fall_back_on":                   {"", `fall_back_on(paths=['package.json'])`, `fall_back_on()`, `fall_back_on(5)`},
	"initial_sync":                   {"", `initial_sync()`, ``, `initial_sync(5)`},
	"restart_container":              {"", `restart_container()`, ``, `restart_container(5)`},
	"link":                           {"", `link('http://x', 'name')`, `link()`, `link(5)`},
	"port_forward":                   {"", `port_forward(8080, 80, name='web', link_path='/x', host='h')`, `port_forward()`, `port_forward('8080')`},
	"probe":                          {"", `probe(1, 2, 3, 1, 3, http_get=http_get_action(8080, path='/healthz'))`, ``, `probe(period_secs='10', exec=exec_action(['true']))`},
	"exec_action":                    {"", `exec_action(['true'])`, `exec_action()`, `exec_action('true')`},
	"http_get_action":                {"", `http_get_action(80, 'localhost', 'http', '/')`, `http_get_action()`, `http_get_action('80')`},
	"tcp_socket_action":              {"", `tcp_socket_action(80, host='h')`, `tcp_socket_action()`, `tcp_socket_action('80')`},
	"k8s_context":                    {"", `k8s_context()`, ``, `k8s_context(1)`},
	"k8s_namespace":                  {"", `k8s_namespace()`, ``, `k8s_namespace(1)`},
	"fail":                           {"", ``, `fail()`, ``},
	"trigger_mode":                   {"", `trigger_mode(TRIGGER_MODE_MANUAL)`, `trigger_mode()`, `trigger_mode(1)`},
	"ci_settings":                    {"", `ci_settings(timeout='10m')`, ``, `ci_settings(timeout=10)`},
	"filter_yaml":                    {"", `filter_yaml('deploy.yaml', kind='deployment', name='^web$')`, `filter_yaml()`, `filter_yaml('deploy.yaml', labels=['a'])`},
	"config.define_string":           {"", `config.define_string('s', args=False, usage='u')`, `config.define_string()`, `config.define_string('s', args='no')`},
	"config.define_string_list":      {"", `config.define_string_list('l', True, 'u')`, `config.define_string_list()`, `config.define_string_list(5)`},
	"config.define_bool":             {"", `config.define_bool('b')`, `config.define_bool()`, `config.define_bool('b', usage=5)`},
	"config.parse":                   {"", `config.parse()`, ``, `config.parse(1)`},
	"config.set_enabled_resources":   {"", `config.set_enabled_resources([])`, `config.set_enabled_resources()`, `config.set_enabled_resources(5)`},
	"config.clear_enabled_resources": {"", `config.clear_enabled_resources()`, ``, `config.clear_enabled_resources(1)`},
	"os.getenv":                      {"", `os.getenv('HOME', 'x')`, `os.getenv()`, `os.getenv(5)`},
	"os.putenv":                      {"", `os.putenv('K', 'V')`, `os.putenv('K')`, `os.putenv('K', 5)`},
	"os.getcwd":                      {"", `os.getcwd()`, ``, `os.getcwd(1)`},
	"os.path.join":                   {"", `os.path.join('a', 'b')`, ``, `os.path.join('a', 5)`},
	"os.path.exists":                 {"", `os.path.exists('f.txt')`, `os.path.exists()`, `os.path.exists(5)`},
	"os.path.abspath":                {"", `os.path.abspath('f.txt')`, `os.path.abspath()`, `os.path.abspath(5)`},
	"os.path.basename":               {"", `os.path.basename('a/b')`, `os.path.basename()`, `os.path.basename(5)`},
	"os.path.dirname":                {"", `os.path.dirname('a/b')`, `os.path.dirname()`, `os.path.dirname(5)`},
	"os.path.relpath":                {"", `os.path.relpath('a/b', '.')`, `os.path.relpath()`, `os.path.relpath(5)`},
	"shlex.quote":                    {"", `shlex.quote("it's")`, `shlex.quote()`, `shlex.quote(5)`},
	"v1alpha1.ui_button":             {"", `v1alpha1.ui_button(name='b', text='Run', location={'component_type': 'Resource', 'component_id': 'app'}, icon_name='play_arrow', requires_confirmation=True, inputs=[v1alpha1.ui_input_spec(name='x', text=v1alpha1.ui_text_input_spec(default_value='1')), {'name': 'y', 'bool': v1alpha1.ui_bool_input_spec(default_value=True)}, {'name': 'z', 'choice': v1alpha1.ui_choice_input_spec(choices=['a', 'b'])}])`, `v1alpha1.ui_button(text='Run')`, `v1alpha1.ui_button(name='b', text='Run', location={'component_type': 'Global', 'component_id': 'nav'}, requires_confirmation='yes')`},
	"v1alpha1.cmd":                   {"", `v1alpha1.cmd(name='c', args=['make'], dir='.', env=['A=b'], labels={'a': 'b'}, annotations={}, start_on=v1alpha1.start_on_spec(ui_buttons=['b']), restart_on=v1alpha1.restart_on_spec(ui_buttons=['b']))`, `v1alpha1.cmd(args=['x'])`, `v1alpha1.cmd(name='c', args='make')`},
	"v1alpha1.extension_repo":        {"", `v1alpha1.extension_repo(name='r', url='file:///tmp', ref='main')`, `v1alpha1.extension_repo(url='file:///tmp')`, `v1alpha1.extension_repo(name='r', url=5)`},
	"v1alpha1.extension":             {"", `v1alpha1.extension(name='e', repo_name='r', repo_path='p', args=['--x'])`, `v1alpha1.extension(repo_name='r')`, `v1alpha1.extension(name='e', args='x')`},
	"v1alpha1.start_on_spec":         {"", `v1alpha1.start_on_spec(ui_buttons=['b'])`, ``, `v1alpha1.start_on_spec(ui_buttons='b')`},
	"v1alpha1.ui_text_input_spec":    {"", `v1alpha1.ui_text_input_spec(default_value='a', placeholder='p')`, ``, `v1alpha1.ui_text_input_spec(default_value=1)`},
	"v1alpha1.ui_bool_input_spec":    {"", `v1alpha1.ui_bool_input_spec(default_value=True, true_string='y', false_string='n')`, ``, `v1alpha1.ui_bool_input_spec(default_value='yes')`},
	"v1alpha1.ui_choice_input_spec":  {"", `v1alpha1.ui_choice_input_spec(choices=['a'])`, ``, `v1alpha1.ui_choice_input_spec(choices=[1])`},
	"v1alpha1.ui_input_spec":         {"", `v1alpha1.ui_input_spec(name='x', label='X', hidden=v1alpha1.ui_hidden_input_spec(value='v'))`, ``, `v1alpha1.ui_input_spec(name='x', text={'default': 'a'})`},
}

// addUnknownKwarg inserts bogus_kw=1 before the final ')' of the call.
func addUnknownKwarg(call string) string {
	i := strings.LastIndex(call, ")")
	if strings.HasSuffix(strings.TrimSpace(call[:i]), "(") {
		return call[:i] + "bogus_kw=1)"
	}
	return call[:i] + ", bogus_kw=1)"
}

func TestSignatures(t *testing.T) {
	for name, c := range sigCases {
		name, c := name, c
		run := func(t *testing.T, call string) result {
			r, _ := evalTiltfile(t, c.setup+"\n"+"x = "+call+"\n"+sigAfter[name]+"\n", sigFiles, "--local", "record", "--context", "kind-x")
			return r
		}
		if c.ok != "" {
			t.Run(name+"/accepts", func(t *testing.T) { mustOK(t, run(t, c.ok)) })
			t.Run(name+"/unknown_kwarg", func(t *testing.T) {
				mustFail(t, run(t, addUnknownKwarg(c.ok)), `unexpected keyword argument "bogus_kw"`, "Tiltfile:2:")
			})
		}
		if c.missing != "" {
			t.Run(name+"/missing_arg", func(t *testing.T) {
				r := run(t, c.missing)
				mustFail(t, r, "Tiltfile:2:")
				if !strings.Contains(r.stderr, "missing argument for") && !strings.Contains(r.stderr, "got 0 arguments") {
					t.Fatalf("not a missing-argument error:\n%s", r.stderr)
				}
			})
		}
		if c.wrong != "" {
			t.Run(name+"/wrong_type", func(t *testing.T) {
				r := run(t, c.wrong)
				mustFail(t, r, "Tiltfile:2:")
				low := strings.ToLower(r.stderr)
				for _, hint := range []string{"want", "expected", "must be", "should be", "unsupported", "only string keys", "should contain", "got "} {
					if strings.Contains(low, hint) {
						return
					}
				}
				t.Fatalf("not a type error:\n%s", r.stderr)
			})
		}
	}
}

// Positional-ness follows Tilt: these parameters take positional arguments in
// Tilt's order, and keyword-only ones reject extra positionals.
func TestPositionalOrder(t *testing.T) {
	doc := mustOK(t, func() result {
		r, _ := evalTiltfile(t, `
local_resource('a', 'echo a', 'src', TRIGGER_MODE_MANUAL, [], 'ignored', False, 'serve')
k8s_custom_deploy('app', 'apply', 'delete', 'src', 'img')
docker_build('img', 'ctx', {'A': '1'}, 'other.Dockerfile')
`, map[string]string{"other.Dockerfile": "FROM scratch\n"}, "--local", "record")
		return r
	}())
	a := resources(doc)["a"]
	eqStrs(t, "cmd", a["cmd"], "sh", "-c", "echo a")
	eqStrs(t, "serve_cmd", a["serve_cmd"], "sh", "-c", "serve")
	if a["trigger_mode"] != "manual" || a["auto_init"] != false {
		t.Fatalf("positional trigger_mode/auto_init not taken: %v", a)
	}
	if !strings.HasSuffix(strs(a["deps"])[0], "/src") || !strings.HasSuffix(strs(a["ignore"])[0], "ignored") {
		t.Fatalf("deps/ignore: %v %v", a["deps"], a["ignore"])
	}
	app := resources(doc)["app"]
	if app["image_selector"] != "img" {
		t.Fatalf("image_selector: %v", app["image_selector"])
	}
	img := doc["images"].([]interface{})[0].(map[string]interface{})
	if !strings.HasSuffix(img["dockerfile"].(string), "/other.Dockerfile") || img["build_args"].(map[string]interface{})["A"] != "1" {
		t.Fatalf("docker_build positionals: %v", img)
	}
	r, _ := evalTiltfile(t, "local_resource('a', 'x', None, TRIGGER_MODE_AUTO, [], [], True, '', '', '', False, [], [], {}, {}, None, '', '', 'extra')\n", nil)
	mustFail(t, r, "got 19 arguments, want at most 18")
}
