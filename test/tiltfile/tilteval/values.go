package main

// Starlark value types that mirror the ones Tilt's builtins return and accept
// (internal/tiltfile/io/blob.go, value/, links/, probe/, live_update.go).

import (
	"fmt"
	"path/filepath"
	"strings"

	"go.starlark.net/starlark"
)

// Blob is Tilt's wrapper for command output and file contents: a string that is
// not a path. It has no string methods; str(blob) gives the text.
type Blob struct {
	text   string
	source string
}

var _ starlark.Value = Blob{}

func newBlob(text, source string) Blob { return Blob{text: text, source: source} }

func (b Blob) String() string         { return b.text }
func (b Blob) ImplicitString() string { return b.text }
func (b Blob) Type() string           { return "blob" }
func (b Blob) Freeze()                {}
func (b Blob) Truth() starlark.Bool   { return len(b.text) > 0 }
func (b Blob) Hash() (uint32, error)  { return starlark.String(b.text).Hash() }

// asString accepts a string or a Blob, as Tilt's value.AsString does.
func asString(v starlark.Value) (string, bool) {
	if b, ok := v.(Blob); ok {
		return b.text, true
	}
	return starlark.AsString(v)
}

// stringArg unpacks a str or Blob into a Go string (Tilt's starkit unpacking of
// string parameters accepts both).
type stringArg struct{ p *string }

func (s stringArg) Unpack(v starlark.Value) error {
	str, ok := asString(v)
	if !ok {
		return fmt.Errorf("got %s, want string", v.Type())
	}
	*s.p = str
	return nil
}

// unpackArgs wraps starlark.UnpackArgs so that *string targets also take a Blob.
func unpackArgs(fnName string, args starlark.Tuple, kwargs []starlark.Tuple, pairs ...interface{}) error {
	wrapped := make([]interface{}, len(pairs))
	copy(wrapped, pairs)
	for i := 1; i < len(wrapped); i += 2 {
		if p, ok := wrapped[i].(*string); ok {
			wrapped[i] = stringArg{p}
		}
	}
	return starlark.UnpackArgs(fnName, args, kwargs, wrapped...)
}

// seqItems returns the elements of a list or tuple, or v alone otherwise;
// isSeq tells which. None gives no items.
func seqItems(v starlark.Value) (items []starlark.Value, isSeq bool) {
	switch x := v.(type) {
	case starlark.NoneType:
		return nil, true
	case *starlark.List, starlark.Tuple:
		iter := x.(starlark.Iterable).Iterate()
		defer iter.Done()
		var it starlark.Value
		for iter.Next(&it) {
			items = append(items, it)
		}
		return items, true
	}
	return []starlark.Value{v}, false
}

// stringList is Tilt's value.StringList: a list or tuple of strings (None = empty).
type stringList struct {
	values []string
	set    bool
}

func (s *stringList) Unpack(v starlark.Value) error {
	s.values, s.set = nil, true
	items, isSeq := seqItems(v)
	if !isSeq {
		return fmt.Errorf("value should be a List or Tuple of strings, but is of type %s", v.Type())
	}
	for _, item := range items {
		sv, ok := asString(item)
		if !ok {
			return fmt.Errorf("value should contain only strings, but element %s was of type %s", item.String(), item.Type())
		}
		s.values = append(s.values, sv)
	}
	return nil
}

// stringOrStringList is Tilt's value.StringOrStringList.
type stringOrStringList struct {
	values []string
	set    bool
}

func (s *stringOrStringList) Unpack(v starlark.Value) error {
	s.values, s.set = nil, true
	if str, ok := asString(v); ok {
		s.values = []string{str}
		return nil
	}
	if _, isSeq := seqItems(v); !isSeq {
		return fmt.Errorf("value should be a string or List or Tuple of strings, but is of type %s", v.Type())
	}
	var sl stringList
	err := sl.Unpack(v)
	s.values = sl.values
	return err
}

// stringStringMap is Tilt's value.StringStringMap: a dict of str to str (None = empty).
type stringStringMap struct{ m map[string]string }

func (s *stringStringMap) Unpack(v starlark.Value) error {
	s.m = map[string]string{}
	if v == starlark.None {
		return nil
	}
	d, ok := v.(*starlark.Dict)
	if !ok {
		return fmt.Errorf("expected dict, got %s", v.Type())
	}
	for _, kv := range d.Items() {
		k, ok := asString(kv[0])
		if !ok {
			return fmt.Errorf("key is not a string: %s (%s)", kv[0].Type(), kv[0])
		}
		val, ok := asString(kv[1])
		if !ok {
			return fmt.Errorf("value is not a string: %s (%s)", kv[1].Type(), kv[1])
		}
		s.m[k] = val
	}
	return nil
}

func (s *stringStringMap) orEmpty() map[string]string {
	if s.m == nil {
		return map[string]string{}
	}
	return s.m
}

// labelSet is Tilt's value.LabelSet: a label or a list of labels.
type labelSet struct{ values []string }

func validLabel(s string) error {
	if len(s) == 0 || len(s) > 63 {
		return fmt.Errorf("Invalid label %q: must be 1-63 characters", s)
	}
	if strings.Contains(s, "/") {
		return fmt.Errorf("Invalid label %q: cannot contain /", s)
	}
	isAlnum := func(c byte) bool {
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
	}
	if !isAlnum(s[0]) || !isAlnum(s[len(s)-1]) {
		return fmt.Errorf("Invalid label %q: must start and end with an alphanumeric character", s)
	}
	for i := 0; i < len(s); i++ {
		if !isAlnum(s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.' {
			return fmt.Errorf("Invalid label %q: may only contain alphanumerics, '-', '_' and '.'", s)
		}
	}
	return nil
}

func (l *labelSet) Unpack(v starlark.Value) error {
	l.values = nil
	if s, ok := v.(starlark.String); ok {
		if err := validLabel(string(s)); err != nil {
			return err
		}
		l.values = []string{string(s)}
		return nil
	}
	var sl stringList
	if err := sl.Unpack(v); err != nil {
		return fmt.Errorf("value should be a label or List or Tuple of labels, but is of type %s", v.Type())
	}
	for _, s := range sl.values {
		if err := validLabel(s); err != nil {
			return err
		}
		if !contains(l.values, s) {
			l.values = append(l.values, s)
		}
	}
	return nil
}

// pathList is Tilt's value.LocalPathList: a path or list of paths, made
// absolute against the directory of the Tiltfile being executed.
type pathList struct {
	st     *state
	values []string
}

func (p *pathList) Unpack(v starlark.Value) error {
	p.values = nil
	items, isSeq := seqItems(v)
	if _, isStr := v.(starlark.String); !isSeq && !isStr {
		return fmt.Errorf("value should be a string or List or Tuple of strings, but is of type %s", v.Type())
	}
	for _, item := range items {
		s, ok := item.(starlark.String)
		if !ok {
			return fmt.Errorf("value should contain only strings, but element %s was of type %s", item.String(), item.Type())
		}
		p.values = append(p.values, p.st.absPath(string(s)))
	}
	return nil
}

// pathArg is Tilt's value.LocalPath: one path made absolute.
type pathArg struct {
	st     *state
	value  string
	set    bool
	given  bool // the keyword was passed, even as None
	noneOK bool // a command directory: None means the default (value/value.go:139-149)
}

// Unpack takes a path string or a git.Repo (its root), as Tilt's
// value.ValueToAbsPath does (value/value.go:36-48); a Blob is not a path.
func (p *pathArg) Unpack(v starlark.Value) error {
	p.given = true
	if v == starlark.None && p.noneOK {
		return nil
	}
	if g, ok := v.(*gitRepo); ok {
		p.value, p.set = g.base, true
		return nil
	}
	s, ok := starlark.AsString(v)
	if !ok {
		return fmt.Errorf("expected path | string. Actual type: %s", goTypeName(v))
	}
	p.value, p.set = p.st.absPath(s), true
	return nil
}

// goTypeName names a value's type as Go's %T does for Tilt's own types.
func goTypeName(v starlark.Value) string {
	switch v.(type) {
	case Blob:
		return "io.Blob"
	case *starlark.List:
		return "*starlark.List"
	case *starlark.Dict:
		return "*starlark.Dict"
	}
	if name, ok := map[string]string{"NoneType": "NoneType", "int": "Int", "bool": "Bool", "tuple": "Tuple", "float": "Float"}[v.Type()]; ok {
		return "starlark." + name
	}
	return v.Type()
}

// or returns the path, or def when the argument was not given.
func (p *pathArg) or(def string) string {
	if p.set {
		return p.value
	}
	return def
}

// cmdArg is a command: a string (run through `sh -c`) or a list of strings (argv).
type cmdArg struct {
	argv  []string
	set   bool
	shell *string // the text, when the command was given as one string
}

func (c *cmdArg) Unpack(v starlark.Value) error {
	c.argv, c.set, c.shell = nil, true, nil
	switch x := v.(type) {
	case starlark.NoneType:
		return nil
	case starlark.String:
		if string(x) != "" {
			text := string(x)
			c.argv, c.shell = []string{"sh", "-c", text}, &text
		}
		return nil
	case Blob:
		if x.text != "" {
			text := x.text
			c.argv, c.shell = []string{"sh", "-c", text}, &text
		}
		return nil
	case *starlark.List, starlark.Tuple:
		items, _ := seqItems(x)
		for _, item := range items {
			s, ok := item.(starlark.String)
			if !ok {
				return fmt.Errorf("a command must be a string or a list of strings: '%s' is a %s, not a string", item, item.Type())
			}
			c.argv = append(c.argv, string(s))
		}
		return nil
	default:
		return fmt.Errorf("a command must be a string or list of strings. found %s", v.Type())
	}
}

// TriggerMode is Tilt's TRIGGER_MODE_AUTO / TRIGGER_MODE_MANUAL.
type TriggerMode int

const (
	triggerAuto TriggerMode = iota
	triggerManual
)

func (t TriggerMode) String() string {
	if t == triggerManual {
		return "TRIGGER_MODE_MANUAL"
	}
	return "TRIGGER_MODE_AUTO"
}
func (t TriggerMode) Type() string          { return "TriggerMode" }
func (t TriggerMode) Freeze()               {}
func (t TriggerMode) Truth() starlark.Bool  { return true }
func (t TriggerMode) Hash() (uint32, error) { return uint32(t), nil }
func (t TriggerMode) jsonName() string {
	if t == triggerManual {
		return "manual"
	}
	return "auto"
}

type triggerModeArg struct {
	mode TriggerMode
	set  bool
}

func (t *triggerModeArg) Unpack(v starlark.Value) error {
	m, ok := v.(TriggerMode)
	if !ok {
		return fmt.Errorf("got %s, want TriggerMode", v.Type())
	}
	t.mode, t.set = m, true
	return nil
}

// record is an opaque value carrying a JSON-able description; used for live
// update steps, links, port forwards, probes and their actions.
type record struct {
	typ  string
	data map[string]interface{}
}

func (r *record) String() string {
	return fmt.Sprintf("%s(%v)", r.typ, r.data)
}
func (r *record) Type() string          { return r.typ }
func (r *record) Freeze()               {}
func (r *record) Truth() starlark.Bool  { return true }
func (r *record) Hash() (uint32, error) { return 0, fmt.Errorf("unhashable type: %s", r.typ) }

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// isChild reports whether path is dir or below it.
func isChild(dir, path string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, "../")
}
