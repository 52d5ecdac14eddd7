package pinn

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/sciml-go/sciml/nn"
	"github.com/sciml-go/sciml/tensor"
)

// PINNsFormerConfig describes a PINNsFormer (Zhao, Ding & Prakash 2024,
// "PINNsFormer: A Transformer-Based Framework for Physics-Informed Neural
// Networks"). Zero fields take the published values: K = 5, Dt = 1e-4,
// DModel = 32, Heads = 2, Layers = 1, DFF = 256, DHidden = 512.
type PINNsFormerConfig struct {
	// In and Out are the input and output dimensions; the last input axis
	// is time (the axis the pseudo-sequence advances).
	In, Out int
	// K is the length of the pseudo-sequence and Dt its time step.
	K  int
	Dt float64
	// DModel is the embedding width, Heads the number of attention heads
	// (DModel must be a multiple), Layers the number N of encoder and of
	// decoder layers, DFF the width of their feed-forward blocks and
	// DHidden the width of the output MLP.
	DModel, Heads, Layers, DFF, DHidden int
	// DType of the parameters (default Float64).
	DType tensor.DType
	// Rand is the source of the initialisation (nil: nn.NewRand(Seed)).
	Rand *rand.Rand
	Seed uint64
}

func (c *PINNsFormerConfig) defaults() {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&c.K, 5)
	def(&c.DModel, 32)
	def(&c.Heads, 2)
	def(&c.Layers, 1)
	def(&c.DFF, 256)
	def(&c.DHidden, 512)
	if c.Dt == 0 {
		c.Dt = 1e-4
	}
	if c.DType == 0 {
		c.DType = tensor.Float64
	}
}

// PINNsFormer is the transformer PINN of Zhao, Ding & Prakash (2024). A
// point p = (x, t) becomes the pseudo-sequence
//
//	s_i = (x, t + iΔt),  i = 0…K−1,
//
// each token is embedded linearly (the spatio-temporal mixer),
// e = W_e s_i + b_e ∈ ℝ^{DModel}, passed through an encoder and a decoder
// of pre-activation residual attention layers with the wavelet activation
// ω(z) = w1·sin z + w2·cos z (learnable scalars, one pair per use),
//
//	encoder layer:  h ← h + MHA(ω(h), ω(h), ω(h));  h ← h + FF(ω(h))
//	decoder layer:  h ← h + MHA(ω(h), m, m);        h ← h + FF(ω(h))
//	FF = L(DFF→DModel) ∘ ω ∘ L(DFF→DFF) ∘ ω ∘ L(DModel→DFF)
//
// where the encoder starts from e and ends with ω, giving the memory m,
// and the decoder starts from e too and ends with ω; the output MLP
// L(DHidden→Out) ∘ ω ∘ L(DHidden→DHidden) ∘ ω ∘ L(DModel→DHidden) maps
// every token to its prediction u(x, t + iΔt).
//
// As a Net, Forward returns the prediction of the first token, u(x, t),
// and its input derivatives (through pinn.Eval, nested autodiff) are the
// true derivatives of that field: all K tokens move with t. Training with
// the Trainer uses the paper's loss instead (see Tokens): the residual and
// the homogeneous and periodic conditions on every pseudo-timestep, with
// derivatives taken per token as PyTorch's autograd.grad does for the
// sequence input, and conditions with a target (u = g) on the first
// token only. Causal weighting, when configured, applies to the tokens.
//
// The published configuration (DModel 32, 2 heads, N = 1, DFF 256,
// DHidden 512, 2 inputs, 1 output) has 453,561 parameters: embedding 96;
// each of the encoder and decoder layers 4,224 (attention) + 82,468
// (feed-forward with its two wavelets) + 4 (two wavelets), plus 2 for the
// final wavelet, 86,698; the output MLP 280,069.
type PINNsFormer struct {
	K       int
	Dt      float64
	In, Out int
	Embed   *nn.Linear
	Encoder []*PINNsFormerLayer
	Decoder []*PINNsFormerLayer
	// EncoderAct and DecoderAct are the wavelets that close the encoder
	// and the decoder.
	EncoderAct, DecoderAct *Wavelet
	// Head is the output MLP (three Linear layers) and HeadAct its two
	// wavelets.
	Head    []*nn.Linear
	HeadAct []*Wavelet
}

// PINNsFormerLayer is one encoder or decoder layer of a PINNsFormer:
// x ← x + Attn(ω1(x), m, m) with m = ω1(x) (encoder) or the encoder
// output (decoder), then x ← x + FF(ω2(x)).
type PINNsFormerLayer struct {
	Attn       *nn.MultiheadAttention
	Act1, Act2 *Wavelet
	// FF holds the three Linear layers of the feed-forward block and
	// FFAct its two wavelets.
	FF    []*nn.Linear
	FFAct []*Wavelet
}

// Wavelet is PINNsFormer's activation ω(z) = W1·sin z + W2·cos z with
// learnable scalars W1, W2 (initially 1), the catalogue's "wavelet"
// computed with one sin/cos evaluation per element: [sin z, cos z] is one
// operation whose backward rule, ∂/∂z = g_s·cos z − g_c·sin z, reuses its
// own output, so neither the gradient nor the higher derivatives that a
// PINN residual needs evaluate sin or cos again.
type Wavelet struct {
	W1, W2 *tensor.Tensor // [1] each
}

// NewWavelet returns ω with W1 = W2 = 1.
func NewWavelet(d tensor.DType) *Wavelet {
	return &Wavelet{W1: tensor.Full(d, 1, 1).SetRequiresGrad(true), W2: tensor.Full(d, 1, 1).SetRequiresGrad(true)}
}

// Forward applies ω elementwise.
func (w *Wavelet) Forward(z *tensor.Tensor) *tensor.Tensor {
	sc := sinCos(z) // [2, z…]
	shape := make([]int, z.NDim()+1)
	for i := range shape {
		shape[i] = 1
	}
	shape[0] = 2
	ws := tensor.Reshape(tensor.Concat(0, w.W1, w.W2), shape...)
	return tensor.SumAxes(tensor.Mul(sc, ws), []int{0}, false)
}

// Visit declares w1 and w2.
func (w *Wavelet) Visit(v *nn.Visitor) {
	v.Param("w1", w.W1)
	v.Param("w2", w.W2)
}

// sinCos returns [sin z, cos z] stacked on a new leading axis.
func sinCos(z *tensor.Tensor) *tensor.Tensor {
	out := tensor.Empty(z.DType(), append([]int{2}, z.Shape()...), z)
	n := z.Numel()
	switch z.DType() {
	case tensor.Float64:
		x, o := z.Float64s(), out.Float64s()
		parallel(n, 8192, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				o[i], o[n+i] = math.Sincos(x[i])
			}
		})
	case tensor.Float32:
		x, o := z.Float32s(), out.Float32s()
		parallel(n, 8192, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				s, c := math.Sincos(float64(x[i]))
				o[i], o[n+i] = float32(s), float32(c)
			}
		})
	default:
		panic(fmt.Sprintf("pinn.Wavelet: %v input", z.DType()))
	}
	return tensor.Record(out, "SinCos", func(g *tensor.Tensor, _ []*tensor.Tensor, out *tensor.Tensor, _ []bool) []*tensor.Tensor {
		s, c := tensor.Narrow(out, 0, 0, 1), tensor.Narrow(out, 0, 1, 1)
		gs, gc := tensor.Narrow(g, 0, 0, 1), tensor.Narrow(g, 0, 1, 1)
		d := tensor.Sub(tensor.Mul(gs, c), tensor.Mul(gc, s))
		return []*tensor.Tensor{tensor.Reshape(d, out.Shape()[1:]...)}
	}, z)
}

// pfLinear is the paper's initialisation: Xavier-uniform weight, bias 0.01.
func pfLinear(in, out int, d tensor.DType, r *rand.Rand) *nn.Linear {
	return nn.NewLinear(in, out, nn.WithRand(r), nn.WithDType(d),
		nn.WithWeightInit(nn.XavierUniform(1)), nn.WithBiasInit(nn.Constant(0.01)))
}

func newPFLayer(c *PINNsFormerConfig, r *rand.Rand) *PINNsFormerLayer {
	a := nn.NewMultiheadAttention(c.DModel, c.Heads, nn.WithRand(r), nn.WithDType(c.DType))
	// init_weights of the reference code reaches out_proj (a Linear)
	nn.XavierUniform(1)(a.OutProj.Weight, r)
	nn.Constant(0.01)(a.OutProj.Bias, r)
	return &PINNsFormerLayer{
		Attn: a, Act1: NewWavelet(c.DType), Act2: NewWavelet(c.DType),
		FF: []*nn.Linear{pfLinear(c.DModel, c.DFF, c.DType, r), pfLinear(c.DFF, c.DFF, c.DType, r),
			pfLinear(c.DFF, c.DModel, c.DType, r)},
		FFAct: []*Wavelet{NewWavelet(c.DType), NewWavelet(c.DType)},
	}
}

// forward applies the layer to x [B, K, DModel]; mem is the encoder
// output for a decoder layer, nil for an encoder layer.
func (l *PINNsFormerLayer) forward(x, mem *tensor.Tensor) *tensor.Tensor {
	x2 := l.Act1.Forward(x)
	if mem == nil {
		mem = x2
	}
	a, _ := l.Attn.Attend(x2, mem, mem, nil)
	x = tensor.Add(x, a)
	return tensor.Add(x, mlp3(l.FF, l.FFAct, l.Act2.Forward(x)))
}

func mlp3(ls []*nn.Linear, acts []*Wavelet, x *tensor.Tensor) *tensor.Tensor {
	for i, l := range ls {
		x = l.Forward(x)
		if i < len(acts) {
			x = acts[i].Forward(x)
		}
	}
	return x
}

// Visit declares attn, act1, act2, ff.linear.{0,1,2,3,4} (PyTorch's names).
func (l *PINNsFormerLayer) Visit(v *nn.Visitor) {
	v.Module("attn", l.Attn)
	v.Module("ff", seqModule{l.FF, l.FFAct, "linear."})
	v.Module("act1", l.Act1)
	v.Module("act2", l.Act2)
}

// seqModule declares Linear/activation pairs as an nn.Sequential would:
// prefix.0 (Linear), prefix.1 (activation), prefix.2 (Linear), …
type seqModule struct {
	ls     []*nn.Linear
	acts   []*Wavelet
	prefix string
}

func (s seqModule) Visit(v *nn.Visitor) {
	for i, l := range s.ls {
		v.Module(fmt.Sprintf("%s%d", s.prefix, 2*i), l)
		if i < len(s.acts) {
			v.Module(fmt.Sprintf("%s%d", s.prefix, 2*i+1), s.acts[i])
		}
	}
}

// NewPINNsFormer returns a PINNsFormer initialised as the reference code
// does: Xavier-uniform weights and biases 0.01 for every Linear (the
// attention output projection included), the attention input projection
// Xavier-uniform with zero bias, wavelet weights w1 = w2 = 1.
func NewPINNsFormer(cfg PINNsFormerConfig) *PINNsFormer {
	cfg.defaults()
	if cfg.In <= 0 || cfg.Out <= 0 || cfg.K <= 0 || cfg.Layers < 0 || cfg.DFF <= 0 || cfg.DHidden <= 0 {
		panic(fmt.Sprintf("pinn.NewPINNsFormer: %+v", cfg))
	}
	r := cfg.Rand
	if r == nil {
		r = nn.NewRand(cfg.Seed)
	}
	d := cfg.DType
	m := &PINNsFormer{K: cfg.K, Dt: cfg.Dt, In: cfg.In, Out: cfg.Out, Embed: pfLinear(cfg.In, cfg.DModel, d, r)}
	for range cfg.Layers {
		m.Encoder = append(m.Encoder, newPFLayer(&cfg, r))
	}
	for range cfg.Layers {
		m.Decoder = append(m.Decoder, newPFLayer(&cfg, r))
	}
	m.EncoderAct, m.DecoderAct = NewWavelet(d), NewWavelet(d)
	m.Head = []*nn.Linear{pfLinear(cfg.DModel, cfg.DHidden, d, r), pfLinear(cfg.DHidden, cfg.DHidden, d, r),
		pfLinear(cfg.DHidden, cfg.Out, d, r)}
	m.HeadAct = []*Wavelet{NewWavelet(d), NewWavelet(d)}
	return m
}

// Dims returns the input and output dimensions.
func (m *PINNsFormer) Dims() (int, int) { return m.In, m.Out }

// Visit declares linear_emb, encoder.layers.i, encoder.act,
// decoder.layers.i, decoder.act and linear_out.{0,…,4}, as the reference
// PyTorch module names them.
func (m *PINNsFormer) Visit(v *nn.Visitor) {
	v.Module("linear_emb", m.Embed)
	v.Module("encoder", pfStack{m.Encoder, m.EncoderAct})
	v.Module("decoder", pfStack{m.Decoder, m.DecoderAct})
	v.Module("linear_out", seqModule{m.Head, m.HeadAct, ""})
}

type pfStack struct {
	layers []*PINNsFormerLayer
	act    *Wavelet
}

func (s pfStack) Visit(v *nn.Visitor) {
	nn.VisitList(v, "layers", s.layers)
	v.Module("act", s.act)
}

// Expand returns the pseudo-sequences of the points x [N, In] as token
// rows [N·K, In]: row n·K + i is x_n with Δt·i added to its time (last)
// coordinate. It is differentiable with respect to x.
func (m *PINNsFormer) Expand(x *tensor.Tensor) *tensor.Tensor {
	if x.NDim() != 2 || x.Dim(1) != m.In {
		panic(fmt.Sprintf("pinn.PINNsFormer: points of shape %v, want [N, %d]", x.Shape(), m.In))
	}
	off := make([]float64, m.K*m.In)
	for i := range m.K {
		off[i*m.In+m.In-1] = float64(i) * m.Dt
	}
	s := tensor.Add(tensor.Unsqueeze(x, 1), tensor.FromFloat64s(x.DType(), off, m.K, m.In))
	return tensor.Reshape(s, x.Dim(0)*m.K, m.In)
}

// Sequence maps token rows [N·K, In] (K consecutive rows form one
// sequence, as Expand lays them out) to the predictions of every token,
// [N·K, Out].
func (m *PINNsFormer) Sequence(s *tensor.Tensor) *tensor.Tensor {
	if s.NDim() != 2 || s.Dim(1) != m.In || s.Dim(0)%m.K != 0 {
		panic(fmt.Sprintf("pinn.PINNsFormer: token rows of shape %v, want [N·%d, %d]", s.Shape(), m.K, m.In))
	}
	n := s.Dim(0) / m.K
	e := m.Embed.Forward(tensor.Reshape(s, n, m.K, m.In))
	enc := e
	for _, l := range m.Encoder {
		enc = l.forward(enc, nil)
	}
	enc = m.EncoderAct.Forward(enc)
	dec := e
	for _, l := range m.Decoder {
		dec = l.forward(dec, enc)
	}
	dec = m.DecoderAct.Forward(dec)
	return tensor.Reshape(mlp3(m.Head, m.HeadAct, dec), n*m.K, m.Out)
}

// Forward maps points [N, In] to the prediction of their first token,
// u(x, t), [N, Out].
func (m *PINNsFormer) Forward(x *tensor.Tensor) *tensor.Tensor {
	n := x.Dim(0)
	y := tensor.Reshape(m.Sequence(m.Expand(x)), n, m.K, m.Out)
	return tensor.Reshape(tensor.Narrow(y, 1, 0, 1), n, m.Out)
}

// Tokens returns the PINNsFormer as a Net over token rows (its Forward is
// Sequence): pinn.Eval of it at Expand(x) differentiates the sum of all
// predictions with respect to each token's own coordinates,
// ∂/∂s_{n,i} Σ_j u_{n,j}, which is what the reference code computes with
// autograd.grad on the sequence input and what the published loss uses.
func (m *PINNsFormer) Tokens() Net { return pfTokens{m} }

type pfTokens struct{ m *PINNsFormer }

func (t pfTokens) Visit(v *nn.Visitor)                     { t.m.Visit(v) }
func (t pfTokens) Dims() (int, int)                        { return t.m.In, t.m.Out }
func (t pfTokens) Forward(x *tensor.Tensor) *tensor.Tensor { return t.m.Sequence(x) }

// LossTerms returns the names and unweighted terms of the published
// PINNsFormer loss at the collocation points x [N, In]: the mean squared
// residual over every token of the pseudo-sequences (causally weighted
// over the tokens' times when causal is set), each condition without a
// target (homogeneous Dirichlet/Neumann/Robin, periodic) over every token
// of its points' sequences, and each condition with a target g over the
// first tokens (g holds at the points, not at t + iΔt).
func (m *PINNsFormer) LossTerms(p *Problem, x *tensor.Tensor, causal *Causal) ([]string, []*tensor.Tensor) {
	var names []string
	var terms []*tensor.Tensor
	tok := m.Tokens()
	if p.Residual != nil {
		s := m.Expand(x.Detach())
		r2 := ResidualSquares(p, tok, s, Nested)
		var l *tensor.Tensor
		if causal != nil {
			l = causalLoss(r2, s, causal)
		} else {
			l = tensor.Mean(r2)
		}
		names, terms = append(names, "residual"), append(terms, l)
	}
	for _, c := range p.Conditions {
		var l *tensor.Tensor
		if c.Target != nil && c.Partner == nil {
			l = c.Loss(m, Nested)
		} else {
			cc := *c
			cc.X = m.Expand(c.X)
			if c.Partner != nil {
				cc.Partner = m.Expand(c.Partner)
			}
			l = cc.Loss(tok, Nested)
		}
		names, terms = append(names, c.Name), append(terms, l)
	}
	return names, terms
}
