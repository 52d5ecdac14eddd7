package nn

import (
	"math"
	"slices"
	"testing"

	"github.com/sciml-go/sciml/tensor"
)

// seq fills a float64 tensor with f(i+1), i the row-major index.
func seq(f func(float64) float64, shape ...int) *tensor.Tensor {
	n := 1
	for _, s := range shape {
		n *= s
	}
	v := make([]float64, n)
	for i := range v {
		v[i] = f(float64(i + 1))
	}
	return tensor.FromFloat64s(tensor.Float64, v, shape...)
}

// attentionRef computes multi-head attention with loops.
func attentionRef(a *MultiheadAttention, q, k, v *tensor.Tensor, mask func(l, s int) float64) (out, weights []float64) {
	e, h := a.EmbedDim, a.NumHeads
	d := e / h
	b, l, s := q.Dim(0), q.Dim(1), k.Dim(1)
	win, bin := a.InProjWeight.Float64s(), a.InProjBias.Float64s()
	proj := func(x *tensor.Tensor, part, rows int) []float64 {
		xs := x.Float64s()
		y := make([]float64, b*rows*e)
		for r := range b * rows {
			for o := range e {
				acc := bin[part*e+o]
				for i := range e {
					acc += win[(part*e+o)*e+i] * xs[r*e+i]
				}
				y[r*e+o] = acc
			}
		}
		return y
	}
	Q, K, V := proj(q, 0, l), proj(k, 1, s), proj(v, 2, s)
	concat := make([]float64, b*l*e)
	weights = make([]float64, b*h*l*s)
	for bi := range b {
		for hi := range h {
			for li := range l {
				sc := make([]float64, s)
				m := math.Inf(-1)
				for si := range s {
					for j := range d {
						sc[si] += Q[(bi*l+li)*e+hi*d+j] * K[(bi*s+si)*e+hi*d+j]
					}
					sc[si] /= math.Sqrt(float64(d))
					if mask != nil {
						sc[si] += mask(li, si)
					}
					m = max(m, sc[si])
				}
				var z float64
				for si := range s {
					sc[si] = math.Exp(sc[si] - m)
					z += sc[si]
				}
				for si := range s {
					p := sc[si] / z
					weights[((bi*h+hi)*l+li)*s+si] = p
					for j := range d {
						concat[(bi*l+li)*e+hi*d+j] += p * V[(bi*s+si)*e+hi*d+j]
					}
				}
			}
		}
	}
	wo, bo := a.OutProj.Weight.Float64s(), a.OutProj.Bias.Float64s()
	out = make([]float64, b*l*e)
	for r := range b * l {
		for o := range e {
			acc := bo[o]
			for i := range e {
				acc += wo[o*e+i] * concat[r*e+i]
			}
			out[r*e+o] = acc
		}
	}
	return out, weights
}

func TestAttentionAgainstPyTorch(t *testing.T) {
	// torch.nn.MultiheadAttention(4, 2, batch_first=True) in float64 with
	// parameters and inputs sin(a·(i+1)), cos(…) (torch 1.13), called with
	// average_attn_weights=False.
	const e, h, b, l, s = 4, 2, 2, 3, 2
	a := NewMultiheadAttention(e, h, WithSeed(1), f64)
	a.InProjWeight.CopyFrom(seq(func(i float64) float64 { return math.Sin(0.7 * i) }, 3*e, e))
	a.InProjBias.CopyFrom(seq(func(i float64) float64 { return math.Sin(1.3 * i) }, 3*e))
	a.OutProj.Weight.CopyFrom(seq(func(i float64) float64 { return math.Sin(0.45 * i) }, e, e))
	a.OutProj.Bias.CopyFrom(seq(func(i float64) float64 { return math.Sin(2.1 * i) }, e))
	q := seq(func(i float64) float64 { return math.Cos(0.3 * i) }, b, l, e)
	k := seq(func(i float64) float64 { return math.Cos(0.5*i + 1) }, b, s, e)
	v := seq(func(i float64) float64 { return math.Sin(0.9*i - 2) }, b, s, e)
	out, w := a.Attend(q, k, v, nil)
	wantOut := []float64{1.028864442650856, -0.83440352896032, -0.16573239867167977, 0.9003764677284543, 2.686300017505699, -1.3699966596045043, -1.5797922111553482, 2.078524301207845, 2.7829032822456456, -1.3590300642894981, -1.6813787427497366, 2.1137190514345403, 1.591040761760699, -0.7240437841081132, -0.7780566481819546, 1.0682594271164618, 2.8535613249845517, -0.9783268254692545, -1.9250299321214468, 1.8437319338137246, 2.85009584118436, -1.0459642001932308, -1.890829741887598, 1.8958285988176353}
	wantW := []float64{0.000806811743905588, 0.9991931882560945, 0.9238415212766328, 0.0761584787233673, 0.9996700819733674, 0.00032991802663262987, 0.044235597867884675, 0.9557644021321152, 0.9621257454697563, 0.037874254530243665, 0.9957210169065573, 0.004278983093442523, 0.16482178440782447, 0.8351782155921754, 0.9988271122241831, 0.0011728877758168054, 0.9996754407753511, 0.00032455922464902, 0.311430393364428, 0.688569606635572, 0.13679162331476954, 0.8632083766852305, 0.17970214647152022, 0.8202978535284797}
	closeTo(t, "attention output vs PyTorch", out.Float64s(), wantOut, 1e-12)
	closeTo(t, "attention weights vs PyTorch", w.Float64s(), wantW, 1e-12)
	var names []string
	for _, p := range NamedParams(a) {
		names = append(names, p.Name)
	}
	if !slices.Equal(names, []string{"in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"}) {
		t.Errorf("names %v", names)
	}
}

func TestAttention(t *testing.T) {
	a := NewMultiheadAttention(6, 2, WithSeed(2), f64)
	// Non-zero biases so that every parameter matters.
	Normal(0, 0.5)(a.InProjBias, rng(1))
	Normal(0, 0.5)(a.OutProj.Bias, rng(2))
	q, k, v := randT(3, 2, 4, 6), randT(4, 2, 5, 6), randT(5, 2, 5, 6)
	out, w := a.Attend(q, k, v, nil)
	wantOut, wantW := attentionRef(a, q, k, v, nil)
	closeTo(t, "attention", out.Float64s(), wantOut, 1e-12)
	closeTo(t, "attention weights", w.Float64s(), wantW, 1e-12)
	if !slices.Equal(w.Shape(), []int{2, 2, 4, 5}) {
		t.Errorf("weights shape %v", w.Shape())
	}
	// A causal mask.
	causal := tensor.Zeros(tensor.Float64, 4, 4)
	for i := range 4 {
		for j := i + 1; j < 4; j++ {
			causal.Float64s()[i*4+j] = math.Inf(-1)
		}
	}
	x := randT(6, 2, 4, 6)
	out, w = a.Attend(x, x, x, causal)
	wantOut, wantW = attentionRef(a, x, x, x, func(l, s int) float64 { return causal.At(l, s) })
	closeTo(t, "masked attention", out.Float64s(), wantOut, 1e-12)
	closeTo(t, "masked weights", w.Float64s(), wantW, 1e-12)
	if w.At(1, 1, 0, 1) != 0 || w.At(0, 0, 0, 0) != 1 {
		t.Error("causal mask not applied")
	}
	// Forward is self-attention; unbatched inputs drop the batch axis.
	self, _ := a.Attend(x, x, x, nil)
	closeTo(t, "Forward", a.Forward(x).Float64s(), self.Float64s(), 0)
	x0 := tensor.Reshape(randT(7, 1, 3, 6), 3, 6)
	ub, uw := a.Attend(x0, x0, x0, nil)
	bb, bw := a.Attend(tensor.Reshape(x0, 1, 3, 6), tensor.Reshape(x0, 1, 3, 6), tensor.Reshape(x0, 1, 3, 6), nil)
	if !slices.Equal(ub.Shape(), []int{3, 6}) || !slices.Equal(uw.Shape(), []int{2, 3, 3}) {
		t.Errorf("unbatched shapes %v %v", ub.Shape(), uw.Shape())
	}
	closeTo(t, "unbatched", ub.Float64s(), bb.Float64s(), 0)
	closeTo(t, "unbatched weights", uw.Float64s(), bw.Float64s(), 0)

	// Gradients with respect to inputs and every parameter.
	small := NewMultiheadAttention(4, 2, WithSeed(3), f64)
	Normal(0, 0.5)(small.InProjBias, rng(3))
	gradCheck(t, "attention", func(xs []*tensor.Tensor) *tensor.Tensor {
		o, _ := small.Attend(xs[0], xs[1], xs[2], nil)
		return o
	}, randT(8, 2, 3, 4), randT(9, 2, 2, 4), randT(10, 2, 2, 4), small.InProjWeight, small.InProjBias, small.OutProj.Weight, small.OutProj.Bias)
	// Second derivatives with respect to the input (PINNsFormer residuals).
	gradGradCheck(t, "self-attention", func(xs []*tensor.Tensor) *tensor.Tensor { return small.Forward(xs[0]) }, randT(11, 1, 3, 4))

	mustPanic(t, "heads do not divide", func() { NewMultiheadAttention(5, 2, WithSeed(1)) })
	mustPanic(t, "wrong embedding", func() { small.Forward(randT(1, 2, 3, 5)) })
	if nb := NewMultiheadAttention(4, 2, WithSeed(1), WithBias(false)); CountParams(nb) != 3*16+16 {
		t.Errorf("attention without bias has %d parameters", CountParams(nb))
	}
}

func TestAttentionInit(t *testing.T) {
	a := NewMultiheadAttention(64, 2, WithSeed(4), f64)
	checkUniform(t, "in_proj_weight (Xavier)", a.InProjWeight.Float64s(), math.Sqrt(6.0/(64+192)))
	checkUniform(t, "out_proj.weight (Linear default)", a.OutProj.Weight.Float64s(), 1.0/8)
	for _, b := range [][]float64{a.InProjBias.Float64s(), a.OutProj.Bias.Float64s()} {
		for _, v := range b {
			if v != 0 {
				t.Fatal("attention biases do not start at zero")
			}
		}
	}
}
