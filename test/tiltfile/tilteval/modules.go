package main

// The os, shlex and sys modules (Tilt's internal/tiltfile/os, shlex, sys).

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"
)

func (s *state) osModule() *starlarkstruct.Module {
	environ := starlark.NewDict(len(s.env))
	keys := make([]string, 0, len(s.env))
	for k := range s.env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		_ = environ.SetKey(starlark.String(k), starlark.String(s.env[k]))
	}
	b := func(name string, fn builtinFn) *starlark.Builtin { return starlark.NewBuiltin(name, fn) }
	path := &starlarkstruct.Module{Name: "os.path", Members: starlark.StringDict{
		"abspath": b("os.path.abspath", func(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var p string
			if err := unpackArgs(fn.Name(), args, kwargs, "path", &p); err != nil {
				return nil, err
			}
			return starlark.String(s.absPath(p)), nil
		}),
		"basename": b("os.path.basename", func(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var p string
			if err := unpackArgs(fn.Name(), args, kwargs, "path", &p); err != nil {
				return nil, err
			}
			if strings.HasSuffix(p, "/") {
				return starlark.String(""), nil
			}
			return starlark.String(filepath.Base(p)), nil
		}),
		"dirname": b("os.path.dirname", func(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var p string
			if err := unpackArgs(fn.Name(), args, kwargs, "path", &p); err != nil {
				return nil, err
			}
			if !strings.Contains(p, "/") {
				return starlark.String(""), nil
			}
			return starlark.String(filepath.Dir(p)), nil
		}),
		"exists": b("os.path.exists", func(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var p string
			if err := unpackArgs(fn.Name(), args, kwargs, "path", &p); err != nil {
				return nil, err
			}
			abs := s.absPath(p)
			s.watched = append(s.watched, abs)
			_, err := os.Stat(abs)
			return starlark.Bool(err == nil), nil
		}),
		"join": b("os.path.join", func(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			if len(kwargs) > 0 {
				return nil, fmtErr("%s: unexpected keyword argument %q", fn.Name(), string(kwargs[0][0].(starlark.String)))
			}
			if len(args) == 0 {
				return nil, fmtErr("%s: missing argument for path", fn.Name())
			}
			out := ""
			for i, a := range args {
				str, ok := a.(starlark.String)
				if !ok {
					return nil, fmtErr("%s: for parameter %d: got %s, want string", fn.Name(), i+1, a.Type())
				}
				if strings.HasPrefix(string(str), "/") || out == "" {
					out = string(str)
				} else if strings.HasSuffix(out, "/") {
					out += string(str)
				} else {
					out += "/" + string(str)
				}
			}
			return starlark.String(out), nil
		}),
		"realpath": b("os.path.realpath", func(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var p string
			if err := unpackArgs(fn.Name(), args, kwargs, "path", &p); err != nil {
				return nil, err
			}
			abs := s.absPath(p)
			if r, err := filepath.EvalSymlinks(abs); err == nil {
				abs = r
			}
			return starlark.String(abs), nil
		}),
		"relpath": b("os.path.relpath", func(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var target string
			base := ""
			if err := unpackArgs(fn.Name(), args, kwargs, "targpath", &target, "basepath?", &base); err != nil {
				return nil, err
			}
			if base == "" {
				base = s.curDir()
			}
			rel, err := filepath.Rel(s.absPath(base), s.absPath(target))
			if err != nil {
				return nil, err
			}
			return starlark.String(rel), nil
		}),
	}}
	members := starlark.StringDict{
		"environ": environ,
		"name":    starlark.String("posix"),
		"path":    path,
		"getcwd": b("os.getcwd", func(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			if err := unpackArgs(fn.Name(), args, kwargs); err != nil {
				return nil, err
			}
			return starlark.String(s.curDir()), nil
		}),
		"getenv": b("os.getenv", func(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var key string
			var def starlark.Value = starlark.None
			if err := unpackArgs(fn.Name(), args, kwargs, "key", &key, "default?", &def); err != nil {
				return nil, err
			}
			if v, ok := s.env[key]; ok {
				return starlark.String(v), nil
			}
			return def, nil
		}),
		"putenv": b("os.putenv", func(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var key, value string
			if err := unpackArgs(fn.Name(), args, kwargs, "key", &key, "value", &value); err != nil {
				return nil, err
			}
			s.env[key] = value
			return starlark.None, environ.SetKey(starlark.String(key), starlark.String(value))
		}),
		"unsetenv": b("os.unsetenv", func(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var key string
			if err := unpackArgs(fn.Name(), args, kwargs, "key", &key); err != nil {
				return nil, err
			}
			delete(s.env, key)
			_, _, err := environ.Delete(starlark.String(key))
			return starlark.None, err
		}),
	}
	return &starlarkstruct.Module{Name: "os", Members: members}
}

var shellUnsafe = regexp.MustCompile(`[^\w@%+=:,./-]`)

// shellQuote is Python's shlex.quote, which Tilt's shlex.quote follows.
func shellQuote(str string) string {
	if str == "" {
		return "''"
	}
	if !shellUnsafe.MatchString(str) {
		return str
	}
	return "'" + strings.ReplaceAll(str, "'", `'"'"'`) + "'"
}

func (s *state) shlexModule() *starlarkstruct.Module {
	return &starlarkstruct.Module{Name: "shlex", Members: starlark.StringDict{
		"quote": starlark.NewBuiltin("shlex.quote", func(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var str string
			if err := unpackArgs(fn.Name(), args, kwargs, "name", &str); err != nil { // shlex/shlex.go:23-24
				return nil, err
			}
			return starlark.String(shellQuote(str)), nil
		}),
	}}
}

// sysModule: argv is what `tilt SUBCOMMAND -- ARGS` would have; executable is
// "tilt" (there is no Tilt binary here).
func (s *state) sysModule() *starlarkstruct.Module {
	argv := []starlark.Value{starlark.String("tilt"), starlark.String(s.opts.subcommand)}
	if len(s.opts.tiltArgs) > 0 {
		argv = append(argv, starlark.String("--"))
		for _, a := range s.opts.tiltArgs {
			argv = append(argv, starlark.String(a))
		}
	}
	return &starlarkstruct.Module{Name: "sys", Members: starlark.StringDict{
		"argv":       starlark.NewList(argv),
		"executable": starlark.String("tilt"),
	}}
}
