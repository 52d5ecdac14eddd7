package nn

import (
	"fmt"
	"math"

	"github.com/sciml-go/sciml/tensor"
)

// MultiheadAttention is PyTorch's nn.MultiheadAttention with batch_first
// inputs (Vaswani et al. 2017). With E = EmbedDim, H = NumHeads and
// D = E/H, for queries q [B, L, E] and keys and values k, v [B, S, E]:
//
//	[Q | K | V] = [q·W_qᵀ + b_q | k·W_kᵀ + b_k | v·W_vᵀ + b_v]   (rows of InProjWeight)
//	head_h = softmax(Q_h·K_hᵀ/√D + mask) · V_h                       (Q_h: columns hD…(h+1)D)
//	out = [head_1 … head_H]·W_oᵀ + b_o                              (OutProj)
//
// Parameters are named as in PyTorch: in_proj_weight [3E, E],
// in_proj_bias [3E], out_proj.weight [E, E], out_proj.bias [E]. There is
// no dropout on the attention weights.
type MultiheadAttention struct {
	EmbedDim, NumHeads int
	InProjWeight       *tensor.Tensor // [3E, E]
	InProjBias         *tensor.Tensor // [3E]; nil without bias
	OutProj            *Linear
}

// NewMultiheadAttention returns an attention layer with embedding size e
// split over heads heads (e must be divisible by heads), initialised as
// PyTorch does: in_proj_weight Xavier-uniform, the biases zero and
// out_proj.weight as a Linear. It needs a random source (WithSeed or
// WithRand); WithDType and WithBias apply.
func NewMultiheadAttention(e, heads int, opts ...Option) *MultiheadAttention {
	if e <= 0 || heads <= 0 || e%heads != 0 {
		panic(fmt.Sprintf("nn.NewMultiheadAttention: embedding size %d is not a positive multiple of %d heads", e, heads))
	}
	o := newOptions(opts)
	r := o.random("NewMultiheadAttention")
	a := &MultiheadAttention{EmbedDim: e, NumHeads: heads, InProjWeight: o.param(3*e, e)}
	XavierUniform(1)(a.InProjWeight, r)
	a.OutProj = &Linear{In: e, Out: e, Weight: o.param(e, e)}
	TorchDefault()(a.OutProj.Weight, r)
	if o.bias {
		a.InProjBias = o.param(3 * e)
		a.OutProj.Bias = o.param(e)
	}
	return a
}

// Visit declares in_proj_weight, in_proj_bias and out_proj.
func (a *MultiheadAttention) Visit(v *Visitor) {
	v.Param("in_proj_weight", a.InProjWeight)
	v.Param("in_proj_bias", a.InProjBias)
	v.Module("out_proj", a.OutProj)
}

// Forward is self-attention, Attend(x, x, x, nil).
func (a *MultiheadAttention) Forward(x *tensor.Tensor) *tensor.Tensor {
	out, _ := a.Attend(x, x, x, nil)
	return out
}

// Attend computes attention of queries q [B, L, E] over keys k and values
// v [B, S, E] (or unbatched [L, E], [S, E]). mask, when not nil, is added
// to the scaled scores and must broadcast to [B, H, L, S]: use −Inf to
// hide a key (for example a causal mask of shape [L, S]). It returns the
// output [B, L, E] and the attention weights of every head [B, H, L, S]
// (without the batch axis for unbatched inputs).
func (a *MultiheadAttention) Attend(q, k, v, mask *tensor.Tensor) (out, weights *tensor.Tensor) {
	e, h := a.EmbedDim, a.NumHeads
	d := e / h
	unbatched := q.NDim() == 2
	if unbatched {
		q, k, v = tensor.Unsqueeze(q, 0), tensor.Unsqueeze(k, 0), tensor.Unsqueeze(v, 0)
	}
	if q.NDim() != 3 || k.NDim() != 3 || v.NDim() != 3 || q.Dim(2) != e || k.Dim(2) != e || v.Dim(2) != e ||
		k.Dim(0) != q.Dim(0) || v.Dim(0) != q.Dim(0) || k.Dim(1) != v.Dim(1) {
		panic(fmt.Sprintf("nn.MultiheadAttention: query %v, key %v, value %v; want [B, L, %d], [B, S, %d], [B, S, %d]",
			q.Shape(), k.Shape(), v.Shape(), e, e, e))
	}
	checkInput("MultiheadAttention", q, a.InProjWeight)
	b, l, s := q.Dim(0), q.Dim(1), k.Dim(1)
	proj := func(x *tensor.Tensor, i, n int) *tensor.Tensor {
		y := tensor.MatMulT(x, tensor.Narrow(a.InProjWeight, 0, i*e, e), false, true)
		if a.InProjBias != nil {
			y = tensor.Add(y, tensor.Narrow(a.InProjBias, 0, i*e, e))
		}
		return tensor.Permute(tensor.Reshape(y, b, n, h, d), 0, 2, 1, 3) // [B, H, n, D]
	}
	qh, kh, vh := proj(q, 0, l), proj(k, 1, s), proj(v, 2, s)
	scores := tensor.Scale(tensor.MatMulT(qh, kh, false, true), 1/math.Sqrt(float64(d))) // [B, H, L, S]
	if mask != nil {
		scores = tensor.Add(scores, mask)
	}
	weights = tensor.Softmax(scores, -1)
	o := tensor.MatMul(weights, vh) // [B, H, L, D]
	o = tensor.Reshape(tensor.Permute(o, 0, 2, 1, 3), b, l, e)
	out = a.OutProj.Forward(o)
	if unbatched {
		out, weights = tensor.Squeeze(out, 0), tensor.Squeeze(weights, 0)
	}
	return out, weights
}
