package inr

import (
	"math/rand/v2"

	"github.com/sciml-go/sciml/nn"
	"github.com/sciml-go/sciml/tensor"
)

// complexLinear is z ↦ W z + b with complex W = Wr + iWi and b = br + ibi,
// carried as real and imaginary parts:
//
//	Re = xr·Wrᵀ − xi·Wiᵀ + br,   Im = xr·Wiᵀ + xi·Wrᵀ + bi.
type complexLinear struct {
	re, im *nn.Linear
}

func newComplexLinear(in, out int, c Config, r *rand.Rand) *complexLinear {
	opts := []nn.Option{nn.WithRand(r), nn.WithDType(c.DType)}
	return &complexLinear{re: nn.NewLinear(in, out, opts...), im: nn.NewLinear(in, out, opts...)}
}

// apply maps rows h = [hr | hi] to rows [Re z | Im z] as one product:
//
//	[Re z | Im z] = [hr | hi]·Mᵀ + [br | bi],  M = [[Wr, −Wi], [Wi, Wr]],
//
// the four real products of a complex product in one GEMM of twice the
// width each way (M is rebuilt each call; its gradient flows back to Wr
// and Wi through the concatenations).
func (l *complexLinear) apply(h *tensor.Tensor) *tensor.Tensor {
	wr, wi := l.re.Weight, l.im.Weight
	m := tensor.Concat(0, tensor.Concat(1, wr, tensor.Neg(wi)), tensor.Concat(1, wi, wr))
	return linear(h, m, tensor.Concat(0, l.re.Bias, l.im.Bias))
}

// Visit declares re.weight, re.bias, im.weight, im.bias.
func (l *complexLinear) Visit(v *nn.Visitor) {
	v.Module("re", l.re)
	v.Module("im", l.im)
}

// wire is WIRE (Saragadam et al. 2023): a real first layer and complex
// hidden and output layers, each hidden layer followed by the complex Gabor
// wavelet; the output is the real part.
type wire struct {
	cfg    Config
	first  *nn.Linear
	hidden []*complexLinear
	last   *complexLinear
}

func newWire(c Config, r *rand.Rand) *wire {
	m := &wire{cfg: c, first: nn.NewLinear(c.InDim, c.Hidden, nn.WithRand(r), nn.WithDType(c.DType))}
	for range c.Layers {
		m.hidden = append(m.hidden, newComplexLinear(c.Hidden, c.Hidden, c, r))
	}
	m.last = newComplexLinear(c.Hidden, c.OutDim, c, r)
	return m
}

// Forward maps coordinates [N, InDim] to the real part of the output.
// Complex activations travel as rows [Re | Im] (see gaborAct).
func (m *wire) Forward(x *tensor.Tensor) *tensor.Tensor {
	h := gaborAct(linear(x, m.first.Weight, m.first.Bias), false, m.cfg.Omega0, m.cfg.Scale)
	for _, l := range m.hidden {
		h = gaborAct(l.apply(h), true, m.cfg.Omega0, m.cfg.Scale)
	}
	// output = Re(W h + b) = [hr | hi]·[Wr, −Wi]ᵀ + br
	return linear(h, tensor.Concat(1, m.last.re.Weight, tensor.Neg(m.last.im.Weight)), m.last.re.Bias)
}

// Visit declares first, hidden.i and last.
func (m *wire) Visit(v *nn.Visitor) {
	v.Module("first", m.first)
	nn.VisitList(v, "hidden", m.hidden)
	v.Module("last", m.last)
}
