package inr

import (
	"math/rand/v2"

	"github.com/sciml-go/sciml/nn"
	"github.com/sciml-go/sciml/tensor"
)

// sl2a is SL2A-INR: a Chebyshev first layer
//
//	y_o = Σ_i Σ_{k=0..K} c_{o,i,k} T_k(tanh x_i)
//
// (nn.ChebyshevKAN), LayerNorm, then
// low-rank ReLU layers h ↦ ReLU(U(Vh) + b) with V [rank, h] and U
// [h, rank], and a linear output layer.
type sl2a struct {
	cfg   Config
	cheb  *nn.ChebyshevKAN
	norm  *nn.LayerNorm
	downs []*nn.Linear
	ups   []*nn.Linear
	last  *nn.Linear
}

func newSL2A(c Config, r *rand.Rand) *sl2a {
	opts := []nn.Option{nn.WithRand(r), nn.WithDType(c.DType)}
	m := &sl2a{cfg: c}
	m.cheb = nn.NewChebyshevKAN(c.InDim, c.Hidden, c.Frequencies, opts...)
	m.norm = nn.NewLayerNorm(c.Hidden, nn.WithDType(c.DType))
	for range c.Layers {
		m.downs = append(m.downs, nn.NewLinear(c.Hidden, c.Rank, append(opts, nn.WithBias(false))...))
		m.ups = append(m.ups, nn.NewLinear(c.Rank, c.Hidden, opts...))
	}
	m.last = nn.NewLinear(c.Hidden, c.OutDim, opts...)
	return m
}

// Forward maps coordinates [N, InDim] to values [N, OutDim].
func (m *sl2a) Forward(x *tensor.Tensor) *tensor.Tensor {
	h := m.norm.Forward(m.cheb.Forward(x))
	for i := range m.downs {
		h = tensor.ReLU(linear(tensor.MatMulT(h, m.downs[i].Weight, false, true), m.ups[i].Weight, m.ups[i].Bias))
	}
	return linear(h, m.last.Weight, m.last.Bias)
}

// Visit declares cheb, norm, down.i, up.i and last.
func (m *sl2a) Visit(v *nn.Visitor) {
	v.Module("cheb", m.cheb)
	v.Module("norm", m.norm)
	nn.VisitList(v, "down", m.downs)
	nn.VisitList(v, "up", m.ups)
	v.Module("last", m.last)
}
