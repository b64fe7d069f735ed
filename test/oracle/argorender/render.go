package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig"
	"github.com/ghodss/yaml"
	"github.com/valyala/fasttemplate"
)

type gitFileItem struct {
	Path    string `json:"path"`
	Exclude bool   `json:"exclude"`
}

type appSet struct {
	Metadata struct {
		Name string `json:"name"`
	} `json:"metadata"`
	Spec struct {
		GoTemplate        bool     `json:"goTemplate"`
		GoTemplateOptions []string `json:"goTemplateOptions"`
		Generators        []struct {
			Git *struct {
				Files []gitFileItem `json:"files"`
			} `json:"git"`
		} `json:"generators"`
		Template      map[string]any `json:"template"`
		TemplatePatch *string        `json:"templatePatch"`
	} `json:"spec"`
}

// funcs is sprig's generic map with Argo's changes (applicationset/utils/utils.go:37-46,
// v3.4.7): env, expandenv and getHostByName removed; normalize, toYaml, fromYaml and
// fromYamlArray added (slugify needs gosimple/slug, which Debian does not package: left out).
var funcs = func() template.FuncMap {
	m := sprig.TxtFuncMap()
	delete(m, "env")
	delete(m, "expandenv")
	delete(m, "getHostByName")
	m["normalize"] = sanitizeName
	m["toYaml"] = func(v any) (string, error) {
		data, err := yaml.Marshal(v)
		if err != nil {
			return "", err
		}
		return strings.TrimSuffix(string(data), "\n"), nil
	}
	m["fromYaml"] = func(s string) (map[string]any, error) {
		out := map[string]any{}
		return out, yaml.Unmarshal([]byte(s), &out)
	}
	m["fromYamlArray"] = func(s string) ([]any, error) {
		out := []any{}
		return out, yaml.Unmarshal([]byte(s), &out)
	}
	return m
}()

var isTemplated = regexp.MustCompile(".*{{.*}}.*")

// replace follows Render.Replace (applicationset/utils/utils.go:402-443, v3.4.7): Go
// text/template with the options in order, or fasttemplate with `{{`/`}}` where an unknown
// tag stays literal.
func replace(tmpl string, params map[string]any, goTemplate bool, options []string) (_ string, err error) {
	if goTemplate {
		// text/template panics on an option it does not know; the controller's reconcile fails
		// (controller-runtime recovers the panic), so no Application is generated.
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("panic: %v", r)
			}
		}()
		t := template.New("base").Funcs(funcs)
		for _, o := range options {
			t = t.Option(o)
		}
		parsed, err := t.Parse(tmpl)
		if err != nil {
			return "", fmt.Errorf("failed to parse template %s: %w", tmpl, err)
		}
		var buf bytes.Buffer
		if err := parsed.Execute(&buf, params); err != nil {
			return "", fmt.Errorf("failed to execute go template %s: %w", tmpl, err)
		}
		return buf.String(), nil
	}
	if !isTemplated.MatchString(tmpl) {
		return tmpl, nil
	}
	ft, err := fasttemplate.NewTemplate(tmpl, "{{", "}}")
	if err != nil {
		return "", fmt.Errorf("invalid template: %w", err)
	}
	return ft.ExecuteFuncString(func(w io.Writer, tag string) (int, error) {
		trimmed := strings.TrimSpace(tag)
		v, ok := params[trimmed].(string)
		if trimmed == "" || !ok {
			return fmt.Fprintf(w, "{{%s}}", tag)
		}
		return w.Write([]byte(v))
	}), nil
}

// deepReplace renders every string and map key, as deeplyReplace does over the Application
// (utils.go:93-260); null map values are dropped (utils.go:211).
func deepReplace(v any, params map[string]any, goTemplate bool, options []string) (any, error) {
	switch t := v.(type) {
	case string:
		return replace(t, params, goTemplate, options)
	case []any:
		out := make([]any, len(t))
		for i, item := range t {
			r, err := deepReplace(item, params, goTemplate, options)
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	case map[string]any:
		out := map[string]any{}
		for k, item := range t {
			if item == nil {
				continue
			}
			r, err := deepReplace(item, params, goTemplate, options)
			if err != nil {
				return nil, err
			}
			key, err := replace(k, params, goTemplate, options)
			if err != nil {
				return nil, err
			}
			out[key] = r
		}
		return out, nil
	}
	return v, nil
}

// mergePatch applies a JSON merge patch: the templatePatch is a strategic merge patch
// (applicationset/controllers/template/patch.go:13-40), which for the Application fields the
// cases patch (maps, and lists without a merge key) has the same result.
func mergePatch(target, patch any) any {
	p, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	t, ok := target.(map[string]any)
	if !ok {
		t = map[string]any{}
	}
	for k, v := range p {
		if v == nil {
			delete(t, k)
		} else {
			t[k] = mergePatch(t[k], v)
		}
	}
	return t
}

func renderAppSetFile(root, file string) appSetResult {
	res := appSetResult{File: file, Apps: []appResult{}}
	data, err := os.ReadFile(filepath.Join(root, file))
	if err != nil {
		res.Error = err.Error()
		return res
	}
	var set appSet
	if err := yaml.Unmarshal(data, &set); err != nil {
		res.Error = err.Error()
		return res
	}
	res.Name = set.Metadata.Name
	spec := set.Spec
	for _, g := range spec.Generators {
		if g.Git == nil {
			continue
		}
		files, err := generatorFiles(root, g.Git.Files)
		if err != nil {
			res.Error = err.Error()
			return res
		}
		for _, f := range files {
			all, err := fileParams(root, f, spec.GoTemplate)
			if err != nil {
				res.Apps = append(res.Apps, appResult{File: f, Element: -1, Error: err.Error()})
				continue
			}
			for i, params := range all {
				app := renderApp(root, spec.Template, spec.TemplatePatch, params, spec.GoTemplate, spec.GoTemplateOptions)
				app.File, app.Element = f, i
				res.Apps = append(res.Apps, app)
			}
		}
	}
	return res
}

// renderApp renders one Application (controllers/template/template.go:38-62) and resolves
// what the repo-server would give helm.
func renderApp(root string, tmpl map[string]any, patch *string, params map[string]any, goTemplate bool, options []string) appResult {
	var app appResult
	rendered, err := deepReplace(tmpl, params, goTemplate, options)
	if err != nil {
		app.Error = err.Error()
		return app
	}
	// Through JSON into the typed fields the comparison needs, as the controller's typed
	// Application does (template.go:38-62).
	decode := func(v any) (application, error) {
		raw, _ := json.Marshal(v)
		var a application
		return a, json.Unmarshal(raw, &a)
	}
	pre, err := decode(rendered)
	if err != nil {
		app.Error = "the rendered Application does not decode: " + err.Error()
		return app
	}
	if patch != nil {
		// applyTemplatePatch (controllers/template/patch.go:13-40): the rendered patch read as
		// YAML 1.1, decoded on its own as an Application, merged; null changes nothing; the
		// project is kept.
		text, err := replace(*patch, params, goTemplate, options)
		if err != nil {
			app.Error = err.Error()
			return app
		}
		var p any
		if err := yaml.Unmarshal([]byte(text), &p); err != nil {
			app.Error = "templatePatch: " + err.Error()
			return app
		}
		if _, err := decode(p); err != nil {
			app.Error = "invalid templatePatch: " + err.Error()
			return app
		}
		if p != nil {
			rendered = mergePatch(rendered, p)
		}
	}
	a, err := decode(rendered)
	if err != nil {
		app.Error = "the rendered Application does not decode: " + err.Error()
		return app
	}
	a.Spec.Project = pre.Spec.Project
	app.Name = a.Metadata.Name
	app.Namespace = a.Spec.Destination.Namespace
	sources := a.Spec.Sources
	if len(sources) == 0 && a.Spec.Source != nil {
		sources = []source{*a.Spec.Source}
	}
	chart := -1
	for i, s := range sources {
		if s.Helm != nil || (s.Path != "" && s.Ref == "") {
			chart = i
			break
		}
	}
	if chart < 0 {
		app.Error = "no chart source"
		return app
	}
	src := sources[chart]
	// The repo-server joins the source path to the checkout (argopath.Path, filepath.Join), so
	// "./charts/app" and "charts/app/" are the same chart folder: compared cleaned.
	app.Chart = path.Clean(src.Path)
	app.Release = app.Name
	app.ValueFiles = []string{}
	if src.Helm == nil {
		return app
	}
	if src.Helm.ReleaseName != "" {
		app.Release = src.Helm.ReleaseName
	}
	files, err := resolveValueFiles(root, a, src, sources)
	if err != nil {
		app.Error = err.Error()
		return app
	}
	app.ValueFiles = files
	return app
}
