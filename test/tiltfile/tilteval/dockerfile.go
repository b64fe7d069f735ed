package main

// The base images a Dockerfile names. Tilt reads each docker_build's
// Dockerfile at load time and makes a build whose FROM names another build
// depend on it (tiltfile_state.go:666-683, internal/dockerfile FindImages):
// that base build counts as used, and its paths are watched for the live
// update checks. ARG defaults and build_args are substituted in FROM.

import (
	"regexp"
	"strings"
)

var argRef = regexp.MustCompile(`\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?`)

func dockerfileBaseImages(text string, buildArgs map[string]string) []string {
	args := map[string]string{}
	stages := map[string]bool{}
	var out []string
	for _, raw := range strings.Split(strings.ReplaceAll(text, "\\\n", " "), "\n") {
		fields := strings.Fields(raw)
		if len(fields) < 2 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		switch strings.ToUpper(fields[0]) {
		case "ARG":
			name, def, _ := strings.Cut(fields[1], "=")
			if v, ok := buildArgs[name]; ok {
				def = v
			}
			args[name] = def
		case "FROM":
			rest := fields[1:]
			for len(rest) > 0 && strings.HasPrefix(rest[0], "--") {
				rest = rest[1:]
			}
			if len(rest) == 0 {
				continue
			}
			ref := argRef.ReplaceAllStringFunc(rest[0], func(m string) string {
				return args[argRef.FindStringSubmatch(m)[1]]
			})
			if len(rest) >= 3 && strings.EqualFold(rest[1], "AS") {
				stages[strings.ToLower(rest[2])] = true
			}
			if ref != "" && !stages[strings.ToLower(ref)] && ref != "scratch" {
				out = append(out, ref)
			}
		}
	}
	return out
}
