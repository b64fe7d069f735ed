package main

// The config module (Tilt v0.37.6 internal/tiltfile/config): settings defined
// in the Tiltfile, read from tilt_config.json in the directory of the Tiltfile
// that calls config.parse (config.go:110-148) and from the args after `--`,
// parsed with spf13/pflag as Tilt does (config_def.go:96-139: flags and
// positional args may interleave, `-long` is a shorthand group, bools take
// --flag or --flag=false); command line winning (config_def.go:48-61); and
// the set of enabled resources (resources.go).

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	flag "github.com/spf13/pflag"
	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"
)

type configValue interface {
	flag.Value
	starlarkValue() starlark.Value
	setFromJSON(interface{}) error
	isSet() bool
}

type stringSetting struct {
	v   string
	set bool
}

func (s *stringSetting) String() string { return s.v }
func (s *stringSetting) Type() string   { return "string" }

// Set refuses a second value (config/string.go:48-55).
func (s *stringSetting) Set(v string) error {
	if s.set {
		return fmt.Errorf("string settings can only be specified once. multiple values found (last value: %s)", v)
	}
	s.v, s.set = v, true
	return nil
}
func (s *stringSetting) starlarkValue() starlark.Value { return starlark.String(s.v) }
func (s *stringSetting) isSet() bool                   { return s.set }
func (s *stringSetting) setFromJSON(v interface{}) error {
	if v == nil {
		return nil
	}
	str, ok := v.(string)
	if !ok {
		return fmt.Errorf("expected string, found %T", v)
	}
	s.v, s.set = str, true
	return nil
}

type stringListSetting struct {
	v   []string
	set bool
}

func (s *stringListSetting) String() string     { return strings.Join(s.v, ",") }
func (s *stringListSetting) Type() string       { return "list[string]" }
func (s *stringListSetting) Set(v string) error { s.v, s.set = append(s.v, v), true; return nil }
func (s *stringListSetting) isSet() bool        { return s.set }
func (s *stringListSetting) starlarkValue() starlark.Value {
	var out []starlark.Value
	for _, x := range s.v {
		out = append(out, starlark.String(x))
	}
	return starlark.NewList(out)
}
func (s *stringListSetting) setFromJSON(v interface{}) error {
	if v == nil {
		s.v = nil
		return nil
	}
	list, ok := v.([]interface{})
	if !ok {
		return fmt.Errorf("expected array")
	}
	s.v, s.set = []string{}, true
	for _, e := range list {
		str, ok := e.(string)
		if !ok {
			return fmt.Errorf("expected string, got %T", e)
		}
		s.v = append(s.v, str)
	}
	return nil
}

type boolSetting struct {
	v   bool
	set bool
}

func (s *boolSetting) String() string                { return strconv.FormatBool(s.v) }
func (s *boolSetting) Type() string                  { return "bool" }
func (s *boolSetting) isSet() bool                   { return s.set }
func (s *boolSetting) starlarkValue() starlark.Value { return starlark.Bool(s.v) }
func (s *boolSetting) Set(v string) error {
	if s.set {
		return fmt.Errorf("bool settings can only be specified once. multiple values found (last value: %s)", v)
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return err
	}
	s.v, s.set = b, true
	return nil
}
func (s *boolSetting) setFromJSON(v interface{}) error {
	if v == nil {
		return nil
	}
	b, ok := v.(bool)
	if !ok {
		return fmt.Errorf("expected bool, found %T", v)
	}
	s.v, s.set = b, true
	return nil
}

// objectSetting is config.define_object (config/object.go): a JSON value,
// given once on the command line or as any JSON value in tilt_config.json.
type objectSetting struct {
	v   starlark.Value
	set bool
}

func (s *objectSetting) Type() string { return "object" }
func (s *objectSetting) isSet() bool  { return s.set }
func (s *objectSetting) String() string {
	if !s.set {
		return "None"
	}
	return s.v.String()
}
func (s *objectSetting) starlarkValue() starlark.Value {
	if s.v == nil {
		return starlark.None
	}
	return s.v
}
func (s *objectSetting) setFromJSON(v interface{}) error {
	if v == nil {
		return nil
	}
	text, err := json.Marshal(v)
	if err != nil {
		return err
	}
	sv, err := decodeJSONText(&starlark.Thread{Name: "config"}, string(text))
	if err != nil {
		return err
	}
	s.v, s.set = sv, true
	return nil
}
func (s *objectSetting) Set(text string) error {
	if s.set {
		return fmt.Errorf("object settings can only be specified once. multiple values found (last value: %s)", s.v)
	}
	var decoded interface{}
	if err := json.Unmarshal([]byte(text), &decoded); err != nil {
		return fmt.Errorf("decoding JSON, got %q: %v", text, err)
	}
	return s.setFromJSON(decoded)
}

type settingDef struct {
	name    string
	newV    func() configValue
	usage   string
	typName string
}

type configState struct {
	s           *state
	defs        []settingDef
	positional  string
	parseCalled bool
	parsed      map[string]interface{} // what parse() returned, for the output
	enabled     []string               // set_enabled_resources; nil = not called
	cleared     bool
	parseDir    string // the directory of the Tiltfile that called parse
}

func newConfigState(s *state) *configState { return &configState{s: s} }

func (c *configState) def(name string) *settingDef {
	for i := range c.defs {
		if c.defs[i].name == name {
			return &c.defs[i]
		}
	}
	return nil
}

func (c *configState) defineBuiltin(typName string, newV func() configValue) builtinFn {
	return func(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var name, usage string
		isArgs := false
		if err := unpackArgs(fn.Name(), args, kwargs, "name", &name, "args?", &isArgs, "usage?", &usage); err != nil {
			return nil, err
		}
		if name == "" {
			return nil, errors.New("'name' is required")
		}
		if c.parseCalled {
			return nil, fmt.Errorf("%s cannot be called after config.parse is called", fn.Name())
		}
		if c.def(name) != nil {
			return nil, fmt.Errorf("%s defined multiple times", name)
		}
		if isArgs {
			if c.positional != "" {
				return nil, fmt.Errorf("both %s and %s are defined as positional args", name, c.positional)
			}
			c.positional = name
		}
		c.defs = append(c.defs, settingDef{name: name, newV: newV, usage: usage, typName: typName})
		return starlark.None, nil
	}
}

func (c *configState) readFile(path string) (map[string]configValue, error) {
	ret := map[string]configValue{}
	b, err := os.ReadFile(path)
	if err != nil {
		if os.IsNotExist(err) {
			return ret, nil
		}
		return nil, fmt.Errorf("error opening %s: %v", path, err)
	}
	m := map[string]interface{}{}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("error parsing json from %s: %v", path, err)
	}
	for k, v := range m {
		d := c.def(k)
		if d == nil {
			return nil, fmt.Errorf("%s specified unknown setting name '%s'", path, k)
		}
		ret[k] = d.newV()
		if err := ret[k].setFromJSON(v); err != nil {
			return nil, fmt.Errorf("%s specified invalid value for setting %s: %v", path, k, err)
		}
		if !ret[k].isSet() {
			delete(ret, k) // null leaves the setting unset
		}
	}
	return ret, nil
}

// parseArgs is config_def.go:96-139 with spf13/pflag.
func (c *configState) parseArgs(args []string) (map[string]configValue, string, error) {
	fs := flag.NewFlagSet("", flag.ContinueOnError)
	var w bytes.Buffer
	fs.SetOutput(&w)
	ret := map[string]configValue{}
	for _, d := range c.defs {
		ret[d.name] = d.newV()
		if d.name == c.positional {
			continue
		}
		fs.Var(ret[d.name], d.name, d.usage)
		if _, isBool := ret[d.name].(*boolSetting); isBool {
			fs.Lookup(d.name).NoOptDefVal = "true"
		}
	}
	if err := fs.Parse(args); err != nil {
		usage := fs.FlagUsagesWrapped(80)
		if strings.TrimSpace(usage) != "" {
			usage = "\nUsage:\n" + usage
		}
		return nil, w.String(), fmt.Errorf("%v%s", err, usage)
	}
	if len(fs.Args()) > 0 {
		if c.positional == "" {
			return nil, w.String(), fmt.Errorf("positional CLI args (%q) were specified, but none were expected.\n"+
				"See https://docs.tilt.dev/tiltfile_config.html#positional-arguments for examples.", strings.Join(fs.Args(), " "))
		}
		for _, a := range fs.Args() {
			if err := ret[c.positional].Set(a); err != nil {
				return nil, w.String(), fmt.Errorf("invalid positional args (%s): %v", c.positional, err)
			}
		}
	}
	return ret, w.String(), nil
}

func (c *configState) parse(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := unpackArgs(fn.Name(), args, kwargs); err != nil {
		return nil, err
	}
	wd := c.s.curDir()
	if c.parseDir != "" && c.parseDir != wd {
		return nil, fmt.Errorf("%s can only be called from one Tiltfile working directory per run. It was called from %s and %s", fn.Name(), c.parseDir, wd)
	}
	c.parseDir = wd
	c.parseCalled = true
	path := filepath.Join(wd, "tilt_config.json")
	c.s.watched = append(c.s.watched, path)
	fromFile, err := c.readFile(path)
	if err != nil {
		return nil, err
	}
	fromArgs, out, err := c.parseArgs(c.s.opts.tiltArgs)
	if out != "" {
		c.s.prints = append(c.s.prints, out)
	}
	if err != nil {
		return nil, fmt.Errorf("invalid Tiltfile config args: %v", err)
	}
	merged := map[string]configValue{}
	for k, v := range fromFile {
		merged[k] = v
	}
	for k, v := range fromArgs {
		if v.isSet() {
			merged[k] = v
		}
	}
	d := starlark.NewDict(len(merged))
	c.parsed = map[string]interface{}{}
	for _, def := range c.defs {
		v, ok := merged[def.name]
		if !ok {
			continue
		}
		sv := v.starlarkValue()
		if err := d.SetKey(starlark.String(def.name), sv); err != nil {
			return nil, err
		}
		c.parsed[def.name], _ = toGo(sv)
	}
	return d, nil
}

func (c *configState) setEnabledResources(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var resources starlark.Value
	if err := unpackArgs(fn.Name(), args, kwargs, "resources", &resources); err != nil {
		return nil, err
	}
	seq, ok := resources.(starlark.Sequence)
	if !ok {
		return nil, fmt.Errorf("%s: for parameter resources: got %s, want sequence", fn.Name(), resources.Type())
	}
	names := []string{}
	iter := seq.Iterate()
	defer iter.Done()
	var v starlark.Value
	for iter.Next(&v) {
		str, ok := v.(starlark.String)
		if !ok {
			return nil, fmt.Errorf("resources must be a list of string: '%v' is a %s, not a string", v, v.Type())
		}
		names = append(names, string(str))
	}
	c.enabled, c.cleared = names, false
	return starlark.None, nil
}

func (c *configState) clearEnabledResources(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := unpackArgs(fn.Name(), args, kwargs); err != nil {
		return nil, err
	}
	c.enabled, c.cleared = nil, true
	return starlark.None, nil
}

// enabledResources is Tilt's Settings.EnabledResources: explicit
// set_enabled_resources wins, then the command-line args (only while
// config.parse was not called), else everything; each requested resource
// brings its transitive resource_deps; unknown names are an error.
func (c *configState) enabledResources(resources []*resource) ([]string, error) {
	var requested []string
	switch {
	case c.cleared:
		return []string{}, nil
	case c.enabled != nil:
		requested = c.enabled
	case len(c.s.opts.tiltArgs) > 0 && !c.parseCalled:
		requested = c.s.opts.tiltArgs
	}
	all := []string{}
	byName := map[string]*resource{}
	for _, r := range resources {
		all = append(all, r.Name)
		byName[r.Name] = r
	}
	if len(requested) == 0 {
		return all, nil
	}
	want := map[string]bool{}
	var add func(n string)
	add = func(n string) {
		if want[n] {
			return
		}
		want[n] = true
		for _, d := range byName[n].ResourceDeps {
			add(d)
		}
	}
	var unknown []string
	for _, n := range requested {
		if byName[n] == nil {
			unknown = append(unknown, strconv.Quote(n))
			continue
		}
		add(n)
	}
	if len(unknown) > 0 {
		var rest []string
		for _, n := range all {
			if !contains(requested, n) {
				rest = append(rest, strconv.Quote(n))
			}
		}
		return nil, fmt.Errorf("You specified some resources that could not be found: %s\nIs this a typo? Existing resources in Tiltfile: %s",
			strings.Join(unknown, ", "), strings.Join(rest, ", "))
	}
	out := []string{}
	for _, n := range all {
		if want[n] {
			out = append(out, n)
		}
	}
	return out, nil
}

func (s *state) configModule() *starlarkstruct.Module {
	c := s.config
	members := starlark.StringDict{
		"define_string":           starlark.NewBuiltin("config.define_string", c.defineBuiltin("string", func() configValue { return &stringSetting{} })),
		"define_string_list":      starlark.NewBuiltin("config.define_string_list", c.defineBuiltin("string_list", func() configValue { return &stringListSetting{} })),
		"define_bool":             starlark.NewBuiltin("config.define_bool", c.defineBuiltin("bool", func() configValue { return &boolSetting{} })),
		"define_object":           starlark.NewBuiltin("config.define_object", c.defineBuiltin("object", func() configValue { return &objectSetting{} })),
		"parse":                   starlark.NewBuiltin("config.parse", c.parse),
		"set_enabled_resources":   starlark.NewBuiltin("config.set_enabled_resources", c.setEnabledResources),
		"clear_enabled_resources": starlark.NewBuiltin("config.clear_enabled_resources", c.clearEnabledResources),
		"tilt_subcommand":         starlark.String(s.opts.subcommand),
		"main_dir":                starlark.String(s.mainDir),
		"main_path":               starlark.String(s.mainPath),
	}
	return &starlarkstruct.Module{Name: "config", Members: members}
}
