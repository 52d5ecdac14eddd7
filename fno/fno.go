package fno

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"

	"github.com/sciml-go/sciml/nn"
	"github.com/sciml-go/sciml/operator"
	"github.com/sciml-go/sciml/tensor"
)

// Config describes an FNO. The zero values of optional fields take the
// documented defaults.
type Config struct {
	// Common: Dim 1, 2 or 3; Grid appends the coordinates of the grid
	// points as input channels: "" (none), "periodic" (x_i = i/n) or
	// "closed" (x_i = i/(n−1)).
	operator.Common `yaml:",inline"`
	// Stack: Width is the number of channels of the Fourier layers
	// (required), Layers the number of Fourier layers (default 4),
	// Projection the hidden width of the projection MLP (default 128).
	operator.Stack `yaml:",inline"`
	// Modes is the number of Fourier modes kept per axis (len Dim).
	Modes []int `yaml:"modes" json:"modes"`
	// Padding is the fraction of each axis added as zero padding at its
	// end before the Fourier layers (non-periodic problems; 0 = none). One
	// value applies to every axis, or one per axis.
	Padding []float64 `yaml:"padding" json:"padding"`
	// Norm is the normalisation after each layer: "" (none), "batch" or
	// "instance".
	Norm string `yaml:"norm" json:"norm"`
	// Skip is the pointwise path of each layer: "linear" (default, W v + b),
	// "identity" (v) or "none".
	Skip string `yaml:"skip" json:"skip"`
}

func (c Config) withDefaults() Config {
	c.Common = c.Common.WithDefaults("")
	c.Stack = c.Stack.WithDefaults(0, 4)
	if c.Skip == "" {
		c.Skip = "linear"
	}
	return c
}

// Validate reports every problem with the configuration.
func (c Config) Validate() error {
	c = c.withDefaults()
	errs := c.Common.Check(3)
	if c.Width < 1 {
		errs = append(errs, fmt.Sprintf("width %d: want ≥ 1", c.Width))
	}
	if len(c.Modes) != c.Dim {
		errs = append(errs, fmt.Sprintf("modes %v: want %d values (one per axis)", c.Modes, c.Dim))
	}
	for _, m := range c.Modes {
		if m < 1 {
			errs = append(errs, fmt.Sprintf("modes %v: want ≥ 1", c.Modes))
			break
		}
	}
	if c.Layers < 1 || c.Projection < 1 {
		errs = append(errs, fmt.Sprintf("layers %d, projection %d: want ≥ 1", c.Layers, c.Projection))
	}
	if len(c.Padding) != 0 && len(c.Padding) != 1 && len(c.Padding) != c.Dim {
		errs = append(errs, fmt.Sprintf("padding %v: want one value or one per axis", c.Padding))
	}
	for _, p := range c.Padding {
		if p < 0 || p > 1 || math.IsNaN(p) {
			errs = append(errs, fmt.Sprintf("padding %v: want fractions in [0, 1]", c.Padding))
			break
		}
	}
	switch c.Norm {
	case "", "batch", "instance":
	default:
		errs = append(errs, fmt.Sprintf("norm %q: want \"\", batch or instance", c.Norm))
	}
	switch c.Skip {
	case "linear", "identity", "none":
	default:
		errs = append(errs, fmt.Sprintf("skip %q: want linear, identity or none", c.Skip))
	}
	return operator.JoinProblems("fno", errs)
}

// Layer is one Fourier layer: v ↦ K v + W v (before normalisation and
// activation).
type Layer struct {
	// Spectral holds the complex weights R(k), shape [Width, Width, 2m_1,
	// …, 2m_{d−1}, m_d]: on every axis but the last the positive
	// frequencies 0…m−1 and the negative ones −m…−1 (PyTorch's weights1,
	// weights2, … side by side), on the last axis 0…m−1.
	Spectral *tensor.Tensor
	// Skip is the pointwise linear path (nil unless Skip is "linear").
	Skip *nn.ChannelLinear
	// Norm is the normalisation (nil unless Norm is set).
	Norm nn.Layer
}

// Visit declares the layer's parameters.
func (l *Layer) Visit(v *nn.Visitor) {
	v.Param("spectral.weight", l.Spectral)
	v.Module("skip", l.Skip)
	if l.Norm != nil {
		v.Module("norm", l.Norm)
	}
}

// FNO is a Fourier neural operator. It implements operator.Operator.
type FNO struct {
	Config Config
	// Lift maps In (+ Dim coordinate) channels to Width.
	Lift *nn.ChannelLinear
	// Layers are the Fourier layers.
	Layers []*Layer
	// Project is the projection MLP Width → Projection → Out.
	Project *nn.ChannelMLP

	act   nn.Activation
	dtype tensor.DType
	grid  *operator.GridKind

	mu    sync.Mutex
	grids map[string]*tensor.Tensor // cached coordinate channels
}

// New builds an FNO from cfg with weights drawn from r (PyTorch's
// initialisation: 1×1 maps U(−1/√fan_in, 1/√fan_in); spectral weights with
// real and imaginary parts U(0, 1/(Width·Width))).
func New(cfg Config, r *rand.Rand) (*FNO, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	act, dt, kind, opts := cfg.Setup(nn.WithRand(r))
	m := &FNO{Config: cfg, act: act, dtype: dt, grid: kind, grids: map[string]*tensor.Tensor{}}
	in := cfg.In
	if kind != nil {
		in += cfg.Dim
	}
	m.Lift = cfg.Lift(in, opts...)
	wshape := []int{cfg.Width, cfg.Width}
	for a, md := range cfg.Modes {
		if a < cfg.Dim-1 {
			wshape = append(wshape, 2*md)
		} else {
			wshape = append(wshape, md)
		}
	}
	scale := 1 / float64(cfg.Width*cfg.Width)
	for range cfg.Layers {
		l := &Layer{Spectral: tensor.RandU(r, dt.Complex(), 0, scale, wshape...).SetRequiresGrad(true)}
		if cfg.Skip == "linear" {
			l.Skip = nn.NewChannelLinear(cfg.Width, cfg.Width, opts...)
		}
		switch cfg.Norm {
		case "batch":
			l.Norm = nn.NewBatchNorm(cfg.Width, nn.WithDType(dt))
		case "instance":
			l.Norm = nn.NewInstanceNorm(cfg.Width, nn.WithDType(dt))
		}
		m.Layers = append(m.Layers, l)
	}
	m.Project = cfg.Projector(cfg.Out, act, opts...)
	return m, nil
}

// Visit declares the parameters: lift.*, layers.N.spectral.weight,
// layers.N.skip.*, layers.N.norm.*, project.fcs.*.
func (m *FNO) Visit(v *nn.Visitor) {
	v.Module("lift", m.Lift)
	nn.VisitList(v, "layers", m.Layers)
	v.Module("project", m.Project)
	v.Module("activation", m.act)
}

// DType returns the dtype of the model's real parameters.
func (m *FNO) DType() tensor.DType { return m.dtype }

// padWidths returns the zero padding added at the end of each grid axis.
func (m *FNO) padWidths(sizes []int) []int {
	p := make([]int, len(sizes))
	for a, s := range sizes {
		var f float64
		switch len(m.Config.Padding) {
		case 0:
		case 1:
			f = m.Config.Padding[0]
		default:
			f = m.Config.Padding[a]
		}
		p[a] = int(math.Round(f * float64(s)))
	}
	return p
}

// gridFeatures returns (cached) coordinate channels for a batch and grid.
func (m *FNO) gridFeatures(batch int, sizes []int) *tensor.Tensor {
	key := fmt.Sprint(batch, sizes)
	m.mu.Lock()
	defer m.mu.Unlock()
	g, ok := m.grids[key]
	if !ok {
		g = operator.GridFeatures(m.dtype, *m.grid, batch, sizes...)
		if len(m.grids) > 16 {
			clear(m.grids)
		}
		m.grids[key] = g
	}
	return g
}

// Forward maps x of shape [B, In, n_1, …, n_d] to [B, Out, n_1, …, n_d].
func (m *FNO) Forward(x *tensor.Tensor) *tensor.Tensor {
	return m.ForwardTo(x, nil)
}

// ForwardTo is Forward with the output sampled on a grid of the given sizes
// (nil: the input grid). A finer output grid is zero-shot super-resolution:
// the Fourier layers are evaluated as functions on the new grid. Padding
// and the coordinate channels follow the output grid.
func (m *FNO) ForwardTo(x *tensor.Tensor, outSizes []int) *tensor.Tensor {
	c := m.Config
	if x.NDim() != c.Dim+2 || x.Dim(1) != c.In {
		panic(fmt.Sprintf("fno: input shape %v, want [B, %d, %d grid axes]", x.Shape(), c.In, c.Dim))
	}
	if x.DType() != m.dtype {
		panic(fmt.Sprintf("fno: input dtype %v, model %v", x.DType(), m.dtype))
	}
	sizes := slices.Clone(x.Shape()[2:])
	if outSizes == nil {
		outSizes = sizes
	}
	if m.grid != nil {
		x = tensor.Concat(1, x, m.gridFeatures(x.Dim(0), sizes).In(x.Arena()))
	}
	h := m.Lift.Forward(x)
	pin, pout := m.padWidths(sizes), m.padWidths(outSizes)
	h = pad(h, pin, 1)
	cur := slices.Clone(h.Shape()[2:])
	for i, l := range m.Layers {
		target := cur
		if i == len(m.Layers)-1 {
			target = make([]int, len(outSizes))
			for a := range outSizes {
				target[a] = outSizes[a] + pout[a]
			}
		}
		y := tensor.SpectralConv(h, l.Spectral, c.Modes, target)
		if !slices.Equal(target, cur) {
			// The pointwise path is resampled to the output grid.
			h = tensor.ResampleSpectral(h, target...)
		}
		switch c.Skip {
		case "linear":
			y = l.Skip.ForwardAdd(h, y)
		case "identity":
			y = tensor.Add(y, h)
		}
		if l.Norm != nil {
			y = l.Norm.Forward(y)
		}
		if i < len(m.Layers)-1 {
			y = m.act.Forward(y)
		}
		h, cur = y, target
	}
	h = pad(h, pout, -1)
	return m.Project.Forward(h)
}

// pad adds (sign 1) or removes (sign −1) widths[a] points at the end of
// each grid axis a.
func pad(h *tensor.Tensor, widths []int, sign int) *tensor.Tensor {
	any := false
	w := make([][2]int, len(widths))
	for a, p := range widths {
		w[a] = [2]int{0, sign * p}
		any = any || p != 0
	}
	if !any {
		return h
	}
	return tensor.Pad(h, tensor.PadZero, w...)
}

// Predict evaluates the model on x without recording gradients, in
// evaluation mode (BatchNorm uses its running statistics), and returns a
// heap tensor. outSizes as in ForwardTo.
func (m *FNO) Predict(x *tensor.Tensor, outSizes []int) *tensor.Tensor {
	ar := tensor.NewArena()
	ar.SetGrad(false)
	nn.SetTraining(m, false)
	y := m.ForwardTo(x.Detach().In(ar), outSizes).Clone()
	ar.Reset()
	return y
}
