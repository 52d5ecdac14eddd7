package pinn

import (
	"fmt"
	"math"
	"slices"

	"github.com/sciml-go/sciml/internal/taylor"
	"github.com/sciml-go/sciml/nn"
	"github.com/sciml-go/sciml/tensor"
)

// Net is a network u: ℝ^In → ℝ^Out applied row-wise to points x of shape
// [N, In], returning [N, Out].
type Net interface {
	nn.Module
	Forward(x *tensor.Tensor) *tensor.Tensor
	// Dims returns the input and output dimensions.
	Dims() (in, out int)
}

// Activation is a smooth scalar activation σ. All returns σ(a) and its
// first three derivatives, which is what the Taylor (forward-mode)
// derivative path needs: for h = σ(a), h_i = σ′(a)a_i and
// h_ij = σ′(a)a_ij + σ″(a)a_i a_j, and the parameter gradient of those
// needs σ‴. Tensor applies σ with the tensor package's differentiable
// ops (the generic nested-autodiff path). Tanh and Sin also carry fused
// Taylor kernels (used instead of All and FromOutput), so define a new
// Activation rather than altering a copy of them.
type Activation struct {
	Name string
	All  func(a float64) (f, d1, d2, d3 float64)
	// FromOutput, when set, gives σ′, σ′', σ′'' from h = σ(a) alone (tanh:
	// 1 − h², −2h(1 − h²), −2(1 − h²)(1 − 3h²)), sparing the backward pass
	// the transcendental function.
	FromOutput func(h float64) (d1, d2, d3 float64)
	Tensor     func(x *tensor.Tensor) *tensor.Tensor

	// fused names the fused Taylor kernels of this activation
	// (internal/taylor); zero for activations built outside this package,
	// which take the generic Taylor path.
	fused taylor.Act
}

// Tanh is the activation tanh a: σ′ = 1 − σ², σ″ = −2σσ′,
// σ‴ = −2σ′(1 − 3σ²).
var Tanh = Activation{
	Name: "tanh",
	All: func(a float64) (float64, float64, float64, float64) {
		h := math.Tanh(a)
		s := 1 - h*h
		return h, s, -2 * h * s, -2 * s * (1 - 3*h*h)
	},
	FromOutput: func(h float64) (float64, float64, float64) {
		s := 1 - h*h
		return s, -2 * h * s, -2 * s * (1 - 3*h*h)
	},
	Tensor: tensor.Tanh,
	fused:  taylor.Tanh,
}

// Sin is the activation sin a (σ′ = cos, σ″ = −sin, σ‴ = −cos).
var Sin = Activation{
	Name: "sin",
	All: func(a float64) (float64, float64, float64, float64) {
		s, c := math.Sincos(a)
		return s, c, -s, -c
	},
	Tensor: tensor.Sin,
	fused:  taylor.Sin,
}

// ActivationByName returns Tanh or Sin (which have the Taylor path), or
// any other activation of the nn catalogue (nn.NewActivation; those use
// the nested-autodiff path, and learnable activation parameters keep
// their initial values).
func ActivationByName(name string) (Activation, error) {
	switch name {
	case "tanh", "":
		return Tanh, nil
	case "sin", "sine":
		return Sin, nil
	}
	a, err := nn.NewActivation(nn.ActivationSpec{Name: name}, nn.WithDType(tensor.Float64))
	if err != nil {
		return Activation{}, fmt.Errorf("pinn: activation %q: %w", name, err)
	}
	return Activation{Name: name, Tensor: a.Forward}, nil
}

// MLPConfig describes a fully connected network.
type MLPConfig struct {
	In, Out int
	// Hidden are the widths of the hidden layers (Raissi's Burgers: eight
	// of 20).
	Hidden []int
	// Activation of the hidden layers (default Tanh).
	Activation Activation
	// DType of the parameters (default Float64).
	DType tensor.DType
	// Seed of the Xavier-normal initialisation (Glorot, as in Raissi's
	// code); biases start at zero.
	Seed uint64
	// FourierFeatures m > 0 maps the input first to the random Fourier
	// features [sin 2πBx, cos 2πBx] with fixed B ∈ ℝ^{m×In}, B_ij ~
	// N(0, FourierScale²) (Tancik et al. 2020; Wang, Wang & Perdikaris 2021).
	FourierFeatures int
	FourierScale    float64
	// Periodic embeds input axes exactly periodically (PeriodicEmbedding),
	// before any Fourier features.
	Periodic []PeriodicEmbedding
	// InputLo and InputHi (both or neither, one bound per input) map the
	// box [InputLo, InputHi] of the inputs that are not periodically
	// embedded affinely onto [−1, 1]^d before anything else.
	InputLo, InputHi []float64
}

// PeriodicEmbedding replaces input axis Axis by its first Harmonics
// Fourier modes of period Period,
//
//	x_a ↦ [cos(kωx_a), sin(kωx_a)], k = 1…Harmonics, ω = 2π/Period,
//
// so that the network is exactly Period-periodic in x_a, with all its
// derivatives (Dong & Ni 2021; Wang, Sankaran, Wang & Perdikaris 2023). A
// periodic boundary condition then holds by construction. The constant
// mode is left to the first layer's bias.
type PeriodicEmbedding struct {
	Axis      int     `json:"axis" yaml:"axis"`
	Period    float64 `json:"period" yaml:"period"`
	Harmonics int     `json:"harmonics" yaml:"harmonics"`
}

// omega returns 2π/Period.
func (p PeriodicEmbedding) omega() float64 { return 2 * math.Pi / p.Period }

// Validate checks the embedding for a network of in inputs.
func (p PeriodicEmbedding) Validate(in int) error {
	switch {
	case p.Axis < 0 || (in > 0 && p.Axis >= in):
		return fmt.Errorf("periodic axis %d of %d inputs", p.Axis, in)
	case !(p.Period > 0) || math.IsInf(p.Period, 0):
		return fmt.Errorf("period %g, want > 0", p.Period)
	case p.Harmonics <= 0:
		return fmt.Errorf("harmonics %d, want > 0", p.Harmonics)
	}
	return nil
}

// embedWidth returns the number of features the periodic embeddings make
// of in inputs: the other axes pass through, each periodic axis becomes
// 2·Harmonics features.
func embedWidth(pe []PeriodicEmbedding, in int) int {
	w := in
	for _, p := range pe {
		w += 2*p.Harmonics - 1
	}
	return w
}

// MLP is u(x) = L_n ∘ σ ∘ L_{n−1} ∘ … ∘ σ ∘ L_1(x) with affine layers L_k.
// With float64 parameters its input derivatives up to second order can be
// computed by forward Taylor propagation (see Fields), which is several
// times faster than nested reverse-mode autodiff.
type MLP struct {
	Layers []*nn.Linear
	Act    Activation
	// Fourier is B of the Fourier-feature input map, [m, In] (nil: none;
	// In is the width of the periodic embedding when there is one). It is
	// a buffer, not trained.
	Fourier *tensor.Tensor
	// Periodic are the exact periodic embeddings of input axes, applied
	// first (nil: none); In is then the number of inputs.
	Periodic []PeriodicEmbedding
	In       int
	// Center and Scale normalise the inputs first, x ↦ (x − Center)·Scale
	// (nil: none; periodic axes have Center 0, Scale 1). Not trained.
	Center, Scale []float64
}

// NewMLP returns an MLP with Xavier-normal weights and zero biases.
func NewMLP(cfg MLPConfig) *MLP {
	if cfg.In <= 0 || cfg.Out <= 0 {
		panic(fmt.Sprintf("pinn.NewMLP: dimensions %d → %d", cfg.In, cfg.Out))
	}
	if cfg.Activation.Tensor == nil {
		cfg.Activation = Tanh
	}
	if cfg.DType == 0 {
		cfg.DType = tensor.Float64
	}
	r := nn.NewRand(cfg.Seed)
	m := &MLP{Act: cfg.Activation}
	first := cfg.In
	if cfg.InputLo != nil || cfg.InputHi != nil {
		if len(cfg.InputLo) != cfg.In || len(cfg.InputHi) != cfg.In {
			panic(fmt.Sprintf("pinn.NewMLP: input box %v, %v for %d inputs", cfg.InputLo, cfg.InputHi, cfg.In))
		}
		m.Center, m.Scale = make([]float64, cfg.In), make([]float64, cfg.In)
		for a := range cfg.In {
			lo, hi := cfg.InputLo[a], cfg.InputHi[a]
			if !(hi > lo) {
				panic(fmt.Sprintf("pinn.NewMLP: input box [%g, %g] along axis %d", lo, hi, a))
			}
			m.Center[a], m.Scale[a] = (lo+hi)/2, 2/(hi-lo)
		}
		for _, p := range cfg.Periodic {
			if p.Axis >= 0 && p.Axis < cfg.In {
				m.Center[p.Axis], m.Scale[p.Axis] = 0, 1
			}
		}
	}
	if len(cfg.Periodic) > 0 {
		seen := map[int]bool{}
		for _, p := range cfg.Periodic {
			if err := p.Validate(cfg.In); err != nil {
				panic("pinn.NewMLP: " + err.Error())
			}
			if seen[p.Axis] {
				panic(fmt.Sprintf("pinn.NewMLP: axis %d embedded twice", p.Axis))
			}
			seen[p.Axis] = true
		}
		m.Periodic, m.In = slices.Clone(cfg.Periodic), cfg.In
		first = embedWidth(cfg.Periodic, cfg.In)
	}
	if f := cfg.FourierFeatures; f > 0 {
		scale := cfg.FourierScale
		if scale == 0 {
			scale = 1
		}
		b := make([]float64, f*first)
		for i := range b {
			b[i] = scale * r.NormFloat64()
		}
		m.Fourier = tensor.FromFloat64s(cfg.DType, b, f, first)
		first = 2 * f
	}
	widths := append(append([]int{first}, cfg.Hidden...), cfg.Out)
	for i := 0; i+1 < len(widths); i++ {
		m.Layers = append(m.Layers, nn.NewLinear(widths[i], widths[i+1],
			nn.WithRand(r), nn.WithDType(cfg.DType),
			nn.WithWeightInit(nn.XavierNormal(1)), nn.WithBiasInit(nn.Constant(0))))
	}
	return m
}

// Dims returns the input and output dimensions.
func (m *MLP) Dims() (int, int) {
	in := m.Layers[0].In
	if m.Periodic != nil {
		in = m.In
	} else if m.Fourier != nil {
		in = m.Fourier.Dim(1)
	}
	return in, m.Layers[len(m.Layers)-1].Out
}

// Forward maps [N, In] to [N, Out].
func (m *MLP) Forward(x *tensor.Tensor) *tensor.Tensor {
	h := x
	if m.Scale != nil {
		d := x.Dim(1)
		h = tensor.Mul(tensor.Sub(h, tensor.FromFloat64s(x.DType(), m.Center, 1, d)), tensor.FromFloat64s(x.DType(), m.Scale, 1, d))
	}
	if m.Periodic != nil {
		h = m.embed(h)
	}
	if m.Fourier != nil {
		z := tensor.Scale(tensor.MatMulT(h, m.Fourier, false, true), 2*math.Pi)
		h = tensor.Concat(1, tensor.Sin(z), tensor.Cos(z))
	}
	for i, l := range m.Layers {
		h = l.Forward(h)
		if i+1 < len(m.Layers) {
			h = m.Act.Tensor(h)
		}
	}
	return h
}

// embed applies the periodic embeddings: the non-periodic axes in their
// order, then [cos kωx_a (k = 1…M), sin kωx_a (k = 1…M)] for each
// embedding in turn.
func (m *MLP) embed(x *tensor.Tensor) *tensor.Tensor {
	in := x.Dim(1)
	periodic := map[int]bool{}
	for _, p := range m.Periodic {
		periodic[p.Axis] = true
	}
	var keep []int
	for a := range in {
		if !periodic[a] {
			keep = append(keep, a)
		}
	}
	var parts []*tensor.Tensor
	if len(keep) > 0 {
		parts = append(parts, tensor.IndexSelect(x, 1, keep))
	}
	for _, p := range m.Periodic {
		k := make([]float64, p.Harmonics)
		for i := range k {
			k[i] = float64(i+1) * p.omega()
		}
		z := tensor.Mul(tensor.IndexSelect(x, 1, []int{p.Axis}), tensor.FromFloat64s(x.DType(), k, 1, p.Harmonics))
		parts = append(parts, tensor.Cos(z), tensor.Sin(z))
	}
	return tensor.Concat(1, parts...)
}

// Visit declares the layers ("layers.0.weight", …).
func (m *MLP) Visit(v *nn.Visitor) {
	nn.VisitList(v, "layers", m.Layers)
	if m.Fourier != nil {
		v.Buffer("fourier", m.Fourier)
	}
}

// Transformed is a network with an output transform u(x) = T(x, net(x)),
// the way hard constraints are imposed: for u(0, x) = g(x) use
// T(x, v) = g(x) + t·v, for u = 0 at x = ±1 multiply by (1 − x²). The
// transform must be built from differentiable tensor operations; input
// derivatives go through the generic (nested autodiff) path.
type Transformed struct {
	Net       Net
	Transform func(x, u *tensor.Tensor) *tensor.Tensor
}

// Dims returns the dimensions of the wrapped network.
func (t *Transformed) Dims() (int, int) { return t.Net.Dims() }

// Forward returns Transform(x, Net(x)).
func (t *Transformed) Forward(x *tensor.Tensor) *tensor.Tensor {
	return t.Transform(x, t.Net.Forward(x))
}

// Visit declares the wrapped network's parameters under "net".
func (t *Transformed) Visit(v *nn.Visitor) { v.Module("net", t.Net) }
