package main

// JSON and YAML builtins (Tilt's internal/tiltfile/encoding). YAML goes
// through gopkg.in/yaml.v3 (Debian golang-gopkg-yaml.v3-dev).

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"strings"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkjson"
	"go.starlark.net/starlarkstruct"
	yaml "gopkg.in/yaml.v3"
)

// toGo converts a Starlark value into plain Go data for encoding.
func toGo(v starlark.Value) (interface{}, error) {
	switch x := v.(type) {
	case starlark.NoneType:
		return nil, nil
	case starlark.Bool:
		return bool(x), nil
	case starlark.Int:
		if i, ok := x.Int64(); ok {
			return i, nil
		}
		return x.BigInt(), nil
	case starlark.Float:
		return float64(x), nil
	case starlark.String:
		return string(x), nil
	case Blob:
		return x.text, nil
	case *starlark.List, starlark.Tuple:
		out := []interface{}{}
		iter := x.(starlark.Iterable).Iterate()
		defer iter.Done()
		var it starlark.Value
		for iter.Next(&it) {
			g, err := toGo(it)
			if err != nil {
				return nil, err
			}
			out = append(out, g)
		}
		return out, nil
	case *starlark.Dict:
		out := map[string]interface{}{}
		for _, kv := range x.Items() {
			k, ok := kv[0].(starlark.String)
			if !ok {
				return nil, fmt.Errorf("only string keys are supported in maps. found key '%s' of type %s", kv[0], kv[0].Type())
			}
			g, err := toGo(kv[1])
			if err != nil {
				return nil, err
			}
			out[string(k)] = g
		}
		return out, nil
	case *starlarkstruct.Struct:
		d := starlark.StringDict{}
		x.ToStringDict(d)
		out := map[string]interface{}{}
		for k, val := range d {
			g, err := toGo(val)
			if err != nil {
				return nil, err
			}
			out[k] = g
		}
		return out, nil
	case *record:
		return x.data, nil
	default:
		return nil, fmt.Errorf("unsupported type %s", v.Type())
	}
}

// ---- YAML -----------------------------------------------------------------

// nodeToStarlark keeps mapping order as written in the document.
func nodeToStarlark(n *yaml.Node) (starlark.Value, error) {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return starlark.None, nil
		}
		return nodeToStarlark(n.Content[0])
	case yaml.AliasNode:
		return nodeToStarlark(n.Alias)
	case yaml.SequenceNode:
		var out []starlark.Value
		for _, c := range n.Content {
			v, err := nodeToStarlark(c)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return starlark.NewList(out), nil
	case yaml.MappingNode:
		d := starlark.NewDict(len(n.Content) / 2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, err := nodeToStarlark(n.Content[i])
			if err != nil {
				return nil, err
			}
			v, err := nodeToStarlark(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			if err := d.SetKey(k, v); err != nil {
				return nil, err
			}
		}
		return d, nil
	case yaml.ScalarNode:
		var g interface{}
		if err := n.Decode(&g); err != nil {
			return nil, err
		}
		switch x := g.(type) {
		case nil:
			return starlark.None, nil
		case bool:
			return starlark.Bool(x), nil
		case int:
			return starlark.MakeInt(x), nil
		case int64:
			return starlark.MakeInt64(x), nil
		case uint64:
			return starlark.MakeUint64(x), nil
		case float64:
			return starlark.Float(x), nil
		case string:
			return starlark.String(x), nil
		case *big.Int:
			return starlark.MakeBigInt(x), nil
		default:
			return starlark.String(n.Value), nil
		}
	}
	return nil, fmt.Errorf("unsupported YAML node kind %v", n.Kind)
}

func yamlDocs(text string) ([]*yaml.Node, error) {
	dec := yaml.NewDecoder(strings.NewReader(text))
	var docs []*yaml.Node
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if err != nil {
			if err.Error() == "EOF" {
				return docs, nil
			}
			return nil, fmt.Errorf("error parsing YAML: %v", err)
		}
		if len(n.Content) == 0 || (n.Content[0].Kind == yaml.ScalarNode && n.Content[0].Tag == "!!null") {
			continue // empty documents are skipped, as Tilt does
		}
		docs = append(docs, &n)
	}
}

func decodeYAMLDoc(text string) (starlark.Value, error) {
	docs, err := yamlDocs(text)
	if err != nil {
		return nil, err
	}
	if len(docs) == 0 {
		return starlark.None, nil
	}
	if len(docs) > 1 {
		return nil, fmt.Errorf("expected a yaml document but found a yaml stream (documents separated by `---`). use decode_yaml_stream to parse this")
	}
	return nodeToStarlark(docs[0])
}

func decodeYAMLStreamStarlark(text string) (starlark.Value, error) {
	docs, err := yamlDocs(text)
	if err != nil {
		return nil, err
	}
	var out []starlark.Value
	for _, d := range docs {
		v, err := nodeToStarlark(d)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return starlark.NewList(out), nil
}

// decodeYAMLStreamGo decodes into plain Go data (for k8s_yaml and filter_yaml).
func decodeYAMLStreamGo(text string) ([]interface{}, error) {
	docs, err := yamlDocs(text)
	if err != nil {
		return nil, err
	}
	var out []interface{}
	for _, d := range docs {
		var g interface{}
		if err := d.Decode(&g); err != nil {
			return nil, fmt.Errorf("error parsing YAML: %v", err)
		}
		out = append(out, normalizeYAML(g))
	}
	return out, nil
}

// normalizeYAML turns map[interface{}]interface{} (non-string keys) into string-keyed maps.
func normalizeYAML(v interface{}) interface{} {
	switch x := v.(type) {
	case map[string]interface{}:
		for k, e := range x {
			x[k] = normalizeYAML(e)
		}
		return x
	case map[interface{}]interface{}:
		out := map[string]interface{}{}
		for k, e := range x {
			out[fmt.Sprint(k)] = normalizeYAML(e)
		}
		return out
	case []interface{}:
		for i, e := range x {
			x[i] = normalizeYAML(e)
		}
		return x
	}
	return v
}

func encodeYAMLGo(v interface{}) (string, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	if err := enc.Close(); err != nil {
		return "", err
	}
	return buf.String(), nil
}

func encodeYAMLStreamGo(docs []interface{}) (string, error) {
	var parts []string
	for _, d := range docs {
		s, err := encodeYAMLGo(d)
		if err != nil {
			return "", err
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "---\n"), nil
}

func textArg(fnName, param string, args starlark.Tuple, kwargs []starlark.Tuple) (string, error) {
	var v starlark.Value
	if err := unpackArgs(fnName, args, kwargs, param, &v); err != nil {
		return "", err
	}
	str, ok := asString(v)
	if !ok {
		return "", fmt.Errorf("%s: for parameter %s: got %s, want string or Blob", fnName, param, v.Type())
	}
	return str, nil
}

func (s *state) decodeYAML(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	text, err := textArg(fn.Name(), "yaml", args, kwargs)
	if err != nil {
		return nil, err
	}
	return decodeYAMLDoc(text)
}

func (s *state) decodeYAMLStream(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	text, err := textArg(fn.Name(), "yaml", args, kwargs)
	if err != nil {
		return nil, err
	}
	return decodeYAMLStreamStarlark(text)
}

// encodeObj is encode_yaml and encode_json: one Starlark value in, a Blob of its encoding out.
func encodeObj(fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple, encode func(interface{}) (string, error)) (starlark.Value, error) {
	var obj starlark.Value
	if err := unpackArgs(fn.Name(), args, kwargs, "obj", &obj); err != nil {
		return nil, err
	}
	g, err := toGo(obj)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", fn.Name(), err)
	}
	out, err := encode(g)
	if err != nil {
		return nil, err
	}
	return newBlob(out, fn.Name()), nil
}

func (s *state) encodeYAML(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	return encodeObj(fn, args, kwargs, encodeYAMLGo)
}

func (s *state) encodeYAMLStream(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var objs *starlark.List
	if err := unpackArgs(fn.Name(), args, kwargs, "objs", &objs); err != nil {
		return nil, err
	}
	var docs []interface{}
	for i := 0; i < objs.Len(); i++ {
		g, err := toGo(objs.Index(i))
		if err != nil {
			return nil, fmt.Errorf("%s: %v", fn.Name(), err)
		}
		docs = append(docs, g)
	}
	out, err := encodeYAMLStreamGo(docs)
	if err != nil {
		return nil, err
	}
	return newBlob(out, "encode_yaml_stream"), nil
}

// ---- JSON -----------------------------------------------------------------

func decodeJSONText(t *starlark.Thread, text string) (starlark.Value, error) {
	v, err := starlark.Call(t, starlarkjson.Module.Members["decode"], starlark.Tuple{starlark.String(text)}, nil)
	if err != nil {
		return nil, fmt.Errorf("error parsing JSON: %v", err)
	}
	return v, nil
}

func (s *state) decodeJSON(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	text, err := textArg(fn.Name(), "json", args, kwargs)
	if err != nil {
		return nil, err
	}
	return decodeJSONText(t, text)
}

func (s *state) encodeJSON(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	return encodeObj(fn, args, kwargs, func(g interface{}) (string, error) {
		out, err := marshalJSON(g)
		return string(out), err
	})
}

func (s *state) blob(t *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var contents string
	if err := unpackArgs(fn.Name(), args, kwargs, "input", &contents); err != nil { // io/io.go:145
		return nil, err
	}
	return newBlob(contents, "blob"), nil
}

// marshalJSON is json.MarshalIndent with two spaces, a final newline and no
// HTML escaping.
func marshalJSON(v interface{}) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
