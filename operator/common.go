package operator

import (
	"fmt"
	"strings"

	"github.com/sciml-go/sciml/nn"
	"github.com/sciml-go/sciml/tensor"
)

// Common holds the fields every operator config shares (embedded with
// `yaml:",inline"`, so its keys sit beside the model's own): the domain,
// the channels, the activation, the grid and the dtype.
type Common struct {
	// Dim is the number of grid axes (the dimension of the domain).
	Dim int `yaml:"dim" json:"dim"`
	// In and Out are the channels of the input and output functions
	// (without any coordinate channels the model appends).
	In  int `yaml:"in" json:"in"`
	Out int `yaml:"out" json:"out"`
	// Activation is an activation of the nn catalogue as its YAML spec: a
	// name ("gelu", the default) or a flow mapping ("{name: snake, a: 0.5}").
	// One instance is shared by all layers.
	Activation string `yaml:"activation" json:"activation"`
	// Grid is where the grid points of an axis lie on [0, 1]: "periodic"
	// (x_i = i/n) or "closed" (x_i = i/(n−1), both ends stored). Models
	// that append the coordinates as input channels (FNO, MgNO) append
	// none when it is ""; the others need coordinates and default to
	// "closed".
	Grid string `yaml:"grid" json:"grid"`
	// DType is "float32" (default) or "float64".
	DType string `yaml:"dtype" json:"dtype"`
}

// WithDefaults fills the empty fields: activation "gelu", dtype
// "float32", and grid (when it is "") the given default ("" keeps it
// empty).
func (c Common) WithDefaults(grid string) Common {
	if c.Activation == "" {
		c.Activation = "gelu"
	}
	if c.Grid == "" {
		c.Grid = grid
	}
	if c.DType == "" {
		c.DType = "float32"
	}
	return c
}

// Check returns every problem with the fields (after WithDefaults): Dim
// outside 1…maxDim, channels < 1, an unknown activation, grid (where set)
// or a dtype other than float32 and float64.
func (c Common) Check(maxDim int) []string {
	var errs []string
	if c.Dim < 1 || c.Dim > maxDim {
		want := "1, 2 or 3"
		if maxDim == 2 {
			want = "1 or 2"
		} else if maxDim != 3 {
			want = fmt.Sprintf("1 … %d", maxDim)
		}
		errs = append(errs, fmt.Sprintf("dim %d: want %s", c.Dim, want))
	}
	if c.In < 1 || c.Out < 1 {
		errs = append(errs, fmt.Sprintf("in %d, out %d: want ≥ 1 channels", c.In, c.Out))
	}
	if _, err := NewActivation(c.Activation, tensor.Float64); err != nil {
		errs = append(errs, err.Error())
	}
	if c.Grid != "" {
		if _, err := ParseGridKind(c.Grid); err != nil {
			errs = append(errs, "grid: "+err.Error())
		}
	}
	if d, err := tensor.ParseDType(c.DType); err != nil || d.IsComplex() {
		errs = append(errs, fmt.Sprintf("dtype %q: want float32 or float64", c.DType))
	}
	return errs
}

// Setup returns what a constructor builds from valid fields: the
// activation, the dtype, the grid kind (nil when Grid is "") and the
// options that draw weights from r in that dtype.
func (c Common) Setup(r nn.Option) (nn.Activation, tensor.DType, *GridKind, []nn.Option) {
	dt, err := tensor.ParseDType(c.DType)
	if err != nil {
		panic("operator.Common.Setup: " + err.Error())
	}
	act, err := NewActivation(c.Activation, dt)
	if err != nil {
		panic("operator.Common.Setup: " + err.Error())
	}
	var kind *GridKind
	if c.Grid != "" {
		k, err := ParseGridKind(c.Grid)
		if err != nil {
			panic("operator.Common.Setup: " + err.Error())
		}
		kind = &k
	}
	return act, dt, kind, []nn.Option{r, nn.WithDType(dt)}
}

// Stack holds the sizes shared by the operators built as lifting →
// Layers layers of Width channels → projection MLP (FNO, GNO, LNO).
type Stack struct {
	// Width is the number of channels of the layers.
	Width int `yaml:"width" json:"width"`
	// Layers is the number of layers.
	Layers int `yaml:"layers" json:"layers"`
	// Projection is the hidden width of the projection MLP Width →
	// Projection → Out (default 128).
	Projection int `yaml:"projection" json:"projection"`
}

// WithDefaults fills the zero fields with width, layers and a projection
// of 128 (width 0 leaves Width as it is).
func (s Stack) WithDefaults(width, layers int) Stack {
	if s.Width == 0 {
		s.Width = width
	}
	if s.Layers == 0 {
		s.Layers = layers
	}
	if s.Projection == 0 {
		s.Projection = 128
	}
	return s
}

// Lift returns the lifting: a pointwise linear map from in channels to
// Width.
func (s Stack) Lift(in int, opts ...nn.Option) *nn.ChannelLinear {
	return nn.NewChannelLinear(in, s.Width, opts...)
}

// Projector returns the projection: the pointwise two-layer MLP Width →
// Projection → out with the activation between.
func (s Stack) Projector(out int, act nn.Activation, opts ...nn.Option) *nn.ChannelMLP {
	return nn.NewChannelMLP(nn.ChannelMLPConfig{In: s.Width, Out: out, Hidden: s.Projection, NumLayers: 2, Activation: act.Forward}, opts...)
}

// NewActivation builds the activation a config names (its YAML spec) in
// dtype dt.
func NewActivation(spec string, dt tensor.DType) (nn.Activation, error) {
	sp, err := nn.ParseActivation(spec)
	if err != nil {
		return nil, fmt.Errorf("activation %q: %w", spec, err)
	}
	a, err := nn.NewActivation(sp, nn.WithDType(dt))
	if err != nil {
		return nil, fmt.Errorf("activation %q: %w", spec, err)
	}
	return a, nil
}

// JoinProblems returns nil for no problems, else one error "model: p1; p2;
// …" naming them all.
func JoinProblems(model string, problems []string) error {
	if len(problems) == 0 {
		return nil
	}
	return fmt.Errorf("%s: %s", model, strings.Join(problems, "; "))
}
