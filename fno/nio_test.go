package fno

import (
	"math"
	"testing"

	"github.com/sciml-go/sciml/nn"
	"github.com/sciml-go/sciml/operator"
	"github.com/sciml-go/sciml/tensor"
)

func smallNIO(dtype string) NIOConfig {
	return NIOConfig{Common: operator.Common{Dim: 2, In: 3, Out: 1, Activation: "tanh", DType: dtype},
		Sensors: []int{4}, Branch: []int{5}, Trunk: []int{4}, Basis: 3, Encoded: 2,
		Stack: operator.Stack{Width: 4, Layers: 2, Projection: 5}, Modes: []int{2, 2}, Padding: []float64{0.2}}
}

// TestNIOComposition checks NIO(m_1, …, m_K) = FNO(E(m_1), …, E(m_K)) with
// one DeepONet E for every measurement, the parameter count (the
// DeepONet's with In 1, Out C, plus the FNO's with In K·C), and the
// output on grids of several sizes.
func TestNIOComposition(t *testing.T) {
	m, err := NewNIO(smallNIO("float64"), rng(1))
	if err != nil {
		t.Fatal(err)
	}
	if m.Encoder.Config.In != 1 || m.Encoder.Config.Out != 2 || m.Decoder.Config.In != 6 || m.Decoder.Config.Grid != "closed" {
		t.Fatalf("parts: encoder %+v, decoder %+v", m.Encoder.Config, m.Decoder.Config)
	}
	if got, want := nn.CountParams(m), nn.CountParams(m.Encoder)+nn.CountParams(m.Decoder); got != want {
		t.Errorf("%d parameters, want %d", got, want)
	}
	// DeepONet: (16·5+5) + (5·6+6) + (2·4+4) + (4·6+6) + 2 = 165.
	if got := nn.CountParams(m.Encoder); got != 165 {
		t.Errorf("encoder: %d parameters, want 165", got)
	}
	x := tensor.RandN(rng(2), tensor.Float64, 2, 3, 7, 9)
	var parts []*tensor.Tensor
	for k := range 3 {
		parts = append(parts, m.Encoder.Forward(tensor.Narrow(x, 1, k, 1)))
	}
	want := m.Decoder.Forward(tensor.Concat(1, parts...)).Float64s()
	got := m.Forward(x)
	if s := got.Shape(); s[0] != 2 || s[1] != 1 || s[2] != 7 || s[3] != 9 {
		t.Fatalf("output %v", s)
	}
	for i, v := range got.Float64s() {
		if math.Abs(v-want[i]) > 1e-12 {
			t.Fatalf("output %d: %g, want %g", i, v, want[i])
		}
	}
	if y := m.ForwardTo(x, []int{13, 17}); y.Dim(2) != 13 || y.Dim(3) != 17 {
		t.Errorf("ForwardTo: %v", y.Shape())
	}
	if y := m.Forward(tensor.RandN(rng(3), tensor.Float64, 1, 3, 12, 5)); y.Dim(2) != 12 || y.Dim(3) != 5 {
		t.Errorf("12×5 grid: %v", y.Shape())
	}
}

func TestNIOGradients(t *testing.T) {
	m, err := NewNIO(smallNIO("float64"), rng(4))
	if err != nil {
		t.Fatal(err)
	}
	x := tensor.RandN(rng(5), tensor.Float64, 2, 3, 6, 5)
	w0, w1 := m.Encoder.Branch.Layers[0].Weight, m.Decoder.Layers[0].Spectral
	err = tensor.GradCheck(func(xs []*tensor.Tensor) *tensor.Tensor {
		m.Encoder.Branch.Layers[0].Weight, m.Decoder.Layers[0].Spectral = xs[1], xs[2]
		return m.Forward(xs[0])
	}, []*tensor.Tensor{x, w0, w1}, tensor.CheckOptions{Atol: 1e-6, Rtol: 1e-5})
	m.Encoder.Branch.Layers[0].Weight, m.Decoder.Layers[0].Spectral = w0, w1
	if err != nil {
		t.Fatal(err)
	}
}

func TestNIOConfigErrors(t *testing.T) {
	bad := []func(*NIOConfig){
		func(c *NIOConfig) { c.Encoded = -1 },
		func(c *NIOConfig) { c.Modes = []int{2} },
		func(c *NIOConfig) { c.Sensors = []int{1} },
		func(c *NIOConfig) { c.Width = 0 },
		func(c *NIOConfig) { c.Grid = "torus" },
		func(c *NIOConfig) { c.In = 0 },
	}
	for i, f := range bad {
		c := smallNIO("float32")
		f(&c)
		if _, err := NewNIO(c, rng(1)); err == nil {
			t.Errorf("config %d accepted: %+v", i, c)
		}
	}
}
