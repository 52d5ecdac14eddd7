package pinn

import (
	"fmt"
	"math/rand/v2"

	"github.com/sciml-go/sciml/nn"
	"github.com/sciml-go/sciml/tensor"
)

// KANConfig describes a Kolmogorov–Arnold network for a PINN.
type KANConfig struct {
	In, Out int
	// Hidden are the widths of the hidden layers (e.g. [16, 16]).
	Hidden []int
	// Basis is "bspline" (default: nn.KANLayer, a SiLU base plus cubic
	// B-splines, Liu et al. 2024) or "chebyshev" (nn.ChebyshevKAN, series
	// of T_k(tanh x)).
	Basis string
	// Grid and Order of the B-splines (defaults 5 and 3); Degree of the
	// Chebyshev series (default 5).
	Grid, Order, Degree int
	// Lo and Hi bound the inputs (the problem's box; default [−1, 1] on
	// every axis): the network first maps them affinely onto [−1, 1],
	// the range of the spline grids.
	Lo, Hi []float64
	// DType of the parameters (default Float64).
	DType tensor.DType
	// Rand is the source of the initialisation (nil: nn.NewRand(Seed)).
	Rand *rand.Rand
	Seed uint64
}

// KAN is a Kolmogorov–Arnold network u(x) = Φ_L ∘ … ∘ Φ_1(z(x)) with
// z = 2(x − Lo)/(Hi − Lo) − 1 and KAN layers Φ_l, in which every
// input–output pair has its own learnable function:
//
//	bspline:   y_o = Σ_i w_b[o,i]·silu(z_i) + Σ_i Σ_j c[o,i,j]·B_j(z_i)
//	chebyshev: y_o = Σ_i Σ_k c[o,i,k]·T_k(tanh z_i)
//
// Its input derivatives (any order) go through pinn.Eval's nested
// autodiff; cubic B-splines are C², so u_xx is continuous.
type KAN struct {
	In, Out int
	// Layers are *nn.KANLayer or *nn.ChebyshevKAN.
	Layers []nn.Layer
	// Shift and Scale map the inputs onto [−1, 1]: z = x·Scale + Shift
	// (buffers, [In]).
	Shift, Scale *tensor.Tensor
}

// NewKAN returns a KAN with the layers' default initialisation (see
// nn.NewKANLayer and nn.NewChebyshevKAN).
func NewKAN(cfg KANConfig) *KAN {
	if cfg.In <= 0 || cfg.Out <= 0 {
		panic(fmt.Sprintf("pinn.NewKAN: dimensions %d → %d", cfg.In, cfg.Out))
	}
	if cfg.DType == 0 {
		cfg.DType = tensor.Float64
	}
	r := cfg.Rand
	if r == nil {
		r = nn.NewRand(cfg.Seed)
	}
	shift, scale := make([]float64, cfg.In), make([]float64, cfg.In)
	for i := range cfg.In {
		lo, hi := -1.0, 1.0
		if cfg.Lo != nil {
			lo, hi = cfg.Lo[i], cfg.Hi[i]
		}
		if !(hi > lo) {
			panic(fmt.Sprintf("pinn.NewKAN: input box [%v, %v] on axis %d", lo, hi, i))
		}
		scale[i] = 2 / (hi - lo)
		shift[i] = -1 - lo*scale[i]
	}
	k := &KAN{In: cfg.In, Out: cfg.Out,
		Shift: tensor.FromFloat64s(cfg.DType, shift, cfg.In), Scale: tensor.FromFloat64s(cfg.DType, scale, cfg.In)}
	widths := append(append([]int{cfg.In}, cfg.Hidden...), cfg.Out)
	for i := 0; i+1 < len(widths); i++ {
		opts := []nn.Option{nn.WithRand(r), nn.WithDType(cfg.DType)}
		switch cfg.Basis {
		case "", "bspline":
			g, o := cfg.Grid, cfg.Order
			if g == 0 {
				g = 5
			}
			if o == 0 {
				o = 3
			}
			k.Layers = append(k.Layers, nn.NewKANLayer(widths[i], widths[i+1], g, o, opts...))
		case "chebyshev":
			d := cfg.Degree
			if d == 0 {
				d = 5
			}
			k.Layers = append(k.Layers, nn.NewChebyshevKAN(widths[i], widths[i+1], d, opts...))
		default:
			panic(fmt.Sprintf("pinn.NewKAN: basis %q (want bspline or chebyshev)", cfg.Basis))
		}
	}
	return k
}

// Dims returns the input and output dimensions.
func (k *KAN) Dims() (int, int) { return k.In, k.Out }

// Forward maps [N, In] to [N, Out].
func (k *KAN) Forward(x *tensor.Tensor) *tensor.Tensor {
	h := tensor.Add(tensor.Mul(x, k.Scale), k.Shift)
	for _, l := range k.Layers {
		h = l.Forward(h)
	}
	return h
}

// Visit declares the layers ("layers.0.…") and the input map buffers.
func (k *KAN) Visit(v *nn.Visitor) {
	nn.VisitList(v, "layers", k.Layers)
	v.Buffer("input_shift", k.Shift)
	v.Buffer("input_scale", k.Scale)
}
