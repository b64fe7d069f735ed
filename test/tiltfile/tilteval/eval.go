package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"go.starlark.net/resolve"
	"go.starlark.net/starlark"
)

// Tilt's starkit turns on these dialect options.
func init() {
	resolve.AllowSet = true
	resolve.AllowGlobalReassign = true
	resolve.AllowRecursion = true
	resolve.AllowLambda = true
	resolve.AllowNestedDef = true
	resolve.AllowFloat = true
	resolve.AllowBitwise = true
}

type loadEntry struct {
	globals starlark.StringDict
	err     error
	done    bool
}

// state is everything one Tiltfile evaluation accumulates.
type state struct {
	opts      options
	mainPath  string
	mainDir   string
	env       map[string]string
	execStack []string
	loads     map[string]*loadEntry
	loadOrder []string

	predeclared starlark.StringDict

	resources      []*resource
	k8sByName      map[string]*resource
	k8sOptions     []*k8sResourceOptions
	k8sObjects     []k8sObject
	images         []*image
	apiObjects     map[string][]*apiObject // by kind, in registration order
	apiKinds       []string
	settings       map[string]interface{}
	allowedCtx     []string
	defaultTrigger TriggerMode
	localCalls     []map[string]interface{}
	warnings       []string
	prints         []string
	watched        []string
	config         *configState
	exited         bool
	workloadKinds  map[string]bool
	kindReadiness  map[string]string  // k8s_kind(pod_readiness=) by lower-case kind
	unusedSteps    map[string]*luStep // live update steps not yet used, by creation position
}

func newState(o options) (*state, error) {
	abs, err := filepath.Abs(o.tiltfile)
	if err != nil {
		return nil, err
	}
	s := &state{
		opts:          o,
		mainPath:      abs,
		mainDir:       filepath.Dir(abs),
		env:           map[string]string{},
		loads:         map[string]*loadEntry{},
		k8sByName:     map[string]*resource{},
		apiObjects:    map[string][]*apiObject{},
		settings:      defaultSettings(),
		allowedCtx:    []string{},
		workloadKinds: map[string]bool{},
		unusedSteps:   map[string]*luStep{},
		kindReadiness: map[string]string{},
	}
	for k := range defaultWorkloadKinds {
		s.workloadKinds[k] = true
	}
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		s.env[k] = v
	}
	for _, kv := range o.env {
		k, v, _ := strings.Cut(kv, "=")
		s.env[k] = v
	}
	s.config = newConfigState(s)
	s.predeclared = s.builtins()
	return s, nil
}

// curDir is the directory of the Tiltfile being executed (Tilt's
// starkit.CurrentExecPath): relative paths resolve against it.
func (s *state) curPath() string {
	if len(s.execStack) == 0 {
		return s.mainPath
	}
	return s.execStack[len(s.execStack)-1]
}

func (s *state) curDir() string { return filepath.Dir(s.curPath()) }

func (s *state) absPath(p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(s.curDir(), p)
}

func (s *state) environ() []string {
	keys := make([]string, 0, len(s.env))
	for k := range s.env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		out = append(out, k+"="+s.env[k])
	}
	return out
}

// execFile runs one Tiltfile (main or loaded) once; later calls return the
// cached globals, as Tilt's loader does.
func (s *state) execFile(thread *starlark.Thread, path string) (starlark.StringDict, error) {
	if e, ok := s.loads[path]; ok {
		if !e.done {
			return nil, fmt.Errorf("cycle in load graph: %s is already being loaded", path)
		}
		return e.globals, e.err
	}
	entry := &loadEntry{}
	s.loads[path] = entry
	s.loadOrder = append(s.loadOrder, path)
	src, err := os.ReadFile(path)
	if err != nil {
		entry.err, entry.done = err, true
		return nil, err
	}
	predeclared := starlark.StringDict{}
	for k, v := range s.predeclared {
		predeclared[k] = v
	}
	predeclared["__file__"] = starlark.String(path)
	if path == s.mainPath {
		predeclared["__name__"] = starlark.String("__main__")
	} else {
		predeclared["__name__"] = starlark.String(path)
	}
	s.execStack = append(s.execStack, path)
	globals, err := starlark.ExecFile(thread, path, src, predeclared)
	s.execStack = s.execStack[:len(s.execStack)-1]
	entry.globals, entry.err, entry.done = globals, err, true
	return globals, err
}

// errText renders an error as Tilt prints it: a traceback with file:line and
// the message.
func errText(err error) string {
	var ee *starlark.EvalError
	if errors.As(err, &ee) {
		return ee.Backtrace()
	}
	return "Error: " + err.Error()
}

// resolveLoad maps a load() argument to an absolute Tiltfile path.
func (s *state) resolveLoad(module string) (string, error) {
	if strings.HasPrefix(module, "ext://") {
		return s.resolveExtension(strings.TrimPrefix(module, "ext://"))
	}
	p := s.absPath(module)
	if fi, err := os.Stat(p); err == nil && fi.IsDir() {
		p = filepath.Join(p, "Tiltfile")
	}
	return p, nil
}

func (s *state) load(thread *starlark.Thread, module string) (starlark.StringDict, error) {
	path, err := s.resolveLoad(module)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("%s: %v", module, err)
	}
	globals, err := s.execFile(thread, path)
	if err != nil && s.exited {
		return nil, err
	}
	if err != nil {
		// Keep the loaded file's traceback (file:line) in the message.
		return nil, errors.New(errText(err))
	}
	return globals, nil
}

func evaluate(o options) ([]byte, error) {
	s, err := newState(o)
	if err != nil {
		return nil, err
	}
	thread := &starlark.Thread{
		Name:  "tiltfile",
		Print: func(_ *starlark.Thread, msg string) { s.prints = append(s.prints, msg) },
		Load:  s.load,
	}
	thread.SetLocal("state", s)
	// exit() stops evaluation without an error, even from a loaded file.
	if _, err := s.execFile(thread, s.mainPath); err != nil && !s.exited {
		return nil, errors.New(errText(err))
	}
	if err := s.assemble(); err != nil {
		return nil, fmt.Errorf("Error: %v", err)
	}
	doc, err := s.output()
	if err != nil {
		return nil, err
	}
	return marshalJSON(doc)
}
