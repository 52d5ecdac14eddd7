package pinn

import (
	"strings"
	"testing"

	"github.com/sciml-go/sciml/nn"
	"github.com/sciml-go/sciml/tensor"
	"gopkg.in/yaml.v3"
)

func TestNetConfigBuild(t *testing.T) {
	for _, c := range []struct {
		yaml   string
		params int
	}{
		{"type: mlp\nhidden: [20, 20]\nactivation: sin", 2*20 + 20 + 20*20 + 20 + 21},
		{"type: pinnsformer", 453561},
		{"type: kan\nhidden: [4]\nbasis: chebyshev\ndegree: 3", 2*4*4 + 4*4},
		{"type: kan\nhidden: [4]\ninput_lo: [0, 0]\ninput_hi: [6.28, 1]", 2*4*9 + 4*9},
		// t and [cos kx, sin kx], k = 1, 2, 3: 7 inputs to the first layer
		{"type: mlp\nhidden: [10]\nperiodic: [{axis: 0, period: 6.283185307179586, harmonics: 3}]", 7*10 + 10 + 11},
	} {
		var nc NetConfig
		dec := yaml.NewDecoder(strings.NewReader(c.yaml))
		dec.KnownFields(true)
		if err := dec.Decode(&nc); err != nil {
			t.Fatalf("%q: %v", c.yaml, err)
		}
		net, err := nc.Build(2, 1, tensor.Float64, nn.NewRand(1))
		if err != nil {
			t.Fatalf("%q: %v", c.yaml, err)
		}
		if n := nn.CountParams(net); n != c.params {
			t.Errorf("%q: %d parameters, want %d", c.yaml, n, c.params)
		}
		if in, out := net.Dims(); in != 2 || out != 1 {
			t.Errorf("%q: dims %d → %d", c.yaml, in, out)
		}
		if y := net.Forward(tensor.New([]float64{0.1, 0.2, 0.3, 0.4}, 2, 2)); y.Dim(0) != 2 || y.Dim(1) != 1 {
			t.Errorf("%q: output %v", c.yaml, y.Shape())
		}
	}
	// float32 parameters when asked
	net, err := NetConfig{Type: "pinnsformer", DModel: 8, DHidden: 8, DFF: 8}.Build(2, 1, tensor.Float32, nil)
	if err != nil || nn.Params(net)[0].DType() != tensor.Float32 {
		t.Errorf("float32 pinnsformer: %v", err)
	}
	for _, name := range []string{"mlp", "pinnsformer", "kan"} {
		if _, err := NetByName(name, 2, 1, 0, nil); err != nil {
			t.Errorf("NetByName(%q): %v", name, err)
		}
	}
}

// Validate names the offending fields by their YAML keys.
func TestNetConfigValidate(t *testing.T) {
	for _, c := range []struct {
		cfg  NetConfig
		want []string
	}{
		{NetConfig{Type: "resnet"}, []string{`type "resnet"`}},
		{NetConfig{Type: "mlp"}, []string{"hidden"}},
		{NetConfig{Type: "mlp", Hidden: []int{10, -1}, Activation: "nope", DModel: 3}, []string{"hidden[1]", "activation", "d_model does not apply"}},
		{NetConfig{Type: "pinnsformer", DModel: 30, Heads: 4, Hidden: []int{3}}, []string{"d_model = 30 is not a multiple of heads = 4", "hidden does not apply"}},
		{NetConfig{Type: "pinnsformer", Steps: -1, StepSize: -1}, []string{"steps", "step_size"}},
		{NetConfig{Type: "kan", Basis: "wavelet"}, []string{"basis"}},
		{NetConfig{Type: "kan", Basis: "chebyshev", Grid: 5}, []string{"grid and order"}},
		{NetConfig{Type: "kan", Degree: 4}, []string{"degree"}},
		{NetConfig{Type: "kan", InputLo: []float64{0, 1}, InputHi: []float64{1, 1}}, []string{"input_hi[1]"}},
		{NetConfig{Type: "kan", InputLo: []float64{0}}, []string{"input_lo"}},
		{NetConfig{Type: "mlp", Hidden: []int{4}, Periodic: []PeriodicEmbedding{{Axis: 0, Period: -1, Harmonics: 1}, {Axis: 0, Period: 1}}},
			[]string{"periodic[0]: period -1", "periodic[1]: harmonics 0", "periodic[1]: axis 0 embedded twice"}},
		{NetConfig{Type: "kan", Hidden: []int{4}, Periodic: []PeriodicEmbedding{{Period: 1, Harmonics: 1}}}, []string{"periodic does not apply"}},
	} {
		err := c.cfg.Validate()
		if err == nil {
			t.Errorf("%+v: no error", c.cfg)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%+v: error %q does not mention %q", c.cfg, err, w)
			}
		}
	}
	if _, err := (NetConfig{Type: "kan", InputLo: []float64{0}, InputHi: []float64{1}}).Build(2, 1, 0, nil); err == nil {
		t.Error("input box of 1 axis for 2 inputs accepted")
	}
	if _, err := (NetConfig{Type: "mlp", Hidden: []int{4}, Periodic: []PeriodicEmbedding{{Axis: 2, Period: 1, Harmonics: 1}}}).Build(2, 1, 0, nil); err == nil {
		t.Error("periodic axis 2 of 2 inputs accepted")
	}
}
