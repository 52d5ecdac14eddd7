package inr

import (
	"github.com/sciml-go/sciml/nn"
	"github.com/sciml-go/sciml/tensor"
)

// linear returns x·wᵀ + b (b may be nil): tensor.Linear, one GEMM with
// the bias folded in and a fused, row-blocked backward pass.
func linear(x, w, b *tensor.Tensor) *tensor.Tensor {
	return tensor.Linear(x, w, b)
}

// sinLinear returns sin(ω·(x·wᵀ + b)), the SIREN layer: tensor.SinLinear,
// which fuses the GEMM, the sine and (in the backward pass) the cosine
// factor, the bias gradient and both gradient GEMMs block by block of rows.
func sinLinear(x, w, b *tensor.Tensor, omega float64) *tensor.Tensor {
	return tensor.SinLinear(x, w, b, omega)
}

// activation is a pointwise nonlinearity applied after a linear layer.
type activation func(z *tensor.Tensor) *tensor.Tensor

// dense is a Linear layer followed by an activation (nil: identity). For
// the SIREN layer (omega > 0 and act == nil) the activation is sin(ω·).
type dense struct {
	lin   *nn.Linear
	omega float64
	act   activation
}

func (d *dense) forward(x *tensor.Tensor) *tensor.Tensor {
	if d.omega > 0 {
		return sinLinear(x, d.lin.Weight, d.lin.Bias, d.omega)
	}
	z := linear(x, d.lin.Weight, d.lin.Bias)
	if d.act != nil {
		z = d.act(z)
	}
	return z
}
