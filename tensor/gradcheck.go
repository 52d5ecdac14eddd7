package tensor

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// CheckOptions configures GradCheck and GradGradCheck. Zero fields take the
// defaults Eps = 1e-6, Atol = 1e-5, Rtol = 1e-4, Seed = 1.
type CheckOptions struct {
	Eps, Atol, Rtol float64
	Seed            uint64
}

func (o CheckOptions) withDefaults() CheckOptions {
	if o.Eps == 0 {
		o.Eps = 1e-6
	}
	if o.Atol == 0 {
		o.Atol = 1e-5
	}
	if o.Rtol == 0 {
		o.Rtol = 1e-4
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	return o
}

// project returns the scalar Σ w⊙y (real part) for a fixed random w, so that
// a non-scalar output can be checked through one scalar function.
func project(y *Tensor, seed uint64) *Tensor {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	w := RandN(r, y.dtype, y.shape...)
	s := Sum(Mul(y, w))
	if s.dtype.IsComplex() {
		s = Real(s)
	}
	return s
}

// GradCheck compares the reverse-mode gradient of f at xs with central
// finite differences. f maps the inputs to a tensor; a non-scalar output is
// contracted with fixed random weights. Inputs should be float64 or
// complex128 (complex inputs are perturbed in their real and imaginary
// parts; the gradient convention is ∂L/∂Re z + i ∂L/∂Im z, as PyTorch's).
// The inputs' requires-grad flags are set for the check and restored.
func GradCheck(f func(xs []*Tensor) *Tensor, xs []*Tensor, opt CheckOptions) error {
	opt = opt.withDefaults()
	loss := func() float64 {
		ys := make([]*Tensor, len(xs))
		for i, x := range xs {
			ys[i] = x.Detach()
		}
		return project(f(ys), opt.Seed).Item()
	}
	saved := make([]bool, len(xs))
	for i, x := range xs {
		saved[i] = x.requiresGrad
		x.requiresGrad = true
	}
	out := project(f(xs), opt.Seed)
	grads := Grad([]*Tensor{out}, xs, nil, false)
	for i, x := range xs {
		x.requiresGrad = saved[i]
	}
	return compareFD(xs, grads, loss, opt, "gradient")
}

// GradGradCheck checks second derivatives: it compares the gradient of
// h(xs) = Σ v⊙∇f(xs) (with ∇f from Grad with createGraph, and fixed random
// v) against finite differences of h. This is the check of the
// double-backward path that PINN residuals use.
func GradGradCheck(f func(xs []*Tensor) *Tensor, xs []*Tensor, opt CheckOptions) error {
	opt = opt.withDefaults()
	h := func(ys []*Tensor) *Tensor {
		out := project(f(ys), opt.Seed)
		gs := Grad([]*Tensor{out}, ys, nil, true)
		var s *Tensor
		for i, g := range gs {
			p := project(g, opt.Seed+uint64(i)+1)
			if s == nil {
				s = p
			} else {
				s = Add(s, p)
			}
		}
		return s
	}
	loss := func() float64 {
		ys := make([]*Tensor, len(xs))
		for i, x := range xs {
			ys[i] = x.Detach().SetRequiresGrad(true)
		}
		return h(ys).Item()
	}
	saved := make([]bool, len(xs))
	for i, x := range xs {
		saved[i] = x.requiresGrad
		x.requiresGrad = true
	}
	out := h(xs)
	var grads []*Tensor
	if out.requiresGrad {
		grads = Grad([]*Tensor{out}, xs, nil, false)
	} else {
		grads = make([]*Tensor, len(xs))
		for i, x := range xs {
			grads[i] = Zeros(x.dtype, x.shape...)
		}
	}
	for i, x := range xs {
		x.requiresGrad = saved[i]
	}
	return compareFD(xs, grads, loss, opt, "second-order gradient")
}

func compareFD(xs, grads []*Tensor, loss func() float64, opt CheckOptions, what string) error {
	for i, x := range xs {
		g := grads[i]
		for j := range x.Numel() {
			parts := 1
			if x.dtype.IsComplex() {
				parts = 2
			}
			for p := range parts {
				orig := getPart(x, j, p)
				setPart(x, j, p, orig+opt.Eps)
				lp := loss()
				setPart(x, j, p, orig-opt.Eps)
				lm := loss()
				setPart(x, j, p, orig)
				fd := (lp - lm) / (2 * opt.Eps)
				an := getPart(g, j, p)
				if math.IsNaN(an) || math.Abs(an-fd) > opt.Atol+opt.Rtol*math.Abs(fd) {
					return fmt.Errorf("%s of input %d (shape %v) at element %d part %d: autodiff %.10g, finite differences %.10g",
						what, i, x.shape, j, p, an, fd)
				}
			}
		}
	}
	return nil
}

func getPart(t *Tensor, j, p int) float64 {
	switch x := t.data.(type) {
	case []float32:
		return float64(x[j])
	case []float64:
		return x[j]
	case []complex64:
		if p == 0 {
			return float64(real(x[j]))
		}
		return float64(imag(x[j]))
	case []complex128:
		if p == 0 {
			return real(x[j])
		}
		return imag(x[j])
	}
	return math.NaN()
}

func setPart(t *Tensor, j, p int, v float64) {
	switch x := t.data.(type) {
	case []float32:
		x[j] = float32(v)
	case []float64:
		x[j] = v
	case []complex64:
		if p == 0 {
			x[j] = complex(float32(v), imag(x[j]))
		} else {
			x[j] = complex(real(x[j]), float32(v))
		}
	case []complex128:
		if p == 0 {
			x[j] = complex(v, imag(x[j]))
		} else {
			x[j] = complex(real(x[j]), v)
		}
	}
}
