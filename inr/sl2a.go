package inr

import (
	"math/rand/v2"

	"github.com/sciml-go/sciml/nn"
	"github.com/sciml-go/sciml/tensor"
)

// sl2a is SL2A-INR: a Chebyshev first layer
//
//	y_o = Σ_i Σ_{k=0..K} c_{o,i,k} T_k(tanh x_i) + b_o
//
// (T_k by the recurrence T_{k+1} = 2tT_k − T_{k−1}), LayerNorm, then
// low-rank ReLU layers h ↦ ReLU(U(Vh) + b) with V [rank, h] and U
// [h, rank], and a linear output layer.
type sl2a struct {
	cfg   Config
	cheb  *nn.Linear
	norm  *nn.LayerNorm
	downs []*nn.Linear
	ups   []*nn.Linear
	last  *nn.Linear
}

func newSL2A(c Config, r *rand.Rand) *sl2a {
	opts := []nn.Option{nn.WithRand(r), nn.WithDType(c.DType)}
	m := &sl2a{cfg: c}
	m.cheb = nn.NewLinear(c.InDim*(c.Frequencies+1), c.Hidden, append(opts, nn.WithWeightInit(nn.XavierUniform(1)))...)
	m.norm = nn.NewLayerNorm(c.Hidden, nn.WithDType(c.DType))
	for range c.Layers {
		m.downs = append(m.downs, nn.NewLinear(c.Hidden, c.Rank, append(opts, nn.WithBias(false))...))
		m.ups = append(m.ups, nn.NewLinear(c.Rank, c.Hidden, opts...))
	}
	m.last = nn.NewLinear(c.Hidden, c.OutDim, opts...)
	return m
}

// chebyshev returns [T_0(t), …, T_K(t)] concatenated along axis 1 for t of
// shape [N, d]: shape [N, d·(K+1)], ordered k-major.
func chebyshev(t *tensor.Tensor, K int) *tensor.Tensor {
	ts := []*tensor.Tensor{tensor.AddScalar(tensor.Scale(t, 0), 1), t}
	for k := 2; k <= K; k++ {
		ts = append(ts, tensor.Sub(tensor.Scale(tensor.Mul(t, ts[k-1]), 2), ts[k-2]))
	}
	return tensor.Concat(1, ts[:K+1]...)
}

// Forward maps coordinates [N, InDim] to values [N, OutDim].
func (m *sl2a) Forward(x *tensor.Tensor) *tensor.Tensor {
	h := linear(chebyshev(tensor.Tanh(x), m.cfg.Frequencies), m.cheb.Weight, m.cheb.Bias)
	h = m.norm.Forward(h)
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
