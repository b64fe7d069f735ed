// Command tilt-eval evaluates a Tiltfile with go.starlark.net (the interpreter
// Tilt embeds) against Tilt's builtin signatures and prints, as one JSON
// document, the resources, images, buttons and settings Tilt would create.
//
//	tilt-eval [--env K=V]... [--subcommand up|ci|down] [--context NAME]
//	          [--local allow|record] TILTFILE [-- TILT ARGS...]
//
// Exit codes: 0 evaluated, 1 the Tiltfile failed (Tilt-like error on stderr),
// 2 usage error.
package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

type options struct {
	env        []string // K=V pairs layered over the process environment
	subcommand string
	context    string
	namespace  string
	localMode  string
	extRepo    string // stands in for Tilt's default extension repo (no network here)
	tiltfile   string
	tiltArgs   []string
}

const usage = `usage: tilt-eval [--env K=V]... [--subcommand up|ci|down] [--context NAME]
                 [--namespace NAME] [--local allow|record] [--default-extension-repo DIR]
                 TILTFILE [-- TILT ARGS...]`

func parseOptions(argv []string) (options, error) {
	o := options{subcommand: "up", context: "kind-kind", namespace: "default", localMode: "allow"}
	for i := 0; i < len(argv); i++ {
		a := argv[i]
		if a == "--" {
			if o.tiltfile == "" {
				return o, fmt.Errorf("TILTFILE is required before --")
			}
			o.tiltArgs = append([]string{}, argv[i+1:]...)
			break
		}
		name, val, hasVal := strings.Cut(a, "=")
		takesValue := map[string]bool{"--env": true, "--subcommand": true, "--context": true, "--namespace": true, "--local": true, "--default-extension-repo": true}
		if takesValue[name] {
			if !hasVal {
				if i+1 >= len(argv) {
					return o, fmt.Errorf("%s needs a value", name)
				}
				i++
				val = argv[i]
			}
			switch name {
			case "--env":
				if !strings.Contains(val, "=") {
					return o, fmt.Errorf("--env wants K=V, got %q", val)
				}
				o.env = append(o.env, val)
			case "--subcommand":
				if val != "up" && val != "ci" && val != "down" {
					return o, fmt.Errorf("--subcommand must be up, ci or down, got %q", val)
				}
				o.subcommand = val
			case "--context":
				o.context = val
			case "--namespace":
				o.namespace = val
			case "--default-extension-repo":
				abs, err := filepath.Abs(val)
				if err != nil {
					return o, err
				}
				o.extRepo = abs
			case "--local":
				if val != "allow" && val != "record" {
					return o, fmt.Errorf("--local must be allow or record, got %q", val)
				}
				o.localMode = val
			}
			continue
		}
		if a == "-h" || a == "--help" {
			return o, fmt.Errorf("help")
		}
		if strings.HasPrefix(a, "-") {
			return o, fmt.Errorf("unknown option %q", a)
		}
		if o.tiltfile != "" {
			return o, fmt.Errorf("only one TILTFILE may be given (got %q and %q); put Tilt args after --", o.tiltfile, a)
		}
		o.tiltfile = a
	}
	if o.tiltfile == "" {
		return o, fmt.Errorf("TILTFILE is required")
	}
	return o, nil
}

// run is main without the process exit, so tests can drive it in-process.
func run(argv []string, stdout, stderr io.Writer) int {
	o, err := parseOptions(argv)
	if err != nil {
		if err.Error() == "help" {
			fmt.Fprintln(stdout, usage)
			return 0
		}
		fmt.Fprintf(stderr, "tilt-eval: %v\n%s\n", err, usage)
		return 2
	}
	if _, err := os.Stat(o.tiltfile); err != nil {
		fmt.Fprintf(stderr, "tilt-eval: %v\n", err)
		return 2
	}
	out, err := evaluate(o)
	if err != nil {
		fmt.Fprintln(stderr, err.Error())
		return 1
	}
	if _, err := stdout.Write(out); err != nil {
		fmt.Fprintf(stderr, "tilt-eval: %v\n", err)
		return 2
	}
	return 0
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
