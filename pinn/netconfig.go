package pinn

import (
	"errors"
	"fmt"
	"math/rand/v2"

	"github.com/sciml-go/sciml/tensor"
)

// NetConfig selects and sizes a PINN network by name, for configuration
// files. Type is "mlp", "pinnsformer" or "kan"; each type reads only its
// own fields (zero fields take the defaults noted), and Validate rejects
// fields of another type.
//
//	net: {type: mlp, hidden: [20, 20, 20], activation: tanh}
//	net: {type: mlp, hidden: [64, 64], periodic: [{axis: 0, period: 6.283185307179586, harmonics: 4}]}
//	net: {type: pinnsformer}                  # the published configuration
//	net: {type: kan, hidden: [16, 16], basis: bspline, grid: 5, order: 3}
type NetConfig struct {
	Type string `yaml:"type"`

	// mlp (and kan): widths of the hidden layers.
	Hidden []int `yaml:"hidden,omitempty"`
	// mlp: activation name (default tanh; any of ActivationByName).
	Activation string `yaml:"activation,omitempty"`
	// mlp: random Fourier features m and their scale (default 1).
	FourierFeatures int     `yaml:"fourier_features,omitempty"`
	FourierScale    float64 `yaml:"fourier_scale,omitempty"`
	// mlp: exact periodic embeddings of input axes (PeriodicEmbedding),
	// e.g. [{axis: 0, period: 6.283185307179586, harmonics: 4}]. input_lo
	// and input_hi (below) map the other axes onto [−1, 1].
	Periodic []PeriodicEmbedding `yaml:"periodic,omitempty"`

	// pinnsformer: pseudo-sequence length k (5) and step Δt (1e-4),
	// d_model (32), heads (2), layers N (1), d_ff (256), d_hidden (512).
	Steps    int     `yaml:"steps,omitempty"`
	StepSize float64 `yaml:"step_size,omitempty"`
	DModel   int     `yaml:"d_model,omitempty"`
	Heads    int     `yaml:"heads,omitempty"`
	Layers   int     `yaml:"layers,omitempty"`
	DFF      int     `yaml:"d_ff,omitempty"`
	DHidden  int     `yaml:"d_hidden,omitempty"`

	// kan: basis "bspline" (default) or "chebyshev"; grid (5) and order
	// (3) of the B-splines, degree (5) of the Chebyshev series; kan and
	// mlp: the input box input_lo, input_hi (default [−1, 1] per axis)
	// mapped onto [−1, 1] (the grids' interval for a kan).
	Basis   string    `yaml:"basis,omitempty"`
	Grid    int       `yaml:"grid,omitempty"`
	Order   int       `yaml:"order,omitempty"`
	Degree  int       `yaml:"degree,omitempty"`
	InputLo []float64 `yaml:"input_lo,omitempty"`
	InputHi []float64 `yaml:"input_hi,omitempty"`
}

// Validate reports every invalid or misplaced field, naming it by its
// YAML key.
func (c NetConfig) Validate() error {
	var errs []error
	bad := func(f string, a ...any) { errs = append(errs, fmt.Errorf("net: "+f, a...)) }
	// fields that belong to each type (those set but not listed are errors)
	set := map[string]bool{
		"hidden": c.Hidden != nil, "activation": c.Activation != "", "fourier_features": c.FourierFeatures != 0,
		"fourier_scale": c.FourierScale != 0, "steps": c.Steps != 0, "step_size": c.StepSize != 0,
		"d_model": c.DModel != 0, "heads": c.Heads != 0, "layers": c.Layers != 0, "d_ff": c.DFF != 0,
		"d_hidden": c.DHidden != 0, "basis": c.Basis != "", "grid": c.Grid != 0, "order": c.Order != 0,
		"degree": c.Degree != 0, "input_lo": c.InputLo != nil, "input_hi": c.InputHi != nil,
		"periodic": c.Periodic != nil,
	}
	own := map[string][]string{
		"mlp":         {"hidden", "activation", "fourier_features", "fourier_scale", "periodic", "input_lo", "input_hi"},
		"pinnsformer": {"steps", "step_size", "d_model", "heads", "layers", "d_ff", "d_hidden"},
		"kan":         {"hidden", "basis", "grid", "order", "degree", "input_lo", "input_hi"},
	}
	fields, ok := own[c.Type]
	if !ok {
		return fmt.Errorf("net: type %q (want mlp, pinnsformer or kan)", c.Type)
	}
	mine := map[string]bool{}
	for _, f := range fields {
		mine[f] = true
	}
	for _, f := range []string{"hidden", "activation", "fourier_features", "fourier_scale", "steps", "step_size",
		"d_model", "heads", "layers", "d_ff", "d_hidden", "basis", "grid", "order", "degree", "input_lo", "input_hi", "periodic"} {
		if set[f] && !mine[f] {
			bad("%s does not apply to type %s", f, c.Type)
		}
	}
	for i, w := range c.Hidden {
		if w <= 0 {
			bad("hidden[%d] = %d, want > 0", i, w)
		}
	}
	nonNeg := func(name string, v int) {
		if v < 0 {
			bad("%s = %d, want ≥ 0", name, v)
		}
	}
	switch c.Type {
	case "mlp":
		if len(c.Hidden) == 0 {
			bad("hidden: an mlp needs at least one hidden layer")
		}
		if _, err := ActivationByName(c.Activation); err != nil {
			bad("activation: %v", err)
		}
		nonNeg("fourier_features", c.FourierFeatures)
		c.checkBox(bad)
		if c.FourierScale < 0 {
			bad("fourier_scale = %g, want ≥ 0", c.FourierScale)
		}
		seen := map[int]bool{}
		for i, p := range c.Periodic {
			if err := p.Validate(0); err != nil {
				bad("periodic[%d]: %v", i, err)
			}
			if seen[p.Axis] {
				bad("periodic[%d]: axis %d embedded twice", i, p.Axis)
			}
			seen[p.Axis] = true
		}
	case "pinnsformer":
		for _, p := range []struct {
			n string
			v int
		}{{"steps", c.Steps}, {"d_model", c.DModel}, {"heads", c.Heads}, {"layers", c.Layers}, {"d_ff", c.DFF}, {"d_hidden", c.DHidden}} {
			nonNeg(p.n, p.v)
		}
		if c.StepSize < 0 {
			bad("step_size = %g, want ≥ 0", c.StepSize)
		}
		dm, h := c.DModel, c.Heads
		if dm == 0 {
			dm = 32
		}
		if h == 0 {
			h = 2
		}
		if dm > 0 && h > 0 && dm%h != 0 {
			bad("d_model = %d is not a multiple of heads = %d", dm, h)
		}
	case "kan":
		switch c.Basis {
		case "", "bspline", "chebyshev":
		default:
			bad("basis %q (want bspline or chebyshev)", c.Basis)
		}
		if c.Basis == "chebyshev" && (c.Grid != 0 || c.Order != 0) {
			bad("grid and order apply to the bspline basis")
		}
		if c.Basis != "chebyshev" && c.Degree != 0 {
			bad("degree applies to the chebyshev basis")
		}
		nonNeg("grid", c.Grid)
		nonNeg("degree", c.Degree)
		if c.Order < 0 || c.Order > 10 {
			bad("order = %d, want 0…10", c.Order)
		}
		c.checkBox(bad)
	}
	return errors.Join(errs...)
}

// checkBox checks input_lo and input_hi.
func (c NetConfig) checkBox(bad func(string, ...any)) {
	if (c.InputLo == nil) != (c.InputHi == nil) || len(c.InputLo) != len(c.InputHi) {
		bad("input_lo %v and input_hi %v must be given together, one bound per input axis", c.InputLo, c.InputHi)
		return
	}
	for i := range c.InputLo {
		if !(c.InputHi[i] > c.InputLo[i]) {
			bad("input_hi[%d] = %g ≤ input_lo[%d] = %g", i, c.InputHi[i], i, c.InputLo[i])
		}
	}
}

// Build validates the configuration and returns the network from in to
// out dimensions with parameters of the given dtype (0: Float64),
// initialised from r (nil: seed 0).
func (c NetConfig) Build(in, out int, dtype tensor.DType, r *rand.Rand) (Net, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if in <= 0 || out <= 0 {
		return nil, fmt.Errorf("net: dimensions %d → %d", in, out)
	}
	if dtype == 0 {
		dtype = tensor.Float64
	}
	if r == nil {
		r = rand.New(rand.NewPCG(0, 0))
	}
	switch c.Type {
	case "mlp":
		act, _ := ActivationByName(c.Activation)
		for i, p := range c.Periodic {
			if err := p.Validate(in); err != nil {
				return nil, fmt.Errorf("net: periodic[%d]: %w", i, err)
			}
		}
		if c.InputLo != nil && len(c.InputLo) != in {
			return nil, fmt.Errorf("net: input_lo has %d bounds for %d inputs", len(c.InputLo), in)
		}
		return NewMLP(MLPConfig{In: in, Out: out, Hidden: c.Hidden, Activation: act, DType: dtype,
			Seed: r.Uint64(), FourierFeatures: c.FourierFeatures, FourierScale: c.FourierScale, Periodic: c.Periodic,
			InputLo: c.InputLo, InputHi: c.InputHi}), nil
	case "pinnsformer":
		if in < 2 {
			return nil, fmt.Errorf("net: a pinnsformer needs space and time inputs, got %d input", in)
		}
		return NewPINNsFormer(PINNsFormerConfig{In: in, Out: out, K: c.Steps, Dt: c.StepSize, DModel: c.DModel,
			Heads: c.Heads, Layers: c.Layers, DFF: c.DFF, DHidden: c.DHidden, DType: dtype, Rand: r}), nil
	default: // kan
		if c.InputLo != nil && len(c.InputLo) != in {
			return nil, fmt.Errorf("net: input_lo has %d bounds for %d inputs", len(c.InputLo), in)
		}
		return NewKAN(KANConfig{In: in, Out: out, Hidden: c.Hidden, Basis: c.Basis, Grid: c.Grid, Order: c.Order,
			Degree: c.Degree, Lo: c.InputLo, Hi: c.InputHi, DType: dtype, Rand: r}), nil
	}
}

// NetByName returns the network of the given type ("mlp", "pinnsformer",
// "kan") with that type's defaults (an mlp of 4 hidden tanh layers of 50,
// the published PINNsFormer, a bspline KAN of two hidden layers of 16).
func NetByName(name string, in, out int, dtype tensor.DType, r *rand.Rand) (Net, error) {
	c := NetConfig{Type: name}
	switch name {
	case "mlp":
		c.Hidden = []int{50, 50, 50, 50}
	case "kan":
		c.Hidden = []int{16, 16}
	}
	return c.Build(in, out, dtype, r)
}
