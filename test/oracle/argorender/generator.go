package main

import (
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/ghodss/yaml"
)

// gitFiles lists the repository files a git files generator pattern matches, as the
// repo-server's default (non-"new globbing") path does: `git ls-files --full-name -z -- PATTERN`
// (util/git/client.go LsFiles, v3.4.7), so `*` also matches '/' (git pathspec rules).
func gitFiles(root, pattern string) ([]string, error) {
	cmd := exec.Command("git", "ls-files", "--full-name", "-z", "--", pattern)
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("git ls-files %s: %w", pattern, err)
	}
	parts := strings.Split(string(out), "\x00")
	return parts[:len(parts)-1], nil
}

// generatorFiles follows applicationset/generators/git.go:144-215: the union of the include
// patterns minus the exclude patterns, sorted.
func generatorFiles(root string, files []gitFileItem) ([]string, error) {
	set := map[string]bool{}
	for _, f := range files {
		if f.Exclude {
			continue
		}
		matched, err := gitFiles(root, f.Path)
		if err != nil {
			return nil, err
		}
		for _, m := range matched {
			set[m] = true
		}
	}
	for _, f := range files {
		if !f.Exclude {
			continue
		}
		matched, err := gitFiles(root, f.Path)
		if err != nil {
			return nil, err
		}
		for _, m := range matched {
			delete(set, m)
		}
	}
	var sorted []string
	for f := range set {
		sorted = append(sorted, f)
	}
	sort.Strings(sorted)
	return sorted, nil
}

// fileParams follows applicationset/generators/git.go:221-293: the file is one YAML object or
// a list of them (decoded as sigs.k8s.io/yaml does: YAML 1.1 through JSON, numbers float64);
// goTemplate keeps the structure and adds path.*, otherwise the object is flattened to
// strings with path, path.basename, ..., path[N].
func fileParams(root, file string, goTemplate bool) ([]map[string]any, error) {
	content, err := os.ReadFile(filepath.Join(root, file))
	if err != nil {
		return nil, err
	}
	objects := []map[string]any{}
	single := map[string]any{}
	if err := yaml.Unmarshal(content, &single); err == nil {
		objects = append(objects, single)
	} else if err := yaml.Unmarshal(content, &objects); err != nil {
		return nil, fmt.Errorf("unable to parse file: %w", err)
	}
	dir := path.Dir(file)
	var res []map[string]any
	for _, obj := range objects {
		params := map[string]any{}
		if goTemplate {
			for k, v := range obj {
				params[k] = v
			}
			params["path"] = map[string]any{
				"path":               dir,
				"basename":           path.Base(dir),
				"filename":           path.Base(file),
				"basenameNormalized": sanitizeName(path.Base(dir)),
				"filenameNormalized": sanitizeName(path.Base(file)),
				"segments":           strings.Split(dir, "/"),
			}
		} else {
			for k, v := range flatten(obj) {
				params[k] = fmt.Sprintf("%v", v)
			}
			params["path"] = dir
			params["path.basename"] = path.Base(dir)
			params["path.filename"] = path.Base(file)
			params["path.basenameNormalized"] = sanitizeName(path.Base(dir))
			params["path.filenameNormalized"] = sanitizeName(path.Base(file))
			for i, seg := range strings.Split(dir, "/") {
				if seg != "" {
					params["path["+strconv.Itoa(i)+"]"] = seg
				}
			}
		}
		res = append(res, params)
	}
	return res, nil
}

// flatten writes nested maps and lists as dotted keys ("a.b", "list.0"), the
// github.com/jeremywohl/flatten DotStyle that git.go:260 uses (not packaged in Debian; the
// generated cases keep nested collections non-empty, where its behaviour is plain).
func flatten(obj map[string]any) map[string]any {
	out := map[string]any{}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch t := v.(type) {
		case map[string]any:
			for k, item := range t {
				walk(join(prefix, k), item)
			}
		case []any:
			for i, item := range t {
				walk(join(prefix, strconv.Itoa(i)), item)
			}
		default:
			out[prefix] = v
		}
	}
	for k, v := range obj {
		walk(k, v)
	}
	return out
}

func join(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}
