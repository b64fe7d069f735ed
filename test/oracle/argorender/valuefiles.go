package main

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/bmatcuk/doublestar"
)

type source struct {
	RepoURL        string `json:"repoURL"`
	Path           string `json:"path"`
	TargetRevision string `json:"targetRevision"`
	Ref            string `json:"ref"`
	Helm           *struct {
		ReleaseName             string   `json:"releaseName"`
		ValueFiles              []string `json:"valueFiles"`
		IgnoreMissingValueFiles bool     `json:"ignoreMissingValueFiles"`
	} `json:"helm"`
}

type application struct {
	Metadata struct {
		Name string `json:"name"`
	} `json:"metadata"`
	Spec struct {
		Project     string   `json:"project"`
		Source      *source  `json:"source"`
		Sources     []source `json:"sources"`
		Destination struct {
			Namespace string `json:"namespace"`
		} `json:"destination"`
	} `json:"spec"`
}

// fakeRevision stands for the commit the repo-server checks out; tilt-values-parity cannot know
// it, so a value file that uses $ARGOCD_APP_REVISION must be a finding there.
const fakeRevision = "0123456789abcdef0123456789abcdef01234567"

// appEnv is newEnv (reposerver/repository/repository.go:1773-1786, v3.4.7).
func appEnv(a application, src source) map[string]string {
	return map[string]string{
		"ARGOCD_APP_NAME":                   a.Metadata.Name,
		"ARGOCD_APP_NAMESPACE":              a.Spec.Destination.Namespace,
		"ARGOCD_APP_PROJECT_NAME":           a.Spec.Project,
		"ARGOCD_APP_REVISION":               fakeRevision,
		"ARGOCD_APP_REVISION_SHORT":         fakeRevision[:7],
		"ARGOCD_APP_REVISION_SHORT_8":       fakeRevision[:8],
		"ARGOCD_APP_SOURCE_REPO_URL":        src.RepoURL,
		"ARGOCD_APP_SOURCE_PATH":            src.Path,
		"ARGOCD_APP_SOURCE_TARGET_REVISION": src.TargetRevision,
	}
}

// envsubst is Env.Envsubst (pkg/apis/application/v1alpha1/types.go:181): os.Expand, `$$`
// kept as `$`, unknown variables empty.
func envsubst(env map[string]string, s string) string {
	return os.Expand(s, func(name string) string {
		if name == "$" {
			return "$"
		}
		return env[name]
	})
}

// resolvePath is resolveFileOrDirectory (util/io/path/resolved.go:135-188): relative to the
// app's path, absolute from the repository root, symlinks resolved, never outside the root.
func resolvePath(root, appPath, file string) (string, error) {
	if u, err := url.Parse(file); err == nil && u.Scheme != "" {
		return "", fmt.Errorf("remote value file %q", file)
	}
	p := file
	if filepath.IsAbs(p) {
		p = filepath.Join(root, p)
	} else {
		p = filepath.Join(appPath, p)
	}
	if real, err := filepath.EvalSymlinks(p); err == nil {
		p = real
	}
	if p == root {
		return "", errors.New("path resolved to repository root, which is not allowed")
	}
	if !strings.HasPrefix(p, root+string(os.PathSeparator)) {
		return "", fmt.Errorf("file '%s' resolved to outside repository root", file)
	}
	return p, nil
}

func isGlob(p string) bool { return strings.ContainsAny(p, "*?[") }

// resolveValueFiles is getResolvedValueFiles (repository.go:1381-1490, v3.4.7): `$ref/...`
// from the ref source's checkout (the same repository here), env variables substituted,
// globs expanded in lexical order (3.4+) with explicit entries keeping their own position,
// duplicates dropped, missing files dropped only with ignoreMissingValueFiles.
func resolveValueFiles(root string, a application, src source, sources []source) ([]string, error) {
	env := appEnv(a, src)
	appPath := filepath.Join(root, src.Path)
	refs := map[string]bool{}
	for _, s := range sources {
		if s.Ref != "" {
			refs["$"+s.Ref] = true
		}
	}
	resolve := func(raw string) (string, error) {
		if strings.HasPrefix(raw, "$") && refs[strings.Split(raw, "/")[0]] {
			parts := strings.Split(raw, "/")
			parts[0] = ""
			return resolvePath(root, root, envsubst(env, strings.Join(parts, "/")))
		}
		return resolvePath(root, appPath, envsubst(env, raw))
	}
	explicit := map[string]bool{}
	for _, raw := range src.Helm.ValueFiles {
		if p, err := resolve(raw); err == nil && !isGlob(p) {
			explicit[p] = true
		}
	}
	var out []string
	seen := map[string]bool{}
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			rel, _ := filepath.Rel(root, p)
			out = append(out, filepath.ToSlash(rel))
		}
	}
	for _, raw := range src.Helm.ValueFiles {
		p, err := resolve(raw)
		if err != nil {
			return nil, fmt.Errorf("error resolving value file path: %w", err)
		}
		if isGlob(p) {
			matches, err := doublestar.Glob(p)
			if err != nil {
				return nil, err
			}
			if len(matches) == 0 {
				if src.Helm.IgnoreMissingValueFiles {
					continue
				}
				return nil, fmt.Errorf("values file glob %q matched no files", raw)
			}
			for _, m := range matches {
				if !explicit[m] {
					add(m)
				}
			}
			continue
		}
		if _, err := os.Stat(p); os.IsNotExist(err) && src.Helm.IgnoreMissingValueFiles {
			continue
		}
		add(p)
	}
	if out == nil {
		out = []string{}
	}
	return out, nil
}
