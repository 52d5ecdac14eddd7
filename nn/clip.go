package nn

import (
	"math"

	"github.com/sciml-go/sciml/tensor"
)

// GradNorm returns the 2-norm of all the gradients of params taken together,
//
//	‖g‖ = √(Σ_p Σ_i |g_{p,i}|²),
//
// with a complex element contributing |z|² = (Re z)² + (Im z)². Parameters
// without a gradient are skipped. The squares are summed in float64, in
// parameter order and element order, so the result does not depend on the
// number of threads; a sum that overflows is recomputed with scaling.
func GradNorm(params []*tensor.Tensor) float64 {
	ss := 0.0
	for i, p := range params {
		g := gradOf("GradNorm", i, p)
		if g == nil {
			continue
		}
		ss += sumSquares(g, 1)
	}
	if !math.IsInf(ss, 1) {
		return math.Sqrt(ss)
	}
	// Overflow (only possible for float64 gradients beyond ~1e154): scale
	// by the largest magnitude.
	scale := 0.0
	for _, p := range params {
		if g := p.Grad(); g != nil {
			scale = max(scale, maxAbs(g))
		}
	}
	if math.IsInf(scale, 1) {
		return scale
	}
	ss = 0
	for _, p := range params {
		if g := p.Grad(); g != nil {
			ss += sumSquares(g, 1/scale)
		}
	}
	return scale * math.Sqrt(ss)
}

func sumSquares(g *tensor.Tensor, scale float64) float64 {
	s := 0.0
	if g.DType().Real() == tensor.Float32 {
		for _, v := range reals32(g) {
			x := float64(v) * scale
			s += x * x
		}
		return s
	}
	for _, v := range reals64(g) {
		x := v * scale
		s += x * x
	}
	return s
}

func maxAbs(g *tensor.Tensor) float64 {
	m := 0.0
	if g.DType().Real() == tensor.Float32 {
		for _, v := range reals32(g) {
			m = max(m, math.Abs(float64(v)))
		}
		return m
	}
	for _, v := range reals64(g) {
		m = max(m, math.Abs(v))
	}
	return m
}

// ClipGradNorm rescales the gradients of params in place so that their
// joint 2-norm (GradNorm) is at most maxNorm, as PyTorch's
// clip_grad_norm_: every gradient is multiplied by
//
//	min(1, maxNorm/(‖g‖ + 1e-6)).
//
// It returns ‖g‖ before clipping. A non-finite norm is returned as is and
// the gradients are multiplied by a NaN factor, as PyTorch does with
// error_if_nonfinite=False; check the result when that matters.
func ClipGradNorm(params []*tensor.Tensor, maxNorm float64) float64 {
	total := GradNorm(params)
	coef := maxNorm / (total + 1e-6)
	if !(coef < 1) && !math.IsNaN(coef) {
		return total
	}
	for _, p := range params {
		g := p.Grad()
		if g == nil {
			continue
		}
		if g.DType().Real() == tensor.Float32 {
			c := float32(coef)
			x := reals32(g)
			for i := range x {
				x[i] *= c
			}
		} else {
			x := reals64(g)
			for i := range x {
				x[i] *= coef
			}
		}
	}
	return total
}
