package nn

import (
	"fmt"
	"math"
	"slices"

	"github.com/sciml-go/sciml/tensor"
)

// normalize returns (x − μ)/√(σ² + eps) with μ and the biased variance σ²
// taken over axes (kept as size 1), and μ and σ².
func normalize(x *tensor.Tensor, axes []int, eps float64) (y, mean, variance *tensor.Tensor) {
	mean = tensor.MeanAxes(x, axes, true)
	xc := tensor.Add(x, tensor.Neg(mean)) // Add and Mul have the vector kernels
	variance = tensor.MeanAxes(tensor.Square(xc), axes, true)
	return tensor.Mul(xc, tensor.PowScalar(tensor.AddScalar(variance, eps), -0.5)), mean, variance
}

// normAffine initialises the optional scale (ones) and shift (zeros) of a
// normalisation layer.
func normAffine(o *options, layer string, def bool, shape ...int) (w, b *tensor.Tensor) {
	if o.affine != nil {
		def = *o.affine
	}
	if !def {
		return nil, nil
	}
	w, b = o.param(shape...), o.param(shape...)
	if o.weightInit != nil {
		o.weightInit(w, o.random(layer))
	} else {
		w.Fill(1)
	}
	if o.biasInit != nil {
		o.biasInit(b, o.random(layer))
	}
	return w, b
}

// channelShape is [1, C, 1, …] for an input of nd axes.
func channelShape(c, nd int) []int {
	s := make([]int, nd)
	for i := range s {
		s[i] = 1
	}
	s[1] = c
	return s
}

// affine applies y·w + b with w and b reshaped to shape (either may be nil).
func affine(y, w, b *tensor.Tensor, shape []int) *tensor.Tensor {
	if w != nil {
		y = tensor.Mul(y, tensor.Reshape(w, shape...))
	}
	if b != nil {
		y = tensor.Add(y, tensor.Reshape(b, shape...))
	}
	return y
}

// LayerNorm normalises over the trailing axes given by Shape (Ba et al.
// 2016):
//
//	y = (x − μ)/√(σ² + ε) · w + b
//
// with μ and the biased variance σ² computed per sample over those axes;
// w and b have shape Shape (PyTorch's elementwise affine).
type LayerNorm struct {
	Shape        []int
	Eps          float64
	Weight, Bias *tensor.Tensor // nil without affine
}

// NewLayerNorm returns a LayerNorm over the last axis, of size features.
// WithDType, WithEps (default 1e-5), WithAffine (default on) and
// WithBias(false) (scale without shift) apply.
func NewLayerNorm(features int, opts ...Option) *LayerNorm {
	return NewLayerNormShape([]int{features}, opts...)
}

// NewLayerNormShape returns a LayerNorm over the trailing axes of the
// given shape, as PyTorch's LayerNorm(normalized_shape).
func NewLayerNormShape(shape []int, opts ...Option) *LayerNorm {
	if len(shape) == 0 {
		panic("nn.NewLayerNormShape: empty shape")
	}
	o := newOptions(opts)
	l := &LayerNorm{Shape: slices.Clone(shape), Eps: o.eps}
	l.Weight, l.Bias = normAffine(o, "NewLayerNorm", true, shape...)
	if !o.bias {
		l.Bias = nil
	}
	return l
}

// Forward normalises x of shape [..., Shape...].
func (l *LayerNorm) Forward(x *tensor.Tensor) *tensor.Tensor {
	k := len(l.Shape)
	if x.NDim() < k || !slices.Equal(x.Shape()[x.NDim()-k:], l.Shape) {
		panic(fmt.Sprintf("nn.LayerNorm: input shape %v does not end in %v", x.Shape(), l.Shape))
	}
	if l.Weight != nil {
		checkInput("LayerNorm", x, l.Weight)
	}
	axes := make([]int, k)
	for i := range axes {
		axes[i] = x.NDim() - k + i
	}
	y, _, _ := normalize(x, axes, l.Eps)
	return affine(y, l.Weight, l.Bias, l.Shape)
}

// Visit declares weight and bias.
func (l *LayerNorm) Visit(v *Visitor) {
	v.Param("weight", l.Weight)
	v.Param("bias", l.Bias)
}

// BatchNorm normalises each channel (axis 1 of [B, C, s…]) over the batch
// and spatial axes (Ioffe and Szegedy 2015); it serves as PyTorch's
// BatchNorm1d, 2d and 3d. In training mode it uses the statistics of the
// batch and updates the running estimates
//
//	running ← (1 − momentum)·running + momentum·batch
//
// (with the unbiased batch variance); in evaluation mode it uses the
// running estimates. Weight and bias have shape [C].
type BatchNorm struct {
	Channels     int
	Eps          float64
	Momentum     float64
	Weight, Bias *tensor.Tensor // nil without affine
	// RunningMean (zeros) and RunningVar (ones) have shape [C] and the
	// layer's dtype; NumBatchesTracked is a float64 scalar counting the
	// training batches seen. They are buffers: saved, not trained.
	RunningMean, RunningVar, NumBatchesTracked *tensor.Tensor
	// Training selects batch statistics (true, the default) or running
	// ones.
	Training bool
}

// NewBatchNorm returns a BatchNorm for c channels. WithDType, WithEps
// (default 1e-5), WithMomentum (default 0.1) and WithAffine (default on)
// apply.
func NewBatchNorm(c int, opts ...Option) *BatchNorm {
	if c <= 0 {
		panic(fmt.Sprintf("nn.NewBatchNorm: %d channels", c))
	}
	o := newOptions(opts)
	l := &BatchNorm{Channels: c, Eps: o.eps, Momentum: o.momentum, Training: true,
		RunningMean:       tensor.Zeros(o.dtype, c),
		RunningVar:        tensor.Full(o.dtype, 1, c),
		NumBatchesTracked: tensor.Zeros(tensor.Float64),
	}
	l.Weight, l.Bias = normAffine(o, "NewBatchNorm", true, c)
	return l
}

// SetTraining selects training or evaluation mode.
func (l *BatchNorm) SetTraining(on bool) { l.Training = on }

// Forward normalises x of shape [B, C, s…].
func (l *BatchNorm) Forward(x *tensor.Tensor) *tensor.Tensor {
	if x.NDim() < 2 || x.Dim(1) != l.Channels {
		panic(fmt.Sprintf("nn.BatchNorm: input shape %v, want [B, %d, ...]", x.Shape(), l.Channels))
	}
	checkInput("BatchNorm", x, l.RunningMean)
	cs := channelShape(l.Channels, x.NDim())
	if !l.Training {
		rm, rv := l.RunningMean.ToFloat64s(), l.RunningVar.ToFloat64s()
		inv := make([]float64, l.Channels)
		for i, v := range rv {
			inv[i] = 1 / math.Sqrt(v+l.Eps)
		}
		mean := tensor.FromFloat64s(x.DType(), rm, cs...)
		scale := tensor.FromFloat64s(x.DType(), inv, cs...)
		y := tensor.Mul(tensor.Sub(x, mean), scale)
		return affine(y, l.Weight, l.Bias, cs)
	}
	n := x.Numel() / l.Channels
	if n <= 1 {
		panic(fmt.Sprintf("nn.BatchNorm: input shape %v has one value per channel; training needs more", x.Shape()))
	}
	axes := []int{0}
	for i := 2; i < x.NDim(); i++ {
		axes = append(axes, i)
	}
	y, mean, variance := normalize(x, axes, l.Eps)
	l.update(mean.ToFloat64s(), variance.ToFloat64s(), n)
	return affine(y, l.Weight, l.Bias, cs)
}

// update folds batch statistics into the running estimates.
func (l *BatchNorm) update(mean, biasedVar []float64, n int) {
	m := l.Momentum
	rm, rv := l.RunningMean.ToFloat64s(), l.RunningVar.ToFloat64s()
	for c := range rm {
		rm[c] = (1-m)*rm[c] + m*mean[c]
		rv[c] = (1-m)*rv[c] + m*biasedVar[c]*float64(n)/float64(n-1)
	}
	l.RunningMean.CopyFrom(tensor.FromFloat64s(l.RunningMean.DType(), rm, l.Channels))
	l.RunningVar.CopyFrom(tensor.FromFloat64s(l.RunningVar.DType(), rv, l.Channels))
	l.NumBatchesTracked.Fill(l.NumBatchesTracked.Item() + 1)
}

// Visit declares weight, bias, running_mean, running_var and
// num_batches_tracked (PyTorch's names).
func (l *BatchNorm) Visit(v *Visitor) {
	v.Param("weight", l.Weight)
	v.Param("bias", l.Bias)
	v.Buffer("running_mean", l.RunningMean)
	v.Buffer("running_var", l.RunningVar)
	v.Buffer("num_batches_tracked", l.NumBatchesTracked)
}

// InstanceNorm normalises each channel of each sample ([B, C, s…]) over its
// spatial axes (Ulyanov et al. 2016), as PyTorch's InstanceNorm1d/2d/3d
// without running statistics; the same in training and evaluation. The
// optional affine weight and bias have shape [C].
type InstanceNorm struct {
	Channels     int
	Eps          float64
	Weight, Bias *tensor.Tensor // nil without affine (the default)
}

// NewInstanceNorm returns an InstanceNorm for c channels. WithDType,
// WithEps (default 1e-5) and WithAffine (default off) apply.
func NewInstanceNorm(c int, opts ...Option) *InstanceNorm {
	if c <= 0 {
		panic(fmt.Sprintf("nn.NewInstanceNorm: %d channels", c))
	}
	o := newOptions(opts)
	l := &InstanceNorm{Channels: c, Eps: o.eps}
	l.Weight, l.Bias = normAffine(o, "NewInstanceNorm", false, c)
	return l
}

// Forward normalises x of shape [B, C, s…] (at least one spatial axis).
func (l *InstanceNorm) Forward(x *tensor.Tensor) *tensor.Tensor {
	if x.NDim() < 3 || x.Dim(1) != l.Channels {
		panic(fmt.Sprintf("nn.InstanceNorm: input shape %v, want [B, %d, s...]", x.Shape(), l.Channels))
	}
	if l.Weight != nil {
		checkInput("InstanceNorm", x, l.Weight)
	}
	var axes []int
	for i := 2; i < x.NDim(); i++ {
		axes = append(axes, i)
	}
	y, _, _ := normalize(x, axes, l.Eps)
	return affine(y, l.Weight, l.Bias, channelShape(l.Channels, x.NDim()))
}

// Visit declares weight and bias.
func (l *InstanceNorm) Visit(v *Visitor) {
	v.Param("weight", l.Weight)
	v.Param("bias", l.Bias)
}
