package main

// The v1alpha1 module (Tilt's generated internal/tiltfile/v1alpha1/types.go):
// object constructors that register API objects (cmd, ui_button,
// extension_repo, ...) and spec constructors that return dicts. A spec
// parameter accepts such a dict or a plain dict with the same snake_case keys;
// an unknown key is an error, as in Tilt.

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"
)

func fmtErr(format string, a ...interface{}) error { return fmt.Errorf(format, a...) }

type field struct{ name, typ string } // typ: string bool int stringlist stringmap path pathlist obj:T objlist:T

var specTypes = map[string][]field{
	"StartOnSpec":            {{"start_after", "string"}, {"ui_buttons", "stringlist"}},
	"RestartOnSpec":          {{"file_watches", "stringlist"}, {"ui_buttons", "stringlist"}},
	"UIComponentLocation":    {{"component_id", "string"}, {"component_type", "string"}},
	"UIInputSpec":            {{"name", "string"}, {"label", "string"}, {"text", "obj:UITextInputSpec"}, {"bool", "obj:UIBoolInputSpec"}, {"hidden", "obj:UIHiddenInputSpec"}, {"choice", "obj:UIChoiceInputSpec"}},
	"UITextInputSpec":        {{"default_value", "string"}, {"placeholder", "string"}},
	"UIBoolInputSpec":        {{"default_value", "bool"}, {"true_string", "string"}, {"false_string", "string"}},
	"UIHiddenInputSpec":      {{"value", "string"}},
	"UIChoiceInputSpec":      {{"choices", "stringlist"}},
	"Probe":                  {{"handler", "obj:Handler"}, {"initial_delay_seconds", "int"}, {"timeout_seconds", "int"}, {"period_seconds", "int"}, {"success_threshold", "int"}, {"failure_threshold", "int"}},
	"Handler":                {{"exec", "obj:ExecAction"}, {"http_get", "obj:HTTPGetAction"}, {"tcp_socket", "obj:TCPSocketAction"}},
	"ExecAction":             {{"command", "stringlist"}},
	"HTTPGetAction":          {{"path", "string"}, {"port", "int"}, {"host", "string"}, {"scheme", "string"}, {"http_headers", "objlist:HTTPHeader"}},
	"HTTPHeader":             {{"name", "string"}, {"value", "string"}},
	"TCPSocketAction":        {{"port", "int"}, {"host", "string"}},
	"DisableSource":          {{"config_map", "obj:ConfigMapDisableSource"}, {"every_config_map", "objlist:ConfigMapDisableSource"}},
	"ConfigMapDisableSource": {{"name", "string"}, {"key", "string"}},
	"IgnoreDef":              {{"base_path", "path"}, {"patterns", "stringlist"}},
}

// spec constructor name -> type
var specConstructors = map[string]string{
	"start_on_spec": "StartOnSpec", "restart_on_spec": "RestartOnSpec",
	"ui_component_location": "UIComponentLocation", "ui_input_spec": "UIInputSpec",
	"ui_text_input_spec": "UITextInputSpec", "ui_bool_input_spec": "UIBoolInputSpec",
	"ui_hidden_input_spec": "UIHiddenInputSpec", "ui_choice_input_spec": "UIChoiceInputSpec",
	"probe": "Probe", "handler": "Handler", "exec_action": "ExecAction",
	"http_get_action": "HTTPGetAction", "http_header": "HTTPHeader", "tcp_socket_action": "TCPSocketAction",
	"disable_source": "DisableSource", "config_map_disable_source": "ConfigMapDisableSource",
	"ignore_def": "IgnoreDef",
}

var metaFields = []field{{"labels", "stringmap"}, {"annotations", "stringmap"}}

// registered object kinds: constructor -> (plural resource name, spec fields)
var objectTypes = map[string]struct {
	plural string
	fields []field
}{
	"cmd": {"cmds", []field{{"args", "stringlist"}, {"dir", "path"}, {"env", "stringlist"}, {"readiness_probe", "obj:Probe"},
		{"restart_on", "obj:RestartOnSpec"}, {"start_on", "obj:StartOnSpec"}, {"disable_source", "obj:DisableSource"}}},
	"config_map":     {"configmaps", []field{{"data", "stringmap"}}},
	"extension":      {"extensions", []field{{"repo_name", "string"}, {"repo_path", "string"}, {"args", "stringlist"}}},
	"extension_repo": {"extensionrepos", []field{{"url", "string"}, {"ref", "string"}, {"load_host", "string"}, {"git_subpath", "string"}}},
	"file_watch":     {"filewatches", []field{{"watched_paths", "pathlist"}, {"ignores", "objlist:IgnoreDef"}, {"disable_source", "obj:DisableSource"}}},
	"ui_button": {"uibuttons", []field{{"location", "obj:UIComponentLocation"}, {"text", "string"}, {"icon_name", "string"},
		{"icon_svg", "string"}, {"disabled", "bool"}, {"requires_confirmation", "bool"}, {"show_inputs_as_modal", "bool"},
		{"inputs", "objlist:UIInputSpec"}}},
}

type apiObject struct {
	Kind string                 `json:"kind"`
	Name string                 `json:"name"`
	Spec map[string]interface{} `json:"spec"`
	Meta map[string]interface{} `json:"metadata"`
}

// convertField checks one value against a field type and returns JSON data.
func (s *state) convertField(typ string, v starlark.Value) (interface{}, error) {
	switch {
	case typ == "string":
		str, ok := asString(v)
		if !ok {
			return nil, fmt.Errorf("Expected string, actual: %s", v.Type())
		}
		return str, nil
	case typ == "bool":
		b, ok := v.(starlark.Bool)
		if !ok {
			return nil, fmt.Errorf("Expected bool, actual: %s", v.Type())
		}
		return bool(b), nil
	case typ == "int":
		i, err := starlark.AsInt32(v)
		if err != nil {
			return nil, fmt.Errorf("Expected int, got: %v", err)
		}
		return i, nil
	case typ == "stringlist":
		var sl stringList
		if err := sl.Unpack(v); err != nil {
			return nil, err
		}
		return orEmpty(sl.values), nil
	case typ == "stringmap":
		var m stringStringMap
		if err := m.Unpack(v); err != nil {
			return nil, err
		}
		return m.m, nil
	case typ == "path":
		p := pathArg{st: s}
		if err := p.Unpack(v); err != nil {
			return nil, err
		}
		return p.value, nil
	case typ == "pathlist":
		p := pathList{st: s}
		if err := p.Unpack(v); err != nil {
			return nil, err
		}
		return orEmpty(p.values), nil
	case strings.HasPrefix(typ, "obj:"):
		return s.convertSpec(strings.TrimPrefix(typ, "obj:"), v)
	case strings.HasPrefix(typ, "objlist:"):
		list, ok := v.(*starlark.List)
		if !ok {
			return nil, fmt.Errorf("expected list, actual: %v", v.Type())
		}
		out := []interface{}{}
		for i := 0; i < list.Len(); i++ {
			item, err := s.convertSpec(strings.TrimPrefix(typ, "objlist:"), list.Index(i))
			if err != nil {
				return nil, fmt.Errorf("at index %d: %v", i, err)
			}
			out = append(out, item)
		}
		return out, nil
	}
	return nil, fmt.Errorf("internal: unknown field type %s", typ)
}

func (s *state) convertSpec(typ string, v starlark.Value) (map[string]interface{}, error) {
	d, ok := v.(*starlark.Dict)
	if !ok {
		return nil, fmt.Errorf("expected dict, actual: %v", v.Type())
	}
	out := map[string]interface{}{}
	for _, kv := range d.Items() {
		key, ok := starlark.AsString(kv[0])
		if !ok {
			return nil, fmt.Errorf("key must be string. Got: %s", kv[0].Type())
		}
		var f *field
		for i := range specTypes[typ] {
			if specTypes[typ][i].name == key {
				f = &specTypes[typ][i]
			}
		}
		if f == nil {
			return nil, fmt.Errorf("Unexpected attribute name: %s", key)
		}
		val, err := s.convertField(f.typ, kv[1])
		if err != nil {
			if strings.HasPrefix(f.typ, "obj") {
				return nil, fmt.Errorf("unpacking %s: %v", key, err)
			}
			return nil, err
		}
		out[key] = val
	}
	return out, nil
}

// specConstructor returns a dict of the given keyword arguments after checking it.
func (s *state) specConstructor(typ string) builtinFn {
	return func(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		fields := specTypes[typ]
		vals := make([]starlark.Value, len(fields))
		pairs := []interface{}{}
		for i := range fields {
			pairs = append(pairs, fields[i].name+"?", &vals[i])
		}
		if err := starlark.UnpackArgs(fn.Name(), args, kwargs, pairs...); err != nil {
			return nil, err
		}
		d := starlark.NewDict(len(fields))
		for i, f := range fields {
			if vals[i] != nil {
				if err := d.SetKey(starlark.String(f.name), vals[i]); err != nil {
					return nil, err
				}
			}
		}
		if _, err := s.convertSpec(typ, d); err != nil {
			return nil, err
		}
		return d, nil
	}
}

func (s *state) objectConstructor(ctor string) builtinFn {
	ot := objectTypes[ctor]
	return func(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		all := append([]field{{"name", "string"}}, metaFields...)
		all = append(all, ot.fields...)
		vals := make([]starlark.Value, len(all))
		pairs := []interface{}{}
		for i, f := range all {
			name := f.name
			if i > 0 {
				name += "?"
			}
			pairs = append(pairs, name, &vals[i])
		}
		if err := starlark.UnpackArgs(fn.Name(), args, kwargs, pairs...); err != nil {
			return nil, err
		}
		obj := &apiObject{Kind: ot.plural, Spec: map[string]interface{}{}, Meta: map[string]interface{}{"labels": map[string]string{}, "annotations": map[string]string{}}}
		for i, f := range all {
			if vals[i] == nil {
				continue
			}
			val, err := s.convertField(f.typ, vals[i])
			if err != nil {
				if strings.HasPrefix(f.typ, "obj") {
					return nil, fmt.Errorf("%s: for parameter %s: %v", fn.Name(), f.name, err)
				}
				return nil, fmt.Errorf("%s: for parameter %s: %v", fn.Name(), f.name, err)
			}
			switch {
			case i == 0:
				obj.Name = val.(string)
			case i <= len(metaFields):
				obj.Meta[f.name] = val
			default:
				obj.Spec[f.name] = val
			}
		}
		if ctor == "cmd" {
			if _, ok := obj.Spec["dir"]; !ok {
				obj.Spec["dir"] = s.curDir()
			}
		}
		if err := s.validateObject(ctor, obj); err != nil {
			return nil, err
		}
		for _, prev := range s.apiObjects[ot.plural] {
			if prev.Name == obj.Name {
				return nil, fmt.Errorf("%s %q already registered", ot.plural, obj.Name)
			}
		}
		if _, ok := s.apiObjects[ot.plural]; !ok {
			s.apiKinds = append(s.apiKinds, ot.plural)
		}
		s.apiObjects[ot.plural] = append(s.apiObjects[ot.plural], obj)
		return starlark.None, nil
	}
}

// validateObject applies the checks of the API types' Validate methods that
// matter here.
func (s *state) validateObject(ctor string, o *apiObject) error {
	if o.Name == "" {
		return fmt.Errorf("metadata.name: Required value: name or generateName is required")
	}
	switch ctor {
	case "extension_repo":
		url, _ := o.Spec["url"].(string)
		if !strings.HasPrefix(url, "https://") && !strings.HasPrefix(url, "http://") && !strings.HasPrefix(url, "file://") {
			return fmt.Errorf("spec.url: Invalid value: %q: URLs must start with http(s):// or file://", url)
		}
	case "ui_button":
		if t, _ := o.Spec["text"].(string); t == "" {
			return fmt.Errorf("spec.text: Required value: Button text cannot be empty")
		}
		if loc, _ := o.Spec["location"].(map[string]interface{}); loc == nil || loc["component_type"] == nil || loc["component_type"] == "" {
			return fmt.Errorf("spec.location.componentType: Required value: Button location component type is required")
		}
	}
	return nil
}

func (s *state) v1alpha1Module() *starlarkstruct.Module {
	members := starlark.StringDict{}
	for name := range objectTypes {
		members[name] = starlark.NewBuiltin("v1alpha1."+name, s.objectConstructor(name))
	}
	for name, typ := range specConstructors {
		members[name] = starlark.NewBuiltin("v1alpha1."+name, s.specConstructor(typ))
	}
	for _, name := range []string{"kubernetes_apply", "kubernetes_discovery"} {
		members[name] = starlark.NewBuiltin("v1alpha1."+name, s.unsupported)
	}
	return &starlarkstruct.Module{Name: "v1alpha1", Members: members}
}

// resolveExtension maps ext://NAME to a Tiltfile through the registered
// v1alpha1.extension / extension_repo objects. Only file:// repos can be
// used here (no network); the default repo must be registered as a file://
// extension_repo named "default".
func (s *state) resolveExtension(name string) (string, error) {
	repoName, repoPath := "default", name
	for _, e := range s.apiObjects["extensions"] {
		if e.Name == name || e.Name == strings.ReplaceAll(name, "/", "-") {
			repoName, _ = e.Spec["repo_name"].(string)
			repoPath, _ = e.Spec["repo_path"].(string)
		}
	}
	var repo *apiObject
	if first, rest, ok := strings.Cut(name, "/"); ok {
		for _, r := range s.apiObjects["extensionrepos"] {
			if lh, _ := r.Spec["load_host"].(string); lh != "" && lh == first {
				repo, repoPath = r, rest
			}
		}
	}
	if repo == nil {
		for _, r := range s.apiObjects["extensionrepos"] {
			if r.Name == repoName {
				repo = r
			}
		}
	}
	if repo == nil {
		return "", fmt.Errorf("loading extension %q: extension repo %q is not registered; tilt-eval has no network, so register v1alpha1.extension_repo(name=%q, url='file:///...') before the load", name, repoName, repoName)
	}
	url, _ := repo.Spec["url"].(string)
	if !strings.HasPrefix(url, "file://") {
		return "", fmt.Errorf("loading extension %q: extension repo %q has url %q; tilt-eval only loads file:// repos", name, repo.Name, url)
	}
	dir := strings.TrimPrefix(url, "file://")
	if sub, _ := repo.Spec["git_subpath"].(string); sub != "" {
		dir = filepath.Join(dir, sub)
	}
	p := filepath.Join(dir, repoPath, "Tiltfile")
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("loading extension %q: no Tiltfile at %s", name, p)
	}
	return p, nil
}

// buttons joins each UIButton with the Cmd that its press starts.
func (s *state) buttons() []map[string]interface{} {
	out := []map[string]interface{}{}
	for _, b := range s.apiObjects["uibuttons"] {
		var cmd map[string]interface{}
		for _, c := range s.apiObjects["cmds"] {
			for _, key := range []string{"start_on", "restart_on"} {
				spec, _ := c.Spec[key].(map[string]interface{})
				names, _ := spec["ui_buttons"].([]string)
				if cmd == nil && contains(names, b.Name) {
					args, env := c.Spec["args"], c.Spec["env"]
					if args == nil {
						args = []string{}
					}
					if env == nil {
						env = []string{}
					}
					cmd = map[string]interface{}{"name": c.Name, "args": args, "dir": c.Spec["dir"],
						"env": env, "trigger": key, "labels": c.Meta["labels"], "annotations": c.Meta["annotations"]}
				}
			}
		}
		get := func(k string, def interface{}) interface{} {
			if v, ok := b.Spec[k]; ok {
				return v
			}
			return def
		}
		out = append(out, map[string]interface{}{
			"name": b.Name, "text": get("text", ""), "location": get("location", map[string]interface{}{}),
			"icon_name": get("icon_name", ""), "icon_svg": get("icon_svg", ""), "disabled": get("disabled", false),
			"requires_confirmation": get("requires_confirmation", false), "show_inputs_as_modal": get("show_inputs_as_modal", false),
			"inputs": get("inputs", []interface{}{}), "labels": b.Meta["labels"], "annotations": b.Meta["annotations"], "cmd": cmd,
		})
	}
	return out
}
