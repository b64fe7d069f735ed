// Command argo-render is the differential test's oracle: it renders the Applications that Argo
// CD's ApplicationSet controller and repo-server would produce for a workspace, with the real Go
// text/template, sprig and YAML 1.1 decoding, and prints what tilt-values-parity must agree on.
//
//	argo-render REPO_ROOT APPSET_FILE...
//
// Output (JSON): {"application_sets": [{"file", "name", "error", "apps": [{"file", "element",
// "name", "release", "namespace", "chart", "value_files", "error"}]}]}. Paths are relative to
// REPO_ROOT. Modelled on Argo CD v3.4.7; each step cites the upstream file and line.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

type appResult struct {
	File       string   `json:"file"`
	Element    int      `json:"element"`
	Name       string   `json:"name"`
	Release    string   `json:"release"`
	Namespace  string   `json:"namespace"`
	Chart      string   `json:"chart"`
	ValueFiles []string `json:"value_files"`
	Error      string   `json:"error,omitempty"`
}

type appSetResult struct {
	File  string      `json:"file"`
	Name  string      `json:"name"`
	Error string      `json:"error,omitempty"`
	Apps  []appResult `json:"apps"`
}

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: argo-render REPO_ROOT APPSET_FILE...")
		os.Exit(2)
	}
	root, err := filepath.Abs(os.Args[1])
	if err == nil {
		root, err = filepath.EvalSymlinks(root)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	out := struct {
		ApplicationSets []appSetResult `json:"application_sets"`
	}{ApplicationSets: []appSetResult{}}
	for _, file := range os.Args[2:] {
		out.ApplicationSets = append(out.ApplicationSets, renderAppSetFile(root, file))
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
}
