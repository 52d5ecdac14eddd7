package fno

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/sciml-go/sciml/nn"
	"github.com/sciml-go/sciml/operator"
	"github.com/sciml-go/sciml/tensor"
)

// NIOConfig describes a neural inverse operator (Molinaro, Yang, Engquist,
// Mishra, "Neural Inverse Operators for Solving PDE Inverse Problems",
// 2023): the composition FNO∘DeepONet. The input is K measurements of the
// unknown, K channels on a grid m_1 … m_K (for Darcy: the solutions u_k of
// −∇·(a∇u_k) = f_k for K sources). A DeepONet encoder, the same for every
// measurement, maps each one to a C-channel function on the domain,
//
//	E(m_k)(x)_c = Σ_{j<p} b_{c,j}(m_k(ξ_1), …, m_k(ξ_s)) · t_{c,j}(x) + β_c,
//
// its branch net reading m_k at s fixed sensors ξ (linearly interpolated
// from any grid) and its trunk net the coordinates x; the K·C channels
// [E(m_1), …, E(m_K)] are then mapped by an FNO to the unknown field (for
// Darcy: the coefficient a):
//
//	NIO(m_1, …, m_K) = FNO(E(m_1), …, E(m_K)).
//
// The encoder turns measurement data (which in the paper's problems live
// on the boundary or at sensors, not on the domain's grid) into functions
// on the domain, where the FNO works.
type NIOConfig struct {
	// Common: Dim 1, 2 or 3; In is the number K of measurements, Out the
	// channels of the unknown; Grid ("closed" by default, or "periodic")
	// sets the trunk's coordinates, the sensor interpolation and the FNO's
	// coordinate channels; one Activation for both nets.
	operator.Common `yaml:",inline"`
	// Sensors is the encoder's sensor grid, one size per axis or one for
	// all (default 16).
	Sensors []int `yaml:"sensors" json:"sensors"`
	// Branch and Trunk are the hidden widths of the encoder's nets
	// (default [128, 128] each).
	Branch []int `yaml:"branch" json:"branch"`
	Trunk  []int `yaml:"trunk" json:"trunk"`
	// Basis is the number p of basis functions per encoded channel
	// (default 32).
	Basis int `yaml:"basis" json:"basis"`
	// Encoded is the number C of channels each measurement is encoded to
	// (default 4).
	Encoded int `yaml:"encoded" json:"encoded"`
	// Stack: the FNO's Width (required), Layers (default 4) and Projection
	// (default 128).
	operator.Stack `yaml:",inline"`
	// Modes and Padding are the FNO's (Config).
	Modes   []int     `yaml:"modes" json:"modes"`
	Padding []float64 `yaml:"padding" json:"padding"`
}

func (c NIOConfig) withDefaults() NIOConfig {
	c.Common = c.Common.WithDefaults("closed")
	if len(c.Sensors) == 0 {
		c.Sensors = []int{16}
	}
	if c.Basis == 0 {
		c.Basis = 32
	}
	if c.Encoded == 0 {
		c.Encoded = 4
	}
	return c
}

// parts returns the configs of the encoder and the FNO.
func (c NIOConfig) parts() (operator.DeepONetConfig, Config) {
	c = c.withDefaults()
	enc := operator.DeepONetConfig{Common: c.Common, Sensors: c.Sensors, Branch: c.Branch, Trunk: c.Trunk, Basis: c.Basis}
	enc.In, enc.Out = 1, c.Encoded
	dec := Config{Common: c.Common, Stack: c.Stack, Modes: c.Modes, Padding: c.Padding}
	dec.In = c.In * c.Encoded
	return enc, dec
}

// Validate reports every problem with the configuration.
func (c NIOConfig) Validate() error {
	c = c.withDefaults()
	errs := c.Common.Check(3)
	if c.Encoded < 1 {
		errs = append(errs, fmt.Sprintf("encoded %d: want ≥ 1", c.Encoded))
	}
	if len(errs) == 0 {
		enc, dec := c.parts()
		if err := enc.Validate(); err != nil {
			errs = append(errs, "encoder: "+err.Error())
		}
		if err := dec.Validate(); err != nil {
			errs = append(errs, "decoder: "+err.Error())
		}
	}
	return operator.JoinProblems("nio", errs)
}

// NIO is a neural inverse operator, FNO∘DeepONet. It implements
// operator.Operator and operator.SuperResolver.
type NIO struct {
	Config NIOConfig
	// Encoder is the DeepONet applied to every measurement (In 1, Out C).
	Encoder *operator.DeepONet
	// Decoder is the FNO from the K·C encoded channels to the unknown.
	Decoder *FNO
}

// NewNIO builds an NIO from cfg with weights drawn from r (the encoder's
// first, then the FNO's).
func NewNIO(cfg NIOConfig, r *rand.Rand) (*NIO, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	ec, dc := cfg.parts()
	enc, err := operator.NewDeepONet(ec, r)
	if err != nil {
		return nil, err
	}
	dec, err := New(dc, r)
	if err != nil {
		return nil, err
	}
	return &NIO{Config: cfg, Encoder: enc, Decoder: dec}, nil
}

// Visit declares encoder.* and decoder.*.
func (m *NIO) Visit(v *nn.Visitor) {
	v.Module("encoder", m.Encoder)
	v.Module("decoder", m.Decoder)
}

// DType returns the dtype of the model's real parameters.
func (m *NIO) DType() tensor.DType { return m.Decoder.DType() }

// Encode maps the measurements x [B, K, n…] to the encoded channels
// [B, K·C, n…] (channels k·C … k·C+C−1 encode measurement k).
func (m *NIO) Encode(x *tensor.Tensor) *tensor.Tensor {
	c := m.Config
	if x.NDim() != c.Dim+2 || x.Dim(1) != c.In {
		panic(fmt.Sprintf("nio: input shape %v, want [B, %d, %d grid axes]", x.Shape(), c.In, c.Dim))
	}
	bs, sizes := x.Dim(0), x.Shape()[2:]
	e := m.Encoder.Forward(tensor.Reshape(x, slices.Concat([]int{bs * c.In, 1}, sizes)...)) // [B·K, C, n…]
	return tensor.Reshape(e, slices.Concat([]int{bs, c.In * c.Encoded}, sizes)...)
}

// Forward maps x [B, K, n…] to [B, Out, n…].
func (m *NIO) Forward(x *tensor.Tensor) *tensor.Tensor {
	return m.Decoder.Forward(m.Encode(x))
}

// ForwardTo is Forward with the output sampled on a grid of the given
// sizes (the FNO's ForwardTo).
func (m *NIO) ForwardTo(x *tensor.Tensor, outSizes []int) *tensor.Tensor {
	return m.Decoder.ForwardTo(m.Encode(x), outSizes)
}
