package nn

import (
	"bytes"
	"maps"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

type modelConfig struct {
	Width      int            `yaml:"width"`
	Activation ActivationSpec `yaml:"activation"`
}

func decodeConfig(s string) (modelConfig, error) {
	var c modelConfig
	d := yaml.NewDecoder(strings.NewReader(s))
	d.KnownFields(true)
	err := d.Decode(&c)
	return c, err
}

func TestActivationYAML(t *testing.T) {
	c, err := decodeConfig("width: 8\nactivation: gelu\n")
	if err != nil || c.Activation.Name != "gelu" || len(c.Activation.Params) != 0 {
		t.Fatalf("bare name: %+v, %v", c, err)
	}
	c, err = decodeConfig("width: 8\nactivation: {name: snake, a: 0.5, learnable: true}\n")
	if err != nil || c.Activation.Name != "snake" || !maps.Equal(c.Activation.Params, map[string]float64{"a": 0.5, "learnable": 1}) {
		t.Fatalf("mapping: %+v, %v", c, err)
	}
	a, err := NewActivation(c.Activation, f64)
	if err != nil || len(Params(a)) != 1 || Params(a)[0].Float64s()[0] != 0.5 {
		t.Fatalf("snake from YAML: %v, %v", a, err)
	}
	// block style, integers, negative axis
	c, err = decodeConfig("activation:\n  name: swiglu\n  axis: -2\n")
	if err != nil || c.Activation.Name != "swiglu" || c.Activation.Params["axis"] != -2 {
		t.Fatalf("block: %+v, %v", c, err)
	}

	for _, tc := range []struct{ doc, want string }{
		{"width: 1\nactivation: snak\n", `line 2: activation "snak": unknown activation (known: aglu, apa,`},
		{"width: 1\nactivation:\n  name: snake\n  b: 2\n", `line 4: activation "snake": unknown parameter "b" (parameters: a, learnable, channels, axis, fewbit)`},
		{"activation:\n  name: snake\n  learnable: 1\n", `line 3: activation "snake": parameter learnable: want true or false, got "1"`},
		{"activation:\n  name: snake\n  a: big\n", `line 3: activation "snake": parameter a: want a number, got "big"`},
		{"activation:\n  name: snake\n  a: [1, 2]\n", `line 3: activation "snake": parameter a: want a number`},
		{"activation:\n  name: snake\n  a: 0\n", `line 3: activation "snake": parameter a = 0: must be nonzero`},
		{"activation:\n  a: 1\n", "line 2: activation: mapping without a name"},
		{"activation: [gelu]\n", "line 1: activation: want a name or a mapping"},
		{"activation:\n  name: sine\n  omega0: 1\n  omega0: 2\n", `parameter "omega0" given twice`},
		{"activation:\n  name: kan\n  grid: 2.5\n", "parameter grid = 2.5: must be an integer"},
		{"activation: {name: gelu, fewbit: 9}\n", "parameter fewbit = 9: must be 0 (off) or 1 to 4 bits"},
		{"activation: gelu\nactivaton: relu\n", "field activaton not found"},
	} {
		_, err := decodeConfig(tc.doc)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v\nwant %q", tc.doc, err, tc.want)
		}
	}

	// ParseActivation, String and MarshalYAML round-trip.
	for _, s := range []string{"gelu", "{name: snake, a: 0.5, learnable: true}", "{name: kan, grid: 7, lo: -2.5}", "{name: gelu, fewbit: 2}"} {
		spec, err := ParseActivation(s)
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		if spec.String() != s {
			t.Errorf("String() = %q, want %q", spec.String(), s)
		}
		var buf bytes.Buffer
		if err := yaml.NewEncoder(&buf).Encode(modelConfig{Activation: spec}); err != nil {
			t.Fatal(err)
		}
		back, err := decodeConfig(buf.String())
		if err != nil || back.Activation.String() != s {
			t.Errorf("%s: marshalled as %q, read back %v, %v", s, buf.String(), back.Activation, err)
		}
	}
	if _, err := ParseActivation(""); err == nil {
		t.Error("empty spec accepted")
	}
	mustPanic(t, "MustActivation", func() { MustActivation("nope") })
	if MustActivation("{name: sine, omega0: 1}").Spec().Params["omega0"] != 1 {
		t.Error("MustActivation lost a parameter")
	}
}
