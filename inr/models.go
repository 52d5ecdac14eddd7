package inr

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/sciml-go/sciml/nn"
	"github.com/sciml-go/sciml/tensor"
)

// Model is an implicit neural representation: a network from coordinates
// x of shape [N, InDim] to values of shape [N, OutDim].
type Model interface {
	nn.Module
	Forward(x *tensor.Tensor) *tensor.Tensor
}

// Config selects and sizes a model. Zero fields take the defaults of the
// model's paper (see the package documentation).
type Config struct {
	// Model is the name: one of Names().
	Model string `json:"model" yaml:"model"`
	// InDim and OutDim are the coordinate and value dimensions. Default 2 and 1.
	InDim  int `json:"in_dim" yaml:"in_dim"`
	OutDim int `json:"out_dim" yaml:"out_dim"`
	// Hidden is the width of the hidden layers (default 256) and Layers the
	// number of hidden layers after the first (default 3).
	Hidden int `json:"hidden" yaml:"hidden"`
	Layers int `json:"layers" yaml:"layers"`
	// Omega0 is the frequency ω0 of siren and finer (30) and of wire (20).
	Omega0 float64 `json:"omega0" yaml:"omega0"`
	// Scale is s of gauss (10) and s0 of wire (30).
	Scale float64 `json:"scale" yaml:"scale"`
	// Frequencies is the number of positional-encoding bands of relu_pe and
	// gelu_pe (10), of Fourier terms K of fkan (64) and the Chebyshev degree
	// of sl2a (64).
	Frequencies int `json:"frequencies" yaml:"frequencies"`
	// Rank is the rank of sl2a's low-rank hidden layers (default Hidden/4).
	Rank int `json:"rank" yaml:"rank"`
	// Seed seeds the initialisation.
	Seed uint64 `json:"seed" yaml:"seed"`
	// DType is tensor.Float32 (default) or tensor.Float64.
	DType tensor.DType `json:"-" yaml:"-"`
}

// Names returns the model names New accepts.
func Names() []string {
	return []string{"siren", "relu_pe", "gelu_pe", "gauss", "finer", "wire", "wavelet", "fkan", "sl2a"}
}

func (c Config) withDefaults() Config {
	c.Model = strings.ToLower(strings.TrimSpace(c.Model))
	if c.InDim == 0 {
		c.InDim = 2
	}
	if c.OutDim == 0 {
		c.OutDim = 1
	}
	if c.Hidden == 0 {
		c.Hidden = 256
	}
	if c.Layers == 0 {
		c.Layers = 3
	}
	if c.Omega0 == 0 {
		c.Omega0 = 30
		if c.Model == "wire" || c.Model == "wavelet" {
			c.Omega0 = 20
		}
	}
	if c.Scale == 0 {
		c.Scale = 10
		if c.Model == "wire" || c.Model == "wavelet" {
			c.Scale = 30
		}
	}
	if c.Frequencies == 0 {
		c.Frequencies = 64
		if c.Model == "relu_pe" || c.Model == "gelu_pe" {
			c.Frequencies = 10
		}
	}
	if c.Rank == 0 {
		c.Rank = max(c.Hidden/4, 1)
	}
	if c.DType == 0 {
		c.DType = tensor.Float32
	}
	return c
}

// Validate reports an unknown model name or invalid sizes.
func (c Config) Validate() error {
	c = c.withDefaults()
	if !slices.Contains(Names(), c.Model) {
		return fmt.Errorf("inr: unknown model %q (known: %s)", c.Model, strings.Join(Names(), ", "))
	}
	switch {
	case c.InDim < 1 || c.InDim > 3:
		return fmt.Errorf("inr: in_dim %d: want 1, 2 or 3", c.InDim)
	case c.OutDim < 1, c.Hidden < 1, c.Layers < 0, c.Frequencies < 1, c.Rank < 1:
		return fmt.Errorf("inr: sizes out_dim=%d hidden=%d layers=%d frequencies=%d rank=%d must be positive", c.OutDim, c.Hidden, c.Layers, c.Frequencies, c.Rank)
	case !(c.Omega0 > 0) || !(c.Scale > 0):
		return fmt.Errorf("inr: omega0 %v and scale %v must be positive", c.Omega0, c.Scale)
	case c.DType != tensor.Float32 && c.DType != tensor.Float64:
		return fmt.Errorf("inr: dtype %v: want float32 or float64", c.DType)
	}
	return nil
}

// New builds the model cfg names, initialised from cfg.Seed.
func New(cfg Config) (Model, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	c := cfg.withDefaults()
	r := nn.NewRand(c.Seed)
	switch c.Model {
	case "wire":
		return newWire(c, r), nil
	case "sl2a":
		return newSL2A(c, r), nil
	case "wavelet":
		return newWavelet(c, r), nil
	}
	return newMLP(c, r), nil
}

// WithBudget returns cfg with Hidden set to the largest width whose model
// has at most params parameters (nn.CountParams), so that models compare at
// equal parameter budgets. It fails when even width 1 is over budget.
func WithBudget(cfg Config, params int) (Config, error) {
	if err := cfg.Validate(); err != nil {
		return cfg, err
	}
	count := func(h int) int {
		c := cfg
		c.Hidden = h
		return countParams(c.withDefaults())
	}
	if count(1) > params {
		return cfg, fmt.Errorf("inr: %s: budget %d is below the smallest model (%d)", cfg.Model, params, count(1))
	}
	lo, hi := 1, 2
	for count(hi) <= params {
		lo, hi = hi, 2*hi
	}
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if count(mid) <= params {
			lo = mid
		} else {
			hi = mid
		}
	}
	cfg.Hidden = lo
	if cfg.Model == "sl2a" && cfg.Rank == 0 {
		cfg.Rank = max(lo/4, 1)
	}
	return cfg, nil
}

// countParams counts the parameters of the model c describes without
// building it.
func countParams(c Config) int {
	h, d, o, L := c.Hidden, c.InDim, c.OutDim, c.Layers
	lin := func(in, out int) int { return in*out + out }
	switch c.Model {
	case "wavelet":
		c.Model = "wire"
		return countParams(halfWire(c, 0)) + countParams(halfWire(c, c.Omega0))
	case "wire":
		// widths h; first layer real, others complex (two reals each).
		return lin(d, h) + L*2*lin(h, h) + 2*lin(h, o)
	case "sl2a":
		rank := c.Rank
		if rank == 0 {
			rank = max(h/4, 1)
		}
		return d*(c.Frequencies+1)*h + 2*h + L*(h*rank+lin(rank, h)) + lin(h, o)
	}
	in := featureDim(c)
	return lin(in, h) + L*lin(h, h) + lin(h, o)
}

// featureDim is the input width of the first linear layer of an MLP model.
func featureDim(c Config) int {
	switch c.Model {
	case "relu_pe", "gelu_pe":
		return c.InDim * (1 + 2*c.Frequencies)
	case "fkan":
		return 2 * c.InDim * c.Frequencies
	}
	return c.InDim
}

// mlp is every model that is an encoding followed by dense layers: siren,
// relu_pe, gelu_pe, gauss, finer and fkan.
type mlp struct {
	cfg    Config
	freqs  *tensor.Tensor // encoding frequencies [InDim, InDim·K] (relu_pe, gelu_pe)
	kan    *nn.FourierKAN // fkan's first layer
	layers []*dense
	lins   []*nn.Linear
}

func newMLP(c Config, r *rand.Rand) *mlp {
	m := &mlp{cfg: c}
	h := c.Hidden
	widths := []int{featureDim(c)}
	for range c.Layers + 1 {
		widths = append(widths, h)
	}
	widths = append(widths, c.OutDim)
	var hidden activation
	omega := 0.0
	var firstInit, hiddenInit, lastInit nn.Init
	switch c.Model {
	case "siren":
		omega = c.Omega0
		firstInit, hiddenInit, lastInit = nn.SirenFirst(), nn.Siren(c.Omega0), nn.Siren(c.Omega0)
	case "finer":
		firstInit, hiddenInit, lastInit = nn.SirenFirst(), nn.Siren(c.Omega0), nn.Siren(c.Omega0)
	case "gauss":
		hidden = catalogue(fmt.Sprintf("{name: gaussian, s: %g}", c.Scale), c)
	case "relu_pe":
		hidden = tensor.ReLU
	case "gelu_pe":
		hidden = catalogue("gelu", c)
	case "fkan":
		hidden = tensor.Tanh
		// Fourier coefficients a_k, b_k ~ N(0, 1/(d·K)) as in FourierKAN.
		m.kan = nn.NewFourierKAN(c.InDim, h, c.Frequencies, nn.WithRand(r), nn.WithDType(c.DType))
		widths = widths[1:]
	}
	if c.Model == "finer" {
		// FINER with the exact derivative of the factor |z|+1, so that
		// derivatives of the fitted field are exact (FINER's code treats
		// the factor as a constant).
		hidden = catalogue(fmt.Sprintf("{name: finer, omega0: %g, exact: true}", c.Omega0), c)
	}
	if c.Model == "relu_pe" || c.Model == "gelu_pe" {
		m.freqs = encodingMatrix(c, func(k int) float64 { return math.Pi * math.Exp2(float64(k)) })
	}
	for i := 0; i+1 < len(widths); i++ {
		opts := []nn.Option{nn.WithRand(r), nn.WithDType(c.DType)}
		init := hiddenInit
		if i == 0 && m.kan == nil {
			init = firstInit
		} else if i == len(widths)-2 {
			init = lastInit
		}
		if init != nil {
			opts = append(opts, nn.WithWeightInit(init))
		}
		lin := nn.NewLinear(widths[i], widths[i+1], opts...)
		m.lins = append(m.lins, lin)
		d := &dense{lin: lin}
		switch {
		case i == len(widths)-2:
		case omega > 0:
			d.omega = omega
		default:
			d.act = hidden
		}
		m.layers = append(m.layers, d)
	}
	return m
}

// encodingMatrix returns the block matrix B [InDim, InDim·K] with
// B[i, i·K+k] = freq(k), so that x·B holds every frequency times every
// coordinate.
func encodingMatrix(c Config, freq func(k int) float64) *tensor.Tensor {
	d, K := c.InDim, c.Frequencies
	v := make([]float64, d*d*K)
	for i := range d {
		for k := range K {
			v[i*d*K+i*K+k] = freq(k)
		}
	}
	return tensor.FromFloat64s(c.DType, v, d, d*K)
}

// Forward maps coordinates [N, InDim] to values [N, OutDim].
func (m *mlp) Forward(x *tensor.Tensor) *tensor.Tensor {
	h := x
	switch m.cfg.Model {
	case "relu_pe", "gelu_pe":
		// γ(x) = [x, sin(2^k πx), cos(2^k πx)], k = 0…L−1
		p := tensor.MatMul(x, m.freqs)
		h = tensor.Concat(1, x, tensor.Sin(p), tensor.Cos(p))
	case "fkan":
		// Σ_k a_k cos(kπx) + b_k sin(kπx): the layer's cos(kx') at x' = πx
		h = m.kan.Forward(tensor.Scale(x, math.Pi))
	}
	for _, l := range m.layers {
		h = l.forward(h)
	}
	return h
}

// sineMLP returns the weights, biases and ω of a SIREN (every layer but
// the last sin(ω·(x·wᵀ + b)), the last linear), and ok false for the other
// models.
func (m *mlp) sineMLP() (ws, bs []*tensor.Tensor, omega float64, ok bool) {
	if m.cfg.Model != "siren" {
		return nil, nil, 0, false
	}
	for i, l := range m.layers {
		last := i == len(m.layers)-1
		if l.act != nil || (l.omega > 0) == last || (!last && l.omega != m.layers[0].omega) {
			return nil, nil, 0, false
		}
		ws = append(ws, l.lin.Weight)
		bs = append(bs, l.lin.Bias)
	}
	return ws, bs, m.layers[0].omega, len(m.layers) > 1
}

// mse returns the loss mean((m(x) − y)²) and the prediction m(x). For a
// SIREN the loss is tensor.SineMLPMSE, which runs the forward and backward
// passes fused, block by block of points (the composition's loss and
// gradients to float32 round-off, 5–14 % faster on the reference 256-wide
// network), and the prediction is nil.
func mse(m Model, x, y *tensor.Tensor) (l, pred *tensor.Tensor) {
	if s, ok := m.(*mlp); ok {
		if ws, bs, omega, ok := s.sineMLP(); ok {
			return tensor.SineMLPMSE(x, y, ws, bs, omega), nil
		}
	}
	pred = m.Forward(x)
	return tensor.Mean(tensor.Square(tensor.Sub(pred, y))), pred
}

// MSE returns mean((m(x) − y)²) of a model on points x [N, InDim] and
// values y [N, OutDim]: the loss Fit minimises, with a SIREN's forward
// and backward passes fused (tensor.SineMLPMSE).
func MSE(m Model, x, y *tensor.Tensor) *tensor.Tensor {
	l, _ := mse(m, x, y)
	return l
}

// Visit declares fkan's first layer as kan and the linear layers as net.0,
// net.1, ….
func (m *mlp) Visit(v *nn.Visitor) {
	if m.kan != nil {
		v.Module("kan", m.kan)
	}
	nn.VisitList(v, "net", m.lins)
}

// catalogue builds an activation of the nn catalogue from its spec.
func catalogue(spec string, c Config) activation {
	a := nn.MustActivation(spec, nn.WithDType(c.DType))
	return a.Forward
}
