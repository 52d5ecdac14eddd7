package nn

import (
	"fmt"
	"math/rand/v2"

	"github.com/sciml-go/sciml/tensor"
)

// Option configures a layer constructor. Options a layer does not use are
// ignored.
type Option func(*options)

type options struct {
	dtype      tensor.DType
	rng        *rand.Rand
	bias       bool
	weightInit Init
	biasInit   Init
	eps        float64
	momentum   float64
	affine     *bool
	stride     int
	padding    int
	padMode    tensor.PadMode
}

func newOptions(opts []Option) *options {
	o := &options{dtype: tensor.Float32, bias: true, eps: 1e-5, momentum: 0.1, stride: 1}
	for _, f := range opts {
		f(o)
	}
	return o
}

// random returns the layer's random source; it panics when the caller gave
// none, since every random draw takes an explicit source.
func (o *options) random(layer string) *rand.Rand {
	if o.rng == nil {
		panic(fmt.Sprintf("nn.%s: no random source; pass nn.WithSeed or nn.WithRand", layer))
	}
	return o.rng
}

// WithDType sets the parameters' dtype: tensor.Float32 (the default) or
// tensor.Float64 (PINNs).
func WithDType(d tensor.DType) Option {
	if d != tensor.Float32 && d != tensor.Float64 {
		panic(fmt.Sprintf("nn.WithDType: %v (want float32 or float64)", d))
	}
	return func(o *options) { o.dtype = d }
}

// WithSeed initialises the layer from NewRand(seed).
func WithSeed(seed uint64) Option {
	return func(o *options) { o.rng = NewRand(seed) }
}

// WithRand initialises the layer from r (and, for Dropout, draws its masks
// from r). Layers built in sequence from one r get independent weights.
func WithRand(r *rand.Rand) Option { return func(o *options) { o.rng = r } }

// WithBias turns the additive bias on (the default) or off.
func WithBias(on bool) Option { return func(o *options) { o.bias = on } }

// WithWeightInit replaces the layer's default weight initialisation.
func WithWeightInit(f Init) Option { return func(o *options) { o.weightInit = f } }

// WithBiasInit replaces the layer's default bias initialisation.
func WithBiasInit(f Init) Option { return func(o *options) { o.biasInit = f } }

// WithEps sets the ε added to variances by normalisation layers (default
// 1e-5).
func WithEps(eps float64) Option { return func(o *options) { o.eps = eps } }

// WithMomentum sets the weight of the current batch in BatchNorm's running
// statistics (default 0.1, PyTorch's convention).
func WithMomentum(m float64) Option { return func(o *options) { o.momentum = m } }

// WithAffine turns the learnable scale and shift of a normalisation layer
// on or off (default on for LayerNorm and BatchNorm, off for InstanceNorm,
// as in PyTorch).
func WithAffine(on bool) Option { return func(o *options) { o.affine = &on } }

// param returns a zero leaf parameter of the layer's dtype that requires
// gradients.
func (o *options) param(shape ...int) *tensor.Tensor {
	return tensor.Zeros(o.dtype, shape...).SetRequiresGrad(true)
}
