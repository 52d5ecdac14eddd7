package data

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"reflect"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/sciml-go/sciml/internal/yamldoc"
)

// LoadConfig reads a YAML generation config (the keys of GenerateSpec's
// yaml tags, for example
//
//	pde: burgers
//	n: 1000
//	resolution: 1024
//	burgers:
//	  viscosity: 0.01
//
// ) over spec: keys present replace spec's values, absent ones keep them, so
// start from DefaultSpec. Decoding is strict: unknown keys, wrong types and
// a pde other than spec.PDE are errors that name the file, line and key.
// It returns the line of every key path ("burgers.viscosity") for later
// messages (see ExplainErrors).
func LoadConfig(path string, spec *GenerateSpec) (map[string]int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("data: config: %w", err)
	}
	return DecodeConfig(b, path, spec)
}

var yamlLine = regexp.MustCompile(`^line (\d+): (.*)$`)

// DecodeConfig is LoadConfig on the bytes of a config; name labels errors.
func DecodeConfig(b []byte, name string, spec *GenerateSpec) (map[string]int, error) {
	root, err := yamldoc.Parse(b)
	if err != nil {
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		if m := yamlLine.FindStringSubmatch(msg); m != nil {
			return nil, fmt.Errorf("data: config %s:%s: %s", name, m[1], m[2])
		}
		return nil, fmt.Errorf("data: config %s: %s", name, msg)
	}
	lines := map[string]int{}
	if len(root.Content) == 0 {
		return lines, nil // empty file
	}
	doc := root.Content[0]
	if doc.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("data: config %s:%d: want a mapping of keys (pde, n, resolution, …), got a %s", name, doc.Line, kindName(doc.Kind))
	}
	collectLines(doc, "", lines)
	for i := 0; i+1 < len(doc.Content); i += 2 {
		k, v := doc.Content[i], doc.Content[i+1]
		if k.Value == "pde" && v.Value != spec.PDE {
			return nil, fmt.Errorf("data: config %s:%d: pde is %q, but %q is being generated", name, k.Line, v.Value, spec.PDE)
		}
	}
	var bad []string
	checkInts(doc, reflect.TypeOf(*spec), "", &bad)
	if len(bad) > 0 {
		for i := range bad {
			bad[i] = name + ":" + bad[i]
		}
		return nil, fmt.Errorf("data: config: %s", strings.Join(bad, "; "))
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	c := spec.clone()
	if err := dec.Decode(&c); err != nil && !errors.Is(err, io.EOF) {
		var te *yaml.TypeError
		if errors.As(err, &te) {
			var msgs []string
			for _, e := range te.Errors {
				if m := yamlLine.FindStringSubmatch(e); m != nil {
					msgs = append(msgs, fmt.Sprintf("%s:%s: %s", name, m[1], cleanYAMLError(m[2])))
				} else {
					msgs = append(msgs, name+": "+e)
				}
			}
			return nil, fmt.Errorf("data: config: %s", strings.Join(msgs, "; "))
		}
		return nil, fmt.Errorf("data: config %s: %s", name, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	*spec = c
	return lines, nil
}

// checkInts reports the fractional numbers given for integer fields of t
// (yaml.v3 would truncate them silently), as "line: key: message".
func checkInts(n *yaml.Node, t reflect.Type, path string, bad *[]string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			key := n.Content[i].Value
			for j := 0; j < t.NumField(); j++ {
				f := t.Field(j)
				tag, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
				if f.Anonymous && tag == "" {
					checkInts(&yaml.Node{Kind: yaml.MappingNode, Content: n.Content[i : i+2]}, f.Type, path, bad)
					continue
				}
				if tag == key {
					p := key
					if path != "" {
						p = path + "." + key
					}
					checkInts(n.Content[i+1], f.Type, p, bad)
				}
			}
		}
	case reflect.Slice, reflect.Array:
		if n.Kind == yaml.SequenceNode {
			for i, c := range n.Content {
				checkInts(c, t.Elem(), fmt.Sprintf("%s[%d]", path, i), bad)
			}
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!float" {
			var f float64
			if err := n.Decode(&f); err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
				*bad = append(*bad, fmt.Sprintf("%d: %s: %s is not an integer", n.Line, path, n.Value))
			}
		}
	}
}

// cleanYAMLError rewords yaml.v3's messages with config terms.
func cleanYAMLError(s string) string {
	s = strings.ReplaceAll(s, "data.GenerateSpec", "the config")
	s = strings.ReplaceAll(s, "data.BurgersParams", "burgers")
	s = strings.ReplaceAll(s, "data.DarcyParams", "darcy")
	s = strings.ReplaceAll(s, "data.NavierStokesParams", "navier_stokes")
	if strings.HasPrefix(s, "field ") && strings.Contains(s, " not found in type ") {
		f, t, _ := strings.Cut(strings.TrimPrefix(s, "field "), " not found in type ")
		return fmt.Sprintf("unknown key %q in %s", f, t)
	}
	return s
}

func kindName(k yaml.Kind) string {
	switch k {
	case yaml.SequenceNode:
		return "list"
	case yaml.ScalarNode:
		return "scalar"
	case yaml.MappingNode:
		return "mapping"
	}
	return "node"
}

// collectLines records the line of each key path of a mapping.
func collectLines(n *yaml.Node, prefix string, lines map[string]int) {
	if n.Kind != yaml.MappingNode {
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		path := prefix + k.Value
		lines[path] = k.Line
		collectLines(v, path+".", lines)
	}
}

// ExplainErrors rewrites the FieldErrors of a Validate error for a user:
// a field a flag set is named by the flag (flags maps key paths to flag
// names), one from the config file by file and line (lines from
// LoadConfig), others by key. It returns err unchanged when it holds no
// FieldError.
func ExplainErrors(err error, file string, lines map[string]int, flags map[string]string) error {
	var fes []*FieldError
	collectFieldErrors(err, &fes)
	if len(fes) == 0 {
		return err
	}
	var msgs []string
	for _, fe := range fes {
		switch {
		case flags[fe.Key] != "":
			msgs = append(msgs, fmt.Sprintf("--%s: %s", flags[fe.Key], fe.Msg))
		case lines[fe.Key] > 0:
			msgs = append(msgs, fmt.Sprintf("%s:%d: %s: %s", file, lines[fe.Key], fe.Key, fe.Msg))
		default:
			msgs = append(msgs, fe.Error())
		}
	}
	return errors.New(strings.Join(msgs, "\n"))
}

func collectFieldErrors(err error, out *[]*FieldError) {
	switch e := err.(type) {
	case nil:
	case *FieldError:
		*out = append(*out, e)
	case interface{ Unwrap() []error }:
		for _, x := range e.Unwrap() {
			collectFieldErrors(x, out)
		}
	case interface{ Unwrap() error }:
		collectFieldErrors(e.Unwrap(), out)
	}
}
