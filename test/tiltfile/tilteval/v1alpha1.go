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
	// Kubernetes spec types (internal/tiltfile/v1alpha1/types.go:831-2833)
	"Forward":                         {{"local_port", "int"}, {"container_port", "int"}, {"host", "string"}, {"name", "string"}, {"path", "string"}},
	"KubernetesApplyCmd":              {{"args", "stringlist"}, {"dir", "path"}, {"env", "stringlist"}},
	"KubernetesDiscoveryTemplateSpec": {{"extra_selectors", "objlist:LabelSelector"}},
	"KubernetesImageLocator":          {{"object_selector", "obj:ObjectSelector"}, {"path", "string"}, {"object", "obj:KubernetesImageObjectDescriptor"}},
	"KubernetesImageObjectDescriptor": {{"repo_field", "string"}, {"tag_field", "string"}},
	"KubernetesWatchRef":              {{"uid", "string"}, {"namespace", "string"}, {"name", "string"}},
	"LabelSelector":                   {{"match_labels", "stringmap"}, {"match_expressions", "objlist:LabelSelectorRequirement"}},
	"LabelSelectorRequirement":        {{"key", "string"}, {"operator", "string"}, {"values", "stringlist"}},
	"ObjectSelector":                  {{"api_version_regexp", "string"}, {"kind_regexp", "string"}, {"name_regexp", "string"}, {"namespace_regexp", "string"}},
	"PodLogStreamTemplateSpec":        {{"since_time", "string"}, {"only_containers", "stringlist"}, {"ignore_containers", "stringlist"}},
	"PortForwardTemplateSpec":         {{"forwards", "objlist:Forward"}},
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
	"forward":    "Forward", "kubernetes_apply_cmd": "KubernetesApplyCmd",
	"kubernetes_discovery_template_spec": "KubernetesDiscoveryTemplateSpec",
	"kubernetes_image_locator":           "KubernetesImageLocator",
	"kubernetes_image_object_descriptor": "KubernetesImageObjectDescriptor",
	"kubernetes_watch_ref":               "KubernetesWatchRef", "label_selector": "LabelSelector",
	"label_selector_requirement": "LabelSelectorRequirement", "object_selector": "ObjectSelector",
	"pod_log_stream_template_spec": "PodLogStreamTemplateSpec", "port_forward_template_spec": "PortForwardTemplateSpec",
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
	// types.go:444-475: no show_inputs_as_modal in v0.37.6.
	"ui_button": {"uibuttons", []field{{"location", "obj:UIComponentLocation"}, {"text", "string"}, {"icon_name", "string"},
		{"icon_svg", "string"}, {"disabled", "bool"}, {"requires_confirmation", "bool"},
		{"inputs", "objlist:UIInputSpec"}}},
	"kubernetes_apply": {"kubernetesapplys", []field{{"yaml", "string"}, {"image_maps", "stringlist"},
		{"image_locators", "objlist:KubernetesImageLocator"}, {"timeout", "string"},
		{"kubernetes_discovery_template_spec", "obj:KubernetesDiscoveryTemplateSpec"},
		{"port_forward_template_spec", "obj:PortForwardTemplateSpec"}, {"pod_log_stream_template_spec", "obj:PodLogStreamTemplateSpec"},
		{"discovery_strategy", "string"}, {"disable_source", "obj:DisableSource"}, {"apply_cmd", "obj:KubernetesApplyCmd"},
		{"restart_on", "obj:RestartOnSpec"}, {"delete_cmd", "obj:KubernetesApplyCmd"}, {"cluster", "string"}, {"server_side_apply", "string"}}},
	"kubernetes_discovery": {"kubernetesdiscoverys", []field{{"watches", "objlist:KubernetesWatchRef"},
		{"extra_selectors", "objlist:LabelSelector"}, {"port_forward_template_spec", "obj:PortForwardTemplateSpec"},
		{"pod_log_stream_template_spec", "obj:PodLogStreamTemplateSpec"}, {"cluster", "string"}}},
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
		if err := aggregate(s.validateObject(ctor, obj)); err != nil {
			return nil, err
		}
		// v1alpha1/plugin.go:47-61: registering the same name again is fine
		// when the object is identical (it replaces the old one); a
		// different object of that name fails.
		for i, prev := range s.apiObjects[ot.plural] {
			if prev.Name == obj.Name {
				if !sameObject(prev, obj) {
					return nil, fmt.Errorf("%s %q already registered", ot.plural, obj.Name)
				}
				s.apiObjects[ot.plural][i] = obj
				return starlark.None, nil
			}
		}
		if _, ok := s.apiObjects[ot.plural]; !ok {
			s.apiKinds = append(s.apiKinds, ot.plural)
		}
		s.apiObjects[ot.plural] = append(s.apiObjects[ot.plural], obj)
		return starlark.None, nil
	}
}

func sameObject(a, b *apiObject) bool {
	ja, errA := marshalJSON(a)
	jb, errB := marshalJSON(b)
	return errA == nil && errB == nil && string(ja) == string(jb)
}

// validateObject returns the errors of the API types' Validate methods
// (pkg/apis/core/v1alpha1, v0.37.6), which Tilt runs on registration
// (v1alpha1/plugin.go:38-45). Messages follow apimachinery's field.Error.
func (s *state) validateObject(ctor string, o *apiObject) []string {
	var errs []string
	if o.Name == "" {
		errs = append(errs, "metadata.name: Required value: name or generateName is required")
	}
	str := func(m map[string]interface{}, k string) string { v, _ := m[k].(string); return v }
	switch ctor {
	case "extension_repo": // extensionrepo_types.go:136-159
		url := str(o.Spec, "url")
		isWeb := strings.HasPrefix(url, "https://") || strings.HasPrefix(url, "http://")
		isFile := strings.HasPrefix(url, "file://")
		switch {
		case !isWeb && !isFile:
			errs = append(errs, fmt.Sprintf("spec.url: Invalid value: %q: URLs must start with http(s):// or file://", url))
		case isFile && !filepath.IsAbs(strings.TrimPrefix(url, "file://")):
			errs = append(errs, fmt.Sprintf("spec.url: Invalid value: %q: file:// URLs must be absolute (e.g., file:///home/user/repo)", url))
		case isFile && str(o.Spec, "git_subpath") != "":
			errs = append(errs, fmt.Sprintf("spec.git_subpath: Invalid value: %q: cannot use git_subpath for file:// URL extension repositories", str(o.Spec, "git_subpath")))
		}
	case "ui_button": // uibutton_types.go:169-205, 303-328
		if str(o.Spec, "text") == "" {
			errs = append(errs, "spec.text: Required value: Button text cannot be empty")
		}
		loc, _ := o.Spec["location"].(map[string]interface{})
		if str(loc, "component_id") == "" {
			errs = append(errs, "spec.location.componentID: Required value: Parent component ID is required")
		}
		if str(loc, "component_type") == "" {
			errs = append(errs, "spec.location.componentType: Required value: Parent component type is required")
		}
		if svg := str(o.Spec, "icon_svg"); svg != "" && !strings.Contains(svg, "<svg") {
			errs = append(errs, fmt.Sprintf("spec.iconSVG: Invalid value: %q: Invalid <svg> element", svg))
		}
		inputs, _ := o.Spec["inputs"].([]interface{})
		seen := map[string]bool{}
		for i, in := range inputs {
			m, _ := in.(map[string]interface{})
			name := str(m, "name")
			if seen[name] {
				errs = append(errs, fmt.Sprintf("spec.inputs[%d].id: Duplicate value: %q", i, name))
			}
			seen[name] = true
			n := 0
			for _, k := range []string{"text", "bool", "hidden", "choice"} {
				if _, ok := m[k]; ok {
					n++
				}
			}
			if c, ok := m["choice"].(map[string]interface{}); ok {
				if choices, _ := c["choices"].([]string); len(choices) == 0 {
					errs = append(errs, fmt.Sprintf("spec: Invalid value: %q: must specify choices if input type is choice", name))
				}
			}
			if n != 1 {
				errs = append(errs, fmt.Sprintf("spec: Invalid value: %q: must specify exactly one input type", name))
			}
		}
	case "kubernetes_apply": // kubernetesapply_types.go:248-280, 449-455
		if ds := str(o.Spec, "discovery_strategy"); ds != "" && ds != "default" && ds != "selectors-only" {
			errs = append(errs, fmt.Sprintf("spec.discoveryStrategy: Unsupported value: %q: supported values: \"default\", \"selectors-only\"", ds))
		}
		applyCmd, hasCmd := o.Spec["apply_cmd"].(map[string]interface{})
		switch {
		case str(o.Spec, "yaml") != "" && hasCmd:
			errs = append(errs, "spec.applyCmd: Invalid value: must specify exactly ONE of .spec.yaml or .spec.applyCmd")
		case str(o.Spec, "yaml") == "" && hasCmd:
			if a, _ := applyCmd["args"].([]string); len(a) == 0 {
				errs = append(errs, "spec.applyCmd.args: Required value: args cannot be empty")
			}
		case str(o.Spec, "yaml") == "":
			errs = append(errs, "spec.yaml: Required value: must specify exactly ONE of .spec.yaml or .spec.applyCmd")
		}
	}
	return errs
}

func (s *state) v1alpha1Module() *starlarkstruct.Module {
	members := starlark.StringDict{}
	for name := range objectTypes {
		members[name] = starlark.NewBuiltin("v1alpha1."+name, s.objectConstructor(name))
	}
	for name, typ := range specConstructors {
		members[name] = starlark.NewBuiltin("v1alpha1."+name, s.specConstructor(typ))
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
	if repo == nil && repoName == "default" && s.opts.extRepo != "" {
		repo = &apiObject{Name: "default", Spec: map[string]interface{}{"url": "file://" + s.opts.extRepo}}
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

// buttons joins each UIButton with the Cmd that its press starts. Under
// `tilt down` the Tiltfile is loaded with all its checks, but only the
// manifests are used (internal/cli/down.go:86-120): no button is created.
func (s *state) buttons() []map[string]interface{} {
	out := []map[string]interface{}{}
	if s.opts.subcommand == "down" {
		return out
	}
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
			"requires_confirmation": get("requires_confirmation", false),
			"inputs":                get("inputs", []interface{}{}), "labels": b.Meta["labels"], "annotations": b.Meta["annotations"], "cmd": cmd,
		})
	}
	return out
}
