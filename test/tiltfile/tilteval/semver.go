package main

// version_settings(constraint=) is checked against the Tilt this harness
// models, with the range syntax of blang/semver that Tilt uses
// (version/version.go:48-59): comparisons (>, >=, <, <=, =, ==, !=, or a
// bare version) joined by spaces (and) and "||" (or).

import (
	"fmt"
	"strconv"
	"strings"
)

const modelledTiltVersion = "0.37.6"

func parseVersion(v string) ([3]int, error) {
	var out [3]int
	parts := strings.Split(strings.TrimPrefix(v, "v"), ".")
	if len(parts) != 3 {
		return out, fmt.Errorf("No Major.Minor.Patch elements found")
	}
	for i, p := range parts {
		if j := strings.IndexAny(p, "-+"); j >= 0 && i == 2 {
			p = p[:j]
		}
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return out, fmt.Errorf("Invalid character(s) found in version %q", v)
		}
		out[i] = n
	}
	return out, nil
}

func compareVersions(a, b [3]int) int {
	for i := 0; i < 3; i++ {
		if a[i] != b[i] {
			if a[i] < b[i] {
				return -1
			}
			return 1
		}
	}
	return 0
}

func versionSatisfies(version, constraint string) (bool, error) {
	have, err := parseVersion(version)
	if err != nil {
		return false, err
	}
	anyOK := false
	for _, alt := range strings.Split(constraint, "||") {
		fields := strings.Fields(alt)
		if len(fields) == 0 {
			return false, fmt.Errorf("Could not get version from string: %q", alt)
		}
		allOK := true
		for _, f := range fields {
			op := f[:len(f)-len(strings.TrimLeft(f, "<>=!"))]
			want, err := parseVersion(f[len(op):])
			if err != nil {
				return false, err
			}
			c := compareVersions(have, want)
			ok := map[string]bool{"": c == 0, "=": c == 0, "==": c == 0, "!=": c != 0, "!": c != 0,
				">": c > 0, ">=": c >= 0, "<": c < 0, "<=": c <= 0}
			res, known := ok[op]
			if !known {
				return false, fmt.Errorf("Could not parse Range %q: unknown operator %q", constraint, op)
			}
			allOK = allOK && res
		}
		anyOK = anyOK || allOK
	}
	return anyOK, nil
}
