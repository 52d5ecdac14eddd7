package nn

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/sciml-go/sciml/tensor"
)

// randStream is the PCG stream NewRand uses, so that nn's draws from a seed
// differ from other packages' draws from the same seed.
const randStream = 0x6e6e5f696e6974 // "nn_init"

// NewRand returns the random source of seed that layers built WithSeed
// use: a PCG generator on a stream reserved for nn.
func NewRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, randStream)) }

// Init fills a parameter tensor in place with draws from r. Elements are
// drawn in row-major order; a complex element takes two draws, real part
// first, from the same distribution.
type Init func(t *tensor.Tensor, r *rand.Rand)

// Fan selects the fan used by the Kaiming initializers.
type Fan uint8

// FanIn preserves the variance of activations in the forward pass, FanOut
// that of gradients in the backward pass.
const (
	FanIn Fan = iota
	FanOut
)

// Fans returns the fan-in and fan-out of a weight of the given shape, with
// PyTorch's rule: for shape [a, b, k…], fanIn = b·Πk and fanOut = a·Πk. So
// a Linear weight [out, in] has fanIn = in, a Conv weight [Co, Ci, k…] has
// fanIn = Ci·Πk, and a ConvTranspose weight [Ci, Co, k…] has fanIn =
// Co·Πk, as in PyTorch. It panics for fewer than two axes.
func Fans(shape []int) (fanIn, fanOut int) {
	if len(shape) < 2 {
		panic(fmt.Sprintf("nn.Fans: shape %v has fewer than 2 axes", shape))
	}
	rf := 1
	for _, k := range shape[2:] {
		rf *= k
	}
	return shape[1] * rf, shape[0] * rf
}

// Gain returns PyTorch's recommended gain (torch.nn.init.calculate_gain)
// for a nonlinearity: 1 for "linear", "conv1d", "conv2d", "conv3d",
// "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "sigmoid"
// and "sine"; 5/3 for "tanh"; √2 for "relu"; √(2/(1+a²)) for "leaky_relu"
// with negative slope a (param; 0.01 when omitted); 3/4 for "selu". It
// panics for other names.
func Gain(nonlinearity string, param ...float64) float64 {
	switch nonlinearity {
	case "linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "sigmoid", "sine":
		return 1
	case "tanh":
		return 5.0 / 3
	case "relu":
		return math.Sqrt2
	case "leaky_relu":
		a := 0.01
		if len(param) > 0 {
			a = param[0]
		}
		return math.Sqrt(2 / (1 + a*a))
	case "selu":
		return 0.75
	}
	panic(fmt.Sprintf("nn.Gain: unknown nonlinearity %q (want linear, conv*, sigmoid, sine, tanh, relu, leaky_relu or selu)", nonlinearity))
}

// fill sets every real number of t (both parts of complex elements) to
// successive values of draw.
func fill(t *tensor.Tensor, draw func() float64) {
	switch t.DType() {
	case tensor.Float32:
		x := t.Float32s()
		for i := range x {
			x[i] = float32(draw())
		}
	case tensor.Float64:
		x := t.Float64s()
		for i := range x {
			x[i] = draw()
		}
	case tensor.Complex64:
		x := t.Complex64s()
		for i := range x {
			re := float32(draw())
			x[i] = complex(re, float32(draw()))
		}
	case tensor.Complex128:
		x := t.Complex128s()
		for i := range x {
			re := draw()
			x[i] = complex(re, draw())
		}
	}
}

// Uniform draws from U(lo, hi).
func Uniform(lo, hi float64) Init {
	return func(t *tensor.Tensor, r *rand.Rand) {
		fill(t, func() float64 { return lo + (hi-lo)*r.Float64() })
	}
}

// Normal draws from N(mean, std²).
func Normal(mean, std float64) Init {
	return func(t *tensor.Tensor, r *rand.Rand) {
		fill(t, func() float64 { return mean + std*r.NormFloat64() })
	}
}

// Constant sets every element to v (r is not used and may be nil).
func Constant(v float64) Init {
	return func(t *tensor.Tensor, _ *rand.Rand) { t.Fill(v) }
}

func fan(shape []int, mode Fan) int {
	in, out := Fans(shape)
	if mode == FanOut {
		return out
	}
	return in
}

// KaimingUniform (He et al. 2015) draws from U(−b, b) with
// b = gain·√(3/fan), which has standard deviation gain/√fan. PyTorch's
// kaiming_uniform_(w, a, mode, nonlinearity) is
// KaimingUniform(Gain(nonlinearity, a), mode).
func KaimingUniform(gain float64, mode Fan) Init {
	return func(t *tensor.Tensor, r *rand.Rand) {
		b := gain * math.Sqrt(3/float64(fan(t.Shape(), mode)))
		Uniform(-b, b)(t, r)
	}
}

// KaimingNormal draws from N(0, σ²) with σ = gain/√fan.
func KaimingNormal(gain float64, mode Fan) Init {
	return func(t *tensor.Tensor, r *rand.Rand) {
		Normal(0, gain/math.Sqrt(float64(fan(t.Shape(), mode))))(t, r)
	}
}

// XavierUniform (Glorot and Bengio 2010) draws from U(−b, b) with
// b = gain·√(6/(fanIn+fanOut)).
func XavierUniform(gain float64) Init {
	return func(t *tensor.Tensor, r *rand.Rand) {
		in, out := Fans(t.Shape())
		b := gain * math.Sqrt(6/float64(in+out))
		Uniform(-b, b)(t, r)
	}
}

// XavierNormal draws from N(0, σ²) with σ = gain·√(2/(fanIn+fanOut)).
func XavierNormal(gain float64) Init {
	return func(t *tensor.Tensor, r *rand.Rand) {
		in, out := Fans(t.Shape())
		Normal(0, gain*math.Sqrt(2/float64(in+out)))(t, r)
	}
}

// TorchDefault is PyTorch's default weight initialisation of Linear and
// Conv layers, kaiming_uniform_ with a = √5: U(−1/√fanIn, 1/√fanIn).
func TorchDefault() Init {
	return func(t *tensor.Tensor, r *rand.Rand) {
		KaimingUniform(Gain("leaky_relu", math.Sqrt(5)), FanIn)(t, r)
	}
}

// TorchBias is PyTorch's default bias initialisation of a layer whose
// weight has the given fan-in: U(−1/√fanIn, 1/√fanIn) (zero when fanIn is
// 0).
func TorchBias(fanIn int) Init {
	b := 0.0
	if fanIn > 0 {
		b = 1 / math.Sqrt(float64(fanIn))
	}
	return Uniform(-b, b)
}

// SirenFirst is the initialisation of the first layer of a SIREN (Sitzmann
// et al. 2020): U(−1/n, 1/n) with n the fan-in.
func SirenFirst() Init {
	return func(t *tensor.Tensor, r *rand.Rand) {
		n := float64(fan(t.Shape(), FanIn))
		Uniform(-1/n, 1/n)(t, r)
	}
}

// Siren is the initialisation of the hidden layers of a SIREN with
// frequency omega0 (30 in the paper): U(−√(6/n)/ω0, √(6/n)/ω0) with n the
// fan-in, so that sin(ω0·(Wx+b)) keeps its input distribution.
func Siren(omega0 float64) Init {
	return func(t *tensor.Tensor, r *rand.Rand) {
		b := math.Sqrt(6/float64(fan(t.Shape(), FanIn))) / omega0
		Uniform(-b, b)(t, r)
	}
}
