package data

import (
	"errors"
	"strings"
	"testing"
)

func TestDecodeConfig(t *testing.T) {
	s, _ := DefaultSpec(Burgers)
	lines, err := DecodeConfig([]byte(`# Burgers at ν = 0.01
pde: burgers
n: 64
resolution: 1024
seed: 7
burgers:
  viscosity: 0.01
  record_every: 0.25
`), "b.yaml", &s)
	must(t, err)
	if s.N != 64 || s.Resolution != 1024 || s.Seed != 7 || s.Burgers.Viscosity != 0.01 || s.Burgers.RecordEvery != 0.25 {
		t.Errorf("decoded %+v %+v", s, *s.Burgers)
	}
	if s.Burgers.Sigma != 25 || s.DType != Float32 {
		t.Errorf("absent keys lost their defaults: %+v", *s.Burgers)
	}
	if lines["burgers.viscosity"] != 7 || lines["n"] != 3 {
		t.Errorf("lines %v", lines)
	}

	for _, tc := range []struct {
		text  string
		wants []string
	}{
		{"n: 5\nburgers:\n  viscosty: 0.1\n", []string{"c.yaml:3", `unknown key "viscosty"`, "burgers"}},
		{"n: 5\nresolutoin: 3\n", []string{"c.yaml:2", `unknown key "resolutoin"`}},
		{"n: five\n", []string{"c.yaml:1", "five"}},
		{"n: 10.5\n", []string{"c.yaml:1", "n: 10.5 is not an integer"}},
		{"n: 4\nburgers:\n  solve_resolution: 8192.5\n", []string{"c.yaml:3", "burgers.solve_resolution: 8192.5 is not an integer"}},
		{"pde: darcy\n", []string{"c.yaml:1", `pde is "darcy"`}},
		{"- 1\n- 2\n", []string{"c.yaml:1", "mapping"}},
		{"n: [1\n", []string{"c.yaml"}},
		{"{\"n\": 5}\nseed: 3\n", []string{"c.yaml:2", "would be ignored"}},
		{"n: 5\n---\nseed: 3\n", []string{"c.yaml:2", "second YAML document"}},
	} {
		s, _ := DefaultSpec(Burgers)
		_, err := DecodeConfig([]byte(tc.text), "c.yaml", &s)
		for _, w := range tc.wants {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("%q: error %v lacks %q", tc.text, err, w)
			}
		}
	}

	// Validation errors name the line of the config key or the flag.
	s, _ = DefaultSpec(Darcy)
	lines, err = DecodeConfig([]byte("pde: darcy\ndarcy:\n  low: -3\n  high: 0\n"), "d.yaml", &s)
	must(t, err)
	err = ExplainErrors(s.Validate(), "d.yaml", lines, map[string]string{"darcy.high": "high"})
	for _, w := range []string{"d.yaml:3: darcy.low: must be positive", "--high: must be positive"} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("explained error %v lacks %q", err, w)
		}
	}
	plain := errors.New("plain")
	if ExplainErrors(plain, "", nil, nil) != plain {
		t.Error("ExplainErrors changed an error without fields")
	}
}
