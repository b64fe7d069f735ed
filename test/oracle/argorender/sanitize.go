package main

import (
	"regexp"
	"strings"
)

var invalidDNSChars = regexp.MustCompile("[^-a-z0-9.]")

// sanitizeName follows applicationset/utils/template_functions.go:14 (v3.4.7): lower-case
// (Unicode), every character outside [-a-z0-9.] becomes '-', cut at 253 bytes, then '-' and
// '.' trimmed from both ends.
func sanitizeName(name string) string {
	name = invalidDNSChars.ReplaceAllString(strings.ToLower(name), "-")
	if len(name) > 253 {
		name = name[:253]
	}
	return strings.Trim(name, "-.")
}
