package nn

import (
	"fmt"

	"github.com/sciml-go/sciml/tensor"
)

// WithStride sets a convolution's stride along every spatial axis
// (default 1).
func WithStride(s int) Option {
	if s < 1 {
		panic(fmt.Sprintf("nn.WithStride: stride %d < 1", s))
	}
	return func(o *options) { o.stride = s }
}

// WithPadding sets the number of samples a convolution adds at both ends
// of every spatial axis (default 0).
func WithPadding(p int) Option {
	if p < 0 {
		panic(fmt.Sprintf("nn.WithPadding: padding %d < 0", p))
	}
	return func(o *options) { o.padding = p }
}

// WithPadMode sets what a convolution's padding holds: tensor.PadZero (the
// default) or tensor.PadPeriodic (PyTorch's padding_mode="circular"), or
// another mode tensor.Conv1d/Conv2d support. Transposed convolutions
// support only zeros.
func WithPadMode(m tensor.PadMode) Option {
	return func(o *options) { o.padMode = m }
}

// convParams creates and initialises a convolution's weight (PyTorch's
// default: U(−1/√fanIn, 1/√fanIn), fanIn from Fans) and bias (the same
// bound).
func convParams(layer string, o *options, biasLen int, shape ...int) (w, b *tensor.Tensor) {
	for _, s := range shape {
		if s <= 0 {
			panic(fmt.Sprintf("nn.%s: weight shape %v", layer, shape))
		}
	}
	r := o.random(layer)
	w = o.param(shape...)
	initWith(o.weightInit, TorchDefault())(w, r)
	if o.bias {
		fanIn, _ := Fans(shape)
		b = o.param(biasLen)
		initWith(o.biasInit, TorchBias(fanIn))(b, r)
	}
	return w, b
}

// Conv is the configuration shared by the convolution layers.
type Conv struct {
	In, Out, Kernel int
	Stride, Padding int
	Mode            tensor.PadMode
}

func (c Conv) opts() tensor.ConvOptions {
	return tensor.ConvOptions{Stride: c.Stride, Padding: c.Padding, Mode: c.Mode}
}

// Conv1d is a 1-D convolution (cross-correlation, as PyTorch's Conv1d) of
// x [B, In, L] with Weight [Out, In, Kernel] plus Bias [Out]; see
// tensor.Conv1d.
type Conv1d struct {
	Conv
	Weight, Bias *tensor.Tensor // Bias nil without bias
}

// NewConv1d returns a Conv1d from in to out channels with kernel size k,
// initialised as PyTorch's (U(−1/√(in·k), 1/√(in·k)) for weight and bias).
// It needs a random source (WithSeed or WithRand); WithStride, WithPadding,
// WithPadMode, WithDType, WithBias, WithWeightInit and WithBiasInit apply.
func NewConv1d(in, out, k int, opts ...Option) *Conv1d {
	o := newOptions(opts)
	l := &Conv1d{Conv: Conv{In: in, Out: out, Kernel: k, Stride: o.stride, Padding: o.padding, Mode: o.padMode}}
	l.Weight, l.Bias = convParams("NewConv1d", o, out, out, in, k)
	return l
}

// Forward maps [B, In, L] to [B, Out, ⌊(L + 2·Padding − Kernel)/Stride⌋ + 1].
func (l *Conv1d) Forward(x *tensor.Tensor) *tensor.Tensor {
	return tensor.Conv1d(x, l.Weight, l.Bias, l.opts())
}

// Visit declares weight and bias.
func (l *Conv1d) Visit(v *Visitor) {
	v.Param("weight", l.Weight)
	v.Param("bias", l.Bias)
}

// Conv2d is a 2-D convolution of x [B, In, H, W] with Weight [Out, In,
// Kernel, Kernel] plus Bias [Out], as PyTorch's Conv2d; see tensor.Conv2d.
// MgNO's smoothers are 3×3 with padding 1; its restrictions add stride 2.
type Conv2d struct {
	Conv
	Weight, Bias *tensor.Tensor // Bias nil without bias
}

// NewConv2d returns a Conv2d from in to out channels with k×k kernels,
// initialised as PyTorch's (bound 1/√(in·k²)). Options as NewConv1d.
func NewConv2d(in, out, k int, opts ...Option) *Conv2d {
	o := newOptions(opts)
	l := &Conv2d{Conv: Conv{In: in, Out: out, Kernel: k, Stride: o.stride, Padding: o.padding, Mode: o.padMode}}
	l.Weight, l.Bias = convParams("NewConv2d", o, out, out, in, k, k)
	return l
}

// Forward maps [B, In, H, W] to [B, Out, Ho, Wo] with Ho =
// ⌊(H + 2·Padding − Kernel)/Stride⌋ + 1 (Wo alike).
func (l *Conv2d) Forward(x *tensor.Tensor) *tensor.Tensor {
	return tensor.Conv2d(x, l.Weight, l.Bias, l.opts())
}

// Visit declares weight and bias.
func (l *Conv2d) Visit(v *Visitor) {
	v.Param("weight", l.Weight)
	v.Param("bias", l.Bias)
}

// ConvTranspose1d is a transposed 1-D convolution of x [B, In, L] with
// Weight [In, Out, Kernel] (PyTorch's layout) plus Bias [Out]; see
// tensor.ConvTranspose1d. Padding holds zeros.
type ConvTranspose1d struct {
	Conv
	Weight, Bias *tensor.Tensor // Bias nil without bias
}

// NewConvTranspose1d returns a ConvTranspose1d from in to out channels
// with kernel size k, initialised as PyTorch's: U(−b, b), b = 1/√(out·k)
// (PyTorch takes the fan-in of a transposed weight [In, Out, k] from its
// second axis). Options as NewConv1d, except WithPadMode.
func NewConvTranspose1d(in, out, k int, opts ...Option) *ConvTranspose1d {
	o := newOptions(opts)
	if o.padMode != tensor.PadZero {
		panic(fmt.Sprintf("nn.NewConvTranspose1d: padding mode %v is not supported (zeros only)", o.padMode))
	}
	l := &ConvTranspose1d{Conv: Conv{In: in, Out: out, Kernel: k, Stride: o.stride, Padding: o.padding}}
	l.Weight, l.Bias = convParams("NewConvTranspose1d", o, out, in, out, k)
	return l
}

// Forward maps [B, In, L] to [B, Out, (L − 1)·Stride − 2·Padding + Kernel].
func (l *ConvTranspose1d) Forward(x *tensor.Tensor) *tensor.Tensor {
	return tensor.ConvTranspose1d(x, l.Weight, l.Bias, l.Stride, l.Padding)
}

// Visit declares weight and bias.
func (l *ConvTranspose1d) Visit(v *Visitor) {
	v.Param("weight", l.Weight)
	v.Param("bias", l.Bias)
}

// ConvTranspose2d is a transposed 2-D convolution of x [B, In, H, W] with
// Weight [In, Out, Kernel, Kernel] (PyTorch's layout) plus Bias [Out]; see
// tensor.ConvTranspose2d. A 4×4 kernel with stride 2 and padding 1 doubles
// the grid (MgNO's prolongation). Padding holds zeros.
type ConvTranspose2d struct {
	Conv
	Weight, Bias *tensor.Tensor // Bias nil without bias
}

// NewConvTranspose2d returns a ConvTranspose2d from in to out channels
// with k×k kernels, initialised as PyTorch's (bound 1/√(out·k²)). Options
// as NewConvTranspose1d.
func NewConvTranspose2d(in, out, k int, opts ...Option) *ConvTranspose2d {
	o := newOptions(opts)
	if o.padMode != tensor.PadZero {
		panic(fmt.Sprintf("nn.NewConvTranspose2d: padding mode %v is not supported (zeros only)", o.padMode))
	}
	l := &ConvTranspose2d{Conv: Conv{In: in, Out: out, Kernel: k, Stride: o.stride, Padding: o.padding}}
	l.Weight, l.Bias = convParams("NewConvTranspose2d", o, out, in, out, k, k)
	return l
}

// Forward maps [B, In, H, W] to [B, Out, (H − 1)·Stride − 2·Padding +
// Kernel, (W − 1)·Stride − 2·Padding + Kernel].
func (l *ConvTranspose2d) Forward(x *tensor.Tensor) *tensor.Tensor {
	return tensor.ConvTranspose2d(x, l.Weight, l.Bias, l.Stride, l.Padding)
}

// Visit declares weight and bias.
func (l *ConvTranspose2d) Visit(v *Visitor) {
	v.Param("weight", l.Weight)
	v.Param("bias", l.Bias)
}
