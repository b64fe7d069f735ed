package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// result of one tilt-eval run, in-process.
type result struct {
	code   int
	stdout string
	stderr string
	doc    map[string]interface{}
}

// writeTree writes files (relative path -> content) under a fresh temp dir.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for rel, content := range files {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func runEval(t *testing.T, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	r := result{code: code, stdout: out.String(), stderr: errb.String()}
	if code == 0 {
		if err := json.Unmarshal(out.Bytes(), &r.doc); err != nil {
			t.Fatalf("stdout is not one JSON document: %v\n%s", err, r.stdout)
		}
	} else if out.Len() != 0 {
		t.Fatalf("exit %d but stdout was written: %s", code, r.stdout)
	}
	return r
}

// evalTiltfile writes main as the Tiltfile (plus extra files) and runs it.
func evalTiltfile(t *testing.T, main string, extra map[string]string, args ...string) (result, string) {
	t.Helper()
	files := map[string]string{"Tiltfile": main}
	for k, v := range extra {
		files[k] = v
	}
	dir := writeTree(t, files)
	flags, tiltArgs := splitArgs(args)
	all := append(append([]string{}, flags...), filepath.Join(dir, "Tiltfile"))
	if tiltArgs != nil {
		all = append(append(all, "--"), tiltArgs...)
	}
	return runEval(t, all...), dir
}

func splitArgs(args []string) (flags, tiltArgs []string) {
	for i, a := range args {
		if a == "--" {
			return args[:i], args[i+1:]
		}
	}
	return args, nil
}

func mustOK(t *testing.T, r result) map[string]interface{} {
	t.Helper()
	if r.code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	return r.doc
}

func mustFail(t *testing.T, r result, wants ...string) {
	t.Helper()
	if r.code != 1 {
		t.Fatalf("want exit 1, got %d; stdout=%s stderr=%s", r.code, r.stdout, r.stderr)
	}
	for _, w := range wants {
		if !strings.Contains(r.stderr, w) {
			t.Fatalf("stderr lacks %q:\n%s", w, r.stderr)
		}
	}
}

// mustFailEach evaluates each Tiltfile text (with files) and wants it to
// fail with the paired message.
func mustFailEach(t *testing.T, files map[string]string, cases [][2]string) {
	t.Helper()
	for _, c := range cases {
		r, _ := evalTiltfile(t, c[0]+"\n", files)
		mustFail(t, r, c[1])
	}
}

func resources(doc map[string]interface{}) map[string]map[string]interface{} {
	out := map[string]map[string]interface{}{}
	for _, r := range doc["resources"].([]interface{}) {
		m := r.(map[string]interface{})
		out[m["name"].(string)] = m
	}
	return out
}

func strs(v interface{}) []string {
	var out []string
	for _, x := range v.([]interface{}) {
		out = append(out, x.(string))
	}
	return out
}

func eqStrs(t *testing.T, what string, got interface{}, want ...string) {
	t.Helper()
	g := strs(got)
	if strings.Join(g, "\x00") != strings.Join(want, "\x00") || len(g) != len(want) {
		t.Fatalf("%s: got %q, want %q", what, g, want)
	}
}
