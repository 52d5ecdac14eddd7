package nn

import (
	"fmt"

	"github.com/sciml-go/sciml/tensor"
)

// Linear is the affine map y = x·Wᵀ + b over the last axis of x.
type Linear struct {
	In, Out int
	// Weight has PyTorch's layout [Out, In].
	Weight *tensor.Tensor
	// Bias has shape [Out]; nil without bias.
	Bias *tensor.Tensor
}

// NewLinear returns a Linear layer from in to out features, initialised as
// PyTorch's nn.Linear: W, b ~ U(−1/√in, 1/√in) (see TorchDefault,
// TorchBias). It needs a random source (WithSeed or WithRand); WithDType,
// WithBias, WithWeightInit and WithBiasInit apply.
func NewLinear(in, out int, opts ...Option) *Linear {
	if in <= 0 || out <= 0 {
		panic(fmt.Sprintf("nn.NewLinear: sizes %d → %d", in, out))
	}
	o := newOptions(opts)
	r := o.random("NewLinear")
	l := &Linear{In: in, Out: out, Weight: o.param(out, in)}
	initWith(o.weightInit, TorchDefault())(l.Weight, r)
	if o.bias {
		l.Bias = o.param(out)
		initWith(o.biasInit, TorchBias(in))(l.Bias, r)
	}
	return l
}

func initWith(f, def Init) Init {
	if f != nil {
		return f
	}
	return def
}

func checkInput(layer string, x *tensor.Tensor, w *tensor.Tensor) {
	if x.DType() != w.DType() {
		panic(fmt.Sprintf("nn.%s: input %v%v, parameters %v", layer, x.DType(), x.Shape(), w.DType()))
	}
}

// Forward maps x of shape [..., In] to [..., Out].
func (l *Linear) Forward(x *tensor.Tensor) *tensor.Tensor {
	checkInput("Linear", x, l.Weight)
	if x.NDim() == 0 || x.Dim(-1) != l.In {
		panic(fmt.Sprintf("nn.Linear: input shape %v, want [..., %d]", x.Shape(), l.In))
	}
	xx := x
	if x.NDim() == 1 {
		xx = tensor.Reshape(x, 1, l.In)
	}
	y := tensor.MatMulT(xx, l.Weight, false, true)
	if l.Bias != nil {
		y = tensor.Add(y, l.Bias)
	}
	if x.NDim() == 1 {
		y = tensor.Reshape(y, l.Out)
	}
	return y
}

// Visit declares weight and bias.
func (l *Linear) Visit(v *Visitor) {
	v.Param("weight", l.Weight)
	v.Param("bias", l.Bias)
}

// ChannelLinear is a 1×1 convolution: a Linear map over the channel axis
// (axis 1) applied at every grid point,
//
//	y[b, o, s…] = Σ_i W[o, i] · x[b, i, s…] + bias[o],
//
// for inputs of any number of spatial axes. Its weight has the layout of
// PyTorch's Conv1d(In, Out, 1), [Out, In, 1], as neuraloperator's
// ChannelMLP uses.
type ChannelLinear struct {
	In, Out int
	// Weight has shape [Out, In, 1].
	Weight *tensor.Tensor
	// Bias has shape [Out]; nil without bias.
	Bias *tensor.Tensor
}

// NewChannelLinear returns a 1×1 convolution from in to out channels,
// initialised as PyTorch's Conv1d (U(−1/√in, 1/√in) for weight and bias).
// Options as NewLinear.
func NewChannelLinear(in, out int, opts ...Option) *ChannelLinear {
	if in <= 0 || out <= 0 {
		panic(fmt.Sprintf("nn.NewChannelLinear: channels %d → %d", in, out))
	}
	o := newOptions(opts)
	r := o.random("NewChannelLinear")
	l := &ChannelLinear{In: in, Out: out, Weight: o.param(out, in, 1)}
	initWith(o.weightInit, TorchDefault())(l.Weight, r)
	if o.bias {
		l.Bias = o.param(out)
		initWith(o.biasInit, TorchBias(in))(l.Bias, r)
	}
	return l
}

// Forward maps x of shape [B, In, s…] to [B, Out, s…].
func (l *ChannelLinear) Forward(x *tensor.Tensor) *tensor.Tensor {
	checkInput("ChannelLinear", x, l.Weight)
	if x.NDim() < 2 || x.Dim(1) != l.In {
		panic(fmt.Sprintf("nn.ChannelLinear: input shape %v, want [B, %d, ...]", x.Shape(), l.In))
	}
	return tensor.ChannelMix(x, tensor.Reshape(l.Weight, l.Out, l.In), l.Bias)
}

// ForwardAdd returns r + Forward(x) for r of the output's shape
// [B, Out, s…] (the skip path of a Fourier layer added to its spectral
// path), as one pass and one GEMM (tensor.ChannelMixAdd).
func (l *ChannelLinear) ForwardAdd(x, r *tensor.Tensor) *tensor.Tensor {
	checkInput("ChannelLinear", x, l.Weight)
	if x.NDim() < 2 || x.Dim(1) != l.In {
		panic(fmt.Sprintf("nn.ChannelLinear: input shape %v, want [B, %d, ...]", x.Shape(), l.In))
	}
	return tensor.ChannelMixAdd(x, tensor.Reshape(l.Weight, l.Out, l.In), l.Bias, r)
}

// Visit declares weight and bias.
func (l *ChannelLinear) Visit(v *Visitor) {
	v.Param("weight", l.Weight)
	v.Param("bias", l.Bias)
}

// ChannelMLP is a pointwise multilayer perceptron over the channel axis:
// ChannelLinear layers with an activation between consecutive ones (not
// after the last), as neuraloperator's ChannelMLP (entries fcs.0.weight,
// fcs.0.bias, …). FNOs use it for lifting and projection.
type ChannelMLP struct {
	Layers     []*ChannelLinear
	Activation func(*tensor.Tensor) *tensor.Tensor
}

// ChannelMLPConfig describes a ChannelMLP.
type ChannelMLPConfig struct {
	In, Out int
	// Hidden is the width of the hidden layers (default In).
	Hidden int
	// NumLayers is the number of ChannelLinear layers (default 2).
	NumLayers int
	// Activation is applied between layers; required when NumLayers > 1.
	Activation func(*tensor.Tensor) *tensor.Tensor
}

// NewChannelMLP builds a ChannelMLP; each layer is a NewChannelLinear with
// opts (pass WithRand so that the layers draw different weights).
func NewChannelMLP(cfg ChannelMLPConfig, opts ...Option) *ChannelMLP {
	if cfg.Hidden == 0 {
		cfg.Hidden = cfg.In
	}
	if cfg.NumLayers == 0 {
		cfg.NumLayers = 2
	}
	if cfg.NumLayers > 1 && cfg.Activation == nil {
		panic("nn.NewChannelMLP: no Activation for a multilayer ChannelMLP")
	}
	o := newOptions(opts)
	if o.rng != nil {
		// A seed option would give every layer the same stream; share one
		// source across the layers instead.
		opts = append(opts, WithRand(o.rng))
	}
	m := &ChannelMLP{Activation: cfg.Activation}
	for i := range cfg.NumLayers {
		in, out := cfg.Hidden, cfg.Hidden
		if i == 0 {
			in = cfg.In
		}
		if i == cfg.NumLayers-1 {
			out = cfg.Out
		}
		m.Layers = append(m.Layers, NewChannelLinear(in, out, opts...))
	}
	return m
}

// Forward maps [B, In, s…] to [B, Out, s…].
func (m *ChannelMLP) Forward(x *tensor.Tensor) *tensor.Tensor {
	for i, l := range m.Layers {
		x = l.Forward(x)
		if i < len(m.Layers)-1 {
			x = m.Activation(x)
		}
	}
	return x
}

// Visit declares the layers as fcs.0, fcs.1, …
func (m *ChannelMLP) Visit(v *Visitor) { VisitList(v, "fcs", m.Layers) }
