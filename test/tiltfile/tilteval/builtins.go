package main

// Top-level builtins other than the resource-declaring ones: local(), file
// reading, encoding, settings, messages.

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"
)

var errExit = errors.New("exit() called")

type builtinFn func(*starlark.Thread, *starlark.Builtin, starlark.Tuple, []starlark.Tuple) (starlark.Value, error)

func (s *state) builtins() starlark.StringDict {
	fns := map[string]builtinFn{
		// resources and images
		"local_resource":    s.localResource,
		"test":              s.localResource, // deprecated fork (local_resource.go:19-20, 56-60)
		"k8s_custom_deploy": s.k8sCustomDeploy,
		"k8s_resource":      s.k8sResource,
		"k8s_yaml":          s.k8sYaml,
		"docker_build":      s.dockerBuild,
		"custom_build":      s.customBuild,
		"sync":              s.sync,
		"run":               s.run,
		"fall_back_on":      s.fallBackOn,
		"initial_sync":      s.initialSync,
		"restart_container": s.restartContainer,
		"link":              s.link,
		"port_forward":      s.portForward,
		"probe":             s.probe,
		"exec_action":       s.execAction,
		"http_get_action":   s.httpGetAction,
		"tcp_socket_action": s.tcpSocketAction,
		// host access
		"local":            s.local,
		"helm":             s.helm,
		"read_file":        s.readFileBuiltin,
		"read_json":        s.readJSON,
		"read_yaml":        s.readYAML,
		"read_yaml_stream": s.readYAMLStream,
		"watch_file":       s.watchFile,
		"listdir":          s.listdir,
		"k8s_context":      s.k8sContext,
		"k8s_namespace":    s.k8sNamespace,
		"filter_yaml":      s.filterYAML,
		// encoding
		"blob":               s.blob,
		"decode_json":        s.decodeJSON,
		"encode_json":        s.encodeJSON,
		"decode_yaml":        s.decodeYAML,
		"decode_yaml_stream": s.decodeYAMLStream,
		"encode_yaml":        s.encodeYAML,
		"encode_yaml_stream": s.encodeYAMLStream,
		// loading
		"load_dynamic": s.loadDynamic,
		"include":      s.include,
		// settings
		"default_registry":              s.defaultRegistry,
		"allow_k8s_contexts":            s.allowK8sContexts,
		"version_settings":              s.versionSettings,
		"secret_settings":               s.secretSettings,
		"watch_settings":                s.watchSettings,
		"docker_prune_settings":         s.dockerPruneSettings,
		"update_settings":               s.updateSettings,
		"ci_settings":                   s.ciSettings,
		"trigger_mode":                  s.triggerModeBuiltin,
		"set_team":                      s.setTeam,
		"enable_feature":                s.setFeature(true),
		"disable_feature":               s.setFeature(false),
		"k8s_image_json_path":           s.k8sImageJSONPath,
		"local_git_repo":                s.localGitRepo,
		"disable_snapshots":             s.disableSnapshots,
		"analytics_settings":            s.analyticsSettings,
		"k8s_kind":                      s.k8sKind,
		"workload_to_resource_function": s.workloadToResourceFunction,
		// messages
		"fail": s.fail,
		"warn": s.warn,
		"exit": s.exit,
		// not modelled: fail clearly rather than silently
		"docker_compose": s.unsupported,
		"dc_resource":    s.unsupported,
		"kustomize":      s.unsupported,
	}
	d := starlark.StringDict{}
	for name, fn := range fns {
		d[name] = starlark.NewBuiltin(name, fn)
	}
	d["struct"] = starlark.NewBuiltin("struct", starlarkstruct.Make)
	d["TRIGGER_MODE_AUTO"] = triggerAuto
	d["TRIGGER_MODE_MANUAL"] = triggerManual
	d["config"] = s.configModule()
	d["os"] = s.osModule()
	d["shlex"] = s.shlexModule()
	d["sys"] = s.sysModule()
	d["v1alpha1"] = s.v1alpha1Module()
	return d
}

func (s *state) unsupported(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	return nil, fmt.Errorf("%s is not supported by tilt-eval (see test/tiltfile/README.md)", fn.Name())
}

func (s *state) noArgs(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	return starlark.None, unpackArgs(fn.Name(), args, kwargs)
}

// ---- messages -------------------------------------------------------------

func (s *state) fail(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var msg starlark.Value
	if err := unpackArgs(fn.Name(), args, kwargs, "msg", &msg); err != nil {
		return nil, err
	}
	if str, ok := asString(msg); ok {
		return nil, errors.New(str)
	}
	return nil, errors.New(msg.String())
}

func (s *state) warn(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var msg string
	if err := unpackArgs(fn.Name(), args, kwargs, "msg", &msg); err != nil {
		return nil, err
	}
	s.warnings = append(s.warnings, msg)
	return starlark.None, nil
}

func (s *state) exit(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var code starlark.Value = starlark.None
	if err := unpackArgs(fn.Name(), args, kwargs, "code?", &code); err != nil { // print/print.go:64
		return nil, err
	}
	if str, ok := asString(code); ok {
		s.prints = append(s.prints, str)
	} else if code != starlark.None {
		s.prints = append(s.prints, code.String())
	}
	s.exited = true
	return nil, errExit
}

// ---- local() and helm() ---------------------------------------------------

// runHost runs argv (or records it) and returns stdout. With --local record
// nothing runs and the output is empty.
func (s *state) runHost(what string, argv []string, shellText *string, env map[string]string, dir string, stdin *string, quiet, echoOff bool) (string, error) {
	call := map[string]interface{}{
		"function": what, "argv": argv, "command": nil, "env": env, "dir": dir,
		"stdin": nil, "quiet": quiet, "echo_off": echoOff, "mode": s.opts.localMode, "exit_code": nil,
	}
	if shellText != nil {
		call["command"] = *shellText
	}
	if stdin != nil {
		call["stdin"] = *stdin
	}
	s.localCalls = append(s.localCalls, call)
	if s.opts.localMode == "record" {
		return "", nil
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	environ := s.environ()
	keys := make([]string, 0, len(env))
	for k := range env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		environ = append(environ, k+"="+env[k])
	}
	cmd.Env = environ
	if stdin != nil {
		cmd.Stdin = strings.NewReader(*stdin)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if cmd.ProcessState != nil {
		code = cmd.ProcessState.ExitCode()
	}
	call["exit_code"] = code
	if err != nil {
		shown := strings.Join(argv, " ")
		if shellText != nil {
			shown = *shellText
		}
		return "", fmt.Errorf("command %q failed.\nerror: %v\nstdout:\n%s\nstderr:\n%s", shown, err, stdout.String(), stderr.String())
	}
	return stdout.String(), nil
}

func (s *state) local(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	// local() is wrapped by potentiallyK8sUnsafeBuiltin (tiltfile_state.go:
	// 482-510, 549): on a context that is neither a dev cluster nor allowed
	// by an earlier allow_k8s_contexts(), it refuses to run.
	if !s.contextAllowed() {
		return nil, fmt.Errorf("Refusing to run '%s' because %s might be a production kube context.\nIf you're sure you want to continue add:\n\tallow_k8s_contexts('%s')\nbefore this function call in your Tiltfile. Otherwise, switch k8s contexts and restart Tilt.", fn.Name(), s.opts.context, s.opts.context)
	}
	var command, commandBat cmdArg
	quiet, echoOff := false, false
	var env stringStringMap
	dir := pathArg{st: s, noneOK: true}
	var stdin starlark.Value = starlark.None
	if err := unpackArgs(fn.Name(), args, kwargs,
		"command", &command,
		"quiet?", &quiet,
		"command_bat?", &commandBat,
		"echo_off?", &echoOff,
		"env?", &env,
		"dir?", &dir,
		"stdin?", &stdin,
	); err != nil {
		return nil, err
	}
	if len(command.argv) == 0 {
		return nil, fmt.Errorf("empty cmd")
	}
	shellText := command.shell
	var stdinText *string
	if stdin != starlark.None {
		str, ok := asString(stdin)
		if !ok {
			return nil, fmt.Errorf("%s: for parameter stdin: got %s, want string, Blob or None", fn.Name(), stdin.Type())
		}
		stdinText = &str
	}
	out, err := s.runHost("local", command.argv, shellText, env.orEmpty(), dir.or(s.curDir()), stdinText, quiet, echoOff)
	if err != nil {
		return nil, err
	}
	return newBlob(out, "local: "+strings.Join(command.argv, " ")), nil
}

func (s *state) helm(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	chart := pathArg{st: s}
	var name, namespace, kubeVersion string
	var values, set stringOrStringList
	skipCRDs := false
	if err := unpackArgs(fn.Name(), args, kwargs,
		"paths", &chart,
		"name?", &name,
		"namespace?", &namespace,
		"values?", &values,
		"set?", &set,
		"kube_version?", &kubeVersion,
		"skip_crds?", &skipCRDs,
	); err != nil {
		return nil, err
	}
	release := name
	if release == "" {
		release = "chart"
	}
	argv := []string{"helm", "template", release, chart.value}
	if !skipCRDs {
		argv = append(argv, "--include-crds")
	}
	if namespace != "" {
		argv = append(argv, "--namespace", namespace)
	}
	for _, v := range values.values {
		argv = append(argv, "--values", s.absPath(v))
	}
	for _, v := range set.values {
		argv = append(argv, "--set", v)
	}
	if kubeVersion != "" {
		argv = append(argv, "--kube-version", kubeVersion)
	}
	s.watched = append(s.watched, chart.value)
	out, err := s.runHost("helm", argv, nil, map[string]string{}, s.curDir(), nil, false, false)
	if err != nil {
		return nil, err
	}
	return newBlob(out, "helm: "+chart.value), nil
}

// ---- files ----------------------------------------------------------------

func (s *state) readFile(p string) ([]byte, error) {
	s.watched = append(s.watched, p)
	return os.ReadFile(p)
}

// readWithDefault reads path; if it does not exist and def is given, ok=false.
func (s *state) readWithDefault(fnName string, args starlark.Tuple, kwargs []starlark.Tuple, pathName string) (text string, def starlark.Value, missing bool, err error) {
	p := pathArg{st: s}
	def = starlark.None
	if err = unpackArgs(fnName, args, kwargs, pathName, &p, "default?", &def); err != nil {
		return
	}
	b, rerr := s.readFile(p.value)
	if rerr != nil {
		if os.IsNotExist(rerr) && def != starlark.None {
			return "", def, true, nil
		}
		return "", def, false, rerr
	}
	return string(b), def, false, nil
}

func (s *state) readFileBuiltin(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	// read_file(paths=, default=): io/io.go:68
	text, def, missing, err := s.readWithDefault(fn.Name(), args, kwargs, "paths")
	if err != nil {
		return nil, err
	}
	if missing {
		str, ok := asString(def)
		if !ok {
			return nil, fmt.Errorf("%s: for parameter default: got %s, want string", fn.Name(), def.Type())
		}
		return newBlob(str, "default"), nil
	}
	return newBlob(text, "file"), nil
}

func (s *state) readJSON(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	// read_json(paths=, default=): encoding/json.go:22
	text, def, missing, err := s.readWithDefault(fn.Name(), args, kwargs, "paths")
	if err != nil {
		return nil, err
	}
	if missing {
		return def, nil
	}
	return decodeJSONText(t, text)
}

func (s *state) readYAML(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	// read_yaml(paths=, default=): encoding/yaml.go:66
	text, def, missing, err := s.readWithDefault(fn.Name(), args, kwargs, "paths")
	if err != nil {
		return nil, err
	}
	if missing {
		return def, nil
	}
	return decodeYAMLDoc(text)
}

func (s *state) readYAMLStream(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	// read_yaml_stream(paths=, default=): encoding/yaml.go:56
	text, def, missing, err := s.readWithDefault(fn.Name(), args, kwargs, "paths")
	if err != nil {
		return nil, err
	}
	if missing {
		return def, nil
	}
	return decodeYAMLStreamStarlark(text)
}

func (s *state) watchFile(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	p := pathArg{st: s}
	if err := unpackArgs(fn.Name(), args, kwargs, "paths", &p); err != nil { // io/io.go:86
		return nil, err
	}
	s.watched = append(s.watched, p.value)
	return starlark.None, nil
}

func (s *state) listdir(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	dir := pathArg{st: s}
	recursive := false
	if err := unpackArgs(fn.Name(), args, kwargs, "dir", &dir, "recursive?", &recursive); err != nil { // io/io.go:103
		return nil, err
	}
	var files []starlark.Value
	err := filepath.WalkDir(dir.value, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != dir.value && !recursive {
				return filepath.SkipDir
			}
			return nil
		}
		files = append(files, starlark.String(p))
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.watched = append(s.watched, dir.value)
	return starlark.NewList(files), nil
}

func (s *state) k8sContext(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := unpackArgs(fn.Name(), args, kwargs); err != nil {
		return nil, err
	}
	return starlark.String(s.opts.context), nil
}

func (s *state) k8sNamespace(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := unpackArgs(fn.Name(), args, kwargs); err != nil {
		return nil, err
	}
	return starlark.String(s.opts.namespace), nil
}

func (s *state) filterYAML(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var yamlVal starlark.Value
	var labels stringStringMap
	var name, namespace, kind, apiVersion string
	if err := unpackArgs(fn.Name(), args, kwargs, "yaml", &yamlVal, "labels?", &labels, "name?", &name,
		"namespace?", &namespace, "kind?", &kind, "api_version?", &apiVersion); err != nil {
		return nil, err
	}
	var text string
	switch x := yamlVal.(type) {
	case Blob:
		text = x.text
	case starlark.String:
		b, err := s.readFile(s.absPath(string(x)))
		if err != nil {
			return nil, err
		}
		text = string(b)
	default:
		return nil, fmt.Errorf("%s: yaml must be a path or a Blob, got %s", fn.Name(), yamlVal.Type())
	}
	docs, err := decodeYAMLStreamGo(text)
	if err != nil {
		return nil, err
	}
	compile := func(expr string) (*regexp.Regexp, error) {
		if expr == "" {
			return nil, nil
		}
		return regexp.Compile("(?i)" + expr)
	}
	res := map[string]*regexp.Regexp{}
	for k, expr := range map[string]string{"name": name, "namespace": namespace, "kind": kind, "api_version": apiVersion} {
		re, err := compile(expr)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %v", fn.Name(), k, err)
		}
		res[k] = re
	}
	var match, rest []interface{}
	for _, d := range docs {
		m, _ := d.(map[string]interface{})
		meta, _ := m["metadata"].(map[string]interface{})
		field := map[string]string{}
		field["name"], _ = meta["name"].(string)
		field["namespace"], _ = meta["namespace"].(string)
		field["kind"], _ = m["kind"].(string)
		field["api_version"], _ = m["apiVersion"].(string)
		ok := true
		for k, re := range res {
			if re != nil && !re.MatchString(field[k]) {
				ok = false
			}
		}
		objLabels, _ := meta["labels"].(map[string]interface{})
		for k, v := range labels.m {
			if got, _ := objLabels[k].(string); got != v {
				ok = false
			}
		}
		if ok {
			match = append(match, d)
		} else {
			rest = append(rest, d)
		}
	}
	a, err := encodeYAMLStreamGo(match)
	if err != nil {
		return nil, err
	}
	b, err := encodeYAMLStreamGo(rest)
	if err != nil {
		return nil, err
	}
	return starlark.Tuple{newBlob(a, "filter_yaml"), newBlob(b, "filter_yaml")}, nil
}

// ---- loading --------------------------------------------------------------

func (s *state) loadDynamic(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var module string
	if err := unpackArgs(fn.Name(), args, kwargs, "path", &module); err != nil {
		return nil, err
	}
	globals, err := s.load(t, module)
	if err != nil {
		return nil, err
	}
	d := starlark.NewDict(len(globals))
	for _, k := range globals.Keys() {
		if err := d.SetKey(starlark.String(k), globals[k]); err != nil {
			return nil, err
		}
	}
	d.Freeze()
	return d, nil
}

func (s *state) include(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var module string
	if err := unpackArgs(fn.Name(), args, kwargs, "path", &module); err != nil {
		return nil, err
	}
	_, err := s.load(t, module)
	return starlark.None, err
}

// k8sImageJSONPath is k8s.go:440-485: paths, then optional api_version,
// kind, name, namespace; it tells where a kind keeps its images. The harness
// finds images only in containers[], so it records the kind as a workload.
func (s *state) k8sImageJSONPath(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var paths stringOrStringList
	var apiVersion, kind, name, namespace string
	if err := unpackArgs(fn.Name(), args, kwargs, "paths", &paths, "api_version?", &apiVersion,
		"kind?", &kind, "name?", &name, "namespace?", &namespace); err != nil {
		return nil, err
	}
	if kind == "" && name == "" && namespace == "" {
		return nil, fmt.Errorf("at least one of kind, name, or namespace must be specified")
	}
	if kind != "" {
		s.workloadKinds[strings.ToLower(kind)] = true
	}
	return starlark.None, nil
}

// gitRepo is the value local_git_repo returns (git/repo.go): its paths()
// method joins a path to the repository root.
type gitRepo struct{ base string }

func (g *gitRepo) String() string        { return fmt.Sprintf("[git.Repo] '%v'", g.base) }
func (g *gitRepo) Type() string          { return "git.Repo" }
func (g *gitRepo) Freeze()               {}
func (g *gitRepo) Truth() starlark.Bool  { return g.base != "" }
func (g *gitRepo) Hash() (uint32, error) { return 0, errors.New("unhashable type: git.Repo") }
func (g *gitRepo) AttrNames() []string   { return []string{"paths"} }
func (g *gitRepo) Attr(name string) (starlark.Value, error) {
	if name != "paths" {
		return nil, nil
	}
	return starlark.NewBuiltin("paths", func(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var p string
		if err := unpackArgs(fn.Name(), args, kwargs, "paths", &p); err != nil {
			return nil, err
		}
		return starlark.String(filepath.Join(g.base, p)), nil
	}), nil
}

// localGitRepo is git/git.go:23-45: the path must exist and hold a .git/.
func (s *state) localGitRepo(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var p string
	if err := unpackArgs(fn.Name(), args, kwargs, "paths", &p); err != nil {
		return nil, err
	}
	abs := s.absPath(p)
	if _, err := os.Stat(abs); err != nil {
		return nil, fmt.Errorf("Reading paths %s: %v", abs, err)
	}
	if _, err := os.Stat(filepath.Join(abs, ".git")); os.IsNotExist(err) {
		return nil, fmt.Errorf("%s isn't a valid git repo: it doesn't have a .git/ directory", abs)
	}
	return &gitRepo{base: abs}, nil
}
