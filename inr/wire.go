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

func (l *complexLinear) forward(xr, xi *tensor.Tensor) (zr, zi *tensor.Tensor) {
	zr = tensor.Sub(linear(xr, l.re.Weight, l.re.Bias), tensor.MatMulT(xi, l.im.Weight, false, true))
	zi = tensor.Add(linear(xr, l.im.Weight, l.im.Bias), tensor.MatMulT(xi, l.re.Weight, false, true))
	return zr, zi
}

// Visit declares re.weight, re.bias, im.weight, im.bias.
func (l *complexLinear) Visit(v *nn.Visitor) {
	v.Module("re", l.re)
	v.Module("im", l.im)
}

// gabor is WIRE's complex Gabor wavelet ψ(z) = exp(iω0z − |s0z|²) of
// z = a + ib:
//
//	ψ = exp(−ω0b − s0²(a² + b²))·(cos ω0a + i sin ω0a).
//
// zi == nil means a real z (b = 0).
func gabor(zr, zi *tensor.Tensor, omega, s float64) (re, im *tensor.Tensor) {
	e := tensor.Scale(tensor.Square(zr), -s*s)
	if zi != nil {
		e = tensor.Sub(e, tensor.Add(tensor.Scale(zi, omega), tensor.Scale(tensor.Square(zi), s*s)))
	}
	amp := tensor.Exp(e)
	ph := tensor.Scale(zr, omega)
	return tensor.Mul(amp, tensor.Cos(ph)), tensor.Mul(amp, tensor.Sin(ph))
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
func (m *wire) Forward(x *tensor.Tensor) *tensor.Tensor {
	hr, hi := gabor(linear(x, m.first.Weight, m.first.Bias), nil, m.cfg.Omega0, m.cfg.Scale)
	for _, l := range m.hidden {
		zr, zi := l.forward(hr, hi)
		hr, hi = gabor(zr, zi, m.cfg.Omega0, m.cfg.Scale)
	}
	// output = Re(W h + b) = hr·Wrᵀ − hi·Wiᵀ + br
	return tensor.Sub(linear(hr, m.last.re.Weight, m.last.re.Bias), tensor.MatMulT(hi, m.last.im.Weight, false, true))
}

// Visit declares first, hidden.i and last.
func (m *wire) Visit(v *nn.Visitor) {
	v.Module("first", m.first)
	nn.VisitList(v, "hidden", m.hidden)
	v.Module("last", m.last)
}
