package nn

import (
	"fmt"
	"math/rand/v2"

	"github.com/sciml-go/sciml/tensor"
)

// Dropout zeroes each element with probability P during training and
// scales the others by 1/(1−P), so that expectations are unchanged
// (Srivastava et al. 2014); in evaluation mode it is the identity. The
// masks come from the layer's own random source, so runs with the same
// seed drop the same elements.
type Dropout struct {
	P        float64
	Training bool
	rng      *rand.Rand
}

// NewDropout returns a Dropout layer with drop probability p ∈ [0, 1]. It
// needs a random source (WithSeed or WithRand) for its masks.
func NewDropout(p float64, opts ...Option) *Dropout {
	if p < 0 || p > 1 {
		panic(fmt.Sprintf("nn.NewDropout: probability %g outside [0, 1]", p))
	}
	o := newOptions(opts)
	return &Dropout{P: p, Training: true, rng: o.random("NewDropout")}
}

// SetTraining selects training (masks drawn) or evaluation (identity).
func (d *Dropout) SetTraining(on bool) { d.Training = on }

// Forward applies a fresh mask in training mode; x itself otherwise.
func (d *Dropout) Forward(x *tensor.Tensor) *tensor.Tensor {
	if !d.Training || d.P == 0 {
		return x
	}
	if x.DType().IsComplex() {
		panic(fmt.Sprintf("nn.Dropout: complex input %v", x.DType()))
	}
	mask := tensor.Empty(x.DType(), x.Shape(), x)
	keep := 0.0
	if d.P < 1 {
		keep = 1 / (1 - d.P)
	}
	switch x.DType() {
	case tensor.Float32:
		m := mask.Float32s()
		for i := range m {
			m[i] = 0
			if d.rng.Float64() >= d.P {
				m[i] = float32(keep)
			}
		}
	case tensor.Float64:
		m := mask.Float64s()
		for i := range m {
			m[i] = 0
			if d.rng.Float64() >= d.P {
				m[i] = keep
			}
		}
	}
	return tensor.Mul(x, mask)
}

// Visit declares nothing: Dropout has no parameters.
func (d *Dropout) Visit(*Visitor) {}
