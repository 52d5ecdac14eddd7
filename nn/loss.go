package nn

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"

	"github.com/sciml-go/sciml/tensor"
)

// Loss compares a prediction with a target and returns a differentiable
// scalar (or, with ReduceNone, one value per sample).
type Loss interface {
	Loss(pred, target *tensor.Tensor) *tensor.Tensor
}

// LossFunc turns a function into a Loss.
type LossFunc func(pred, target *tensor.Tensor) *tensor.Tensor

// Loss returns f(pred, target).
func (f LossFunc) Loss(pred, target *tensor.Tensor) *tensor.Tensor { return f(pred, target) }

// Reduction says how per-sample losses combine over the batch (axis 0).
type Reduction uint8

const (
	// ReduceMean averages over the batch (the default).
	ReduceMean Reduction = iota
	// ReduceSum sums over the batch, as the FNO training scripts do
	// (dividing the epoch total by the number of samples).
	ReduceSum
	// ReduceNone returns the per-sample values, shape [B].
	ReduceNone
)

// String returns "mean", "sum" or "none".
func (r Reduction) String() string {
	switch r {
	case ReduceMean:
		return "mean"
	case ReduceSum:
		return "sum"
	case ReduceNone:
		return "none"
	}
	return fmt.Sprintf("Reduction(%d)", uint8(r))
}

func (r Reduction) apply(perSample *tensor.Tensor) *tensor.Tensor {
	switch r {
	case ReduceMean:
		return tensor.Mean(perSample)
	case ReduceSum:
		return tensor.Sum(perSample)
	case ReduceNone:
		return perSample
	}
	panic(fmt.Sprintf("nn: invalid reduction %v", r))
}

func checkPair(loss string, pred, target *tensor.Tensor) {
	if !slices.Equal(pred.Shape(), target.Shape()) || pred.DType() != target.DType() {
		panic(fmt.Sprintf("nn.%s: prediction %v%v and target %v%v differ", loss, pred.DType(), pred.Shape(), target.DType(), target.Shape()))
	}
	if pred.DType().IsComplex() {
		panic(fmt.Sprintf("nn.%s: complex tensors %v", loss, pred.DType()))
	}
}

// MSE is the mean squared error over all elements, mean((ŷ − y)²).
func MSE(pred, target *tensor.Tensor) *tensor.Tensor {
	checkPair("MSE", pred, target)
	return tensor.Mean(tensor.Square(tensor.Sub(pred, target)))
}

// Grid describes the spatial axes of sampled functions for the losses
// that integrate: the trailing len(Lengths) axes of a [B, …] tensor, axis
// a covering a domain of length Lengths[a]. With Lengths nil every axis
// after the batch axis is spatial with length 1. Axes between the batch
// axis and the spatial ones (channels) are summed without weights.
//
// On a periodic grid the n samples of an axis sit at x_j = j·L/n (the
// endpoint is the first point again) and the quadrature is the rectangle
// rule with weight h = L/n — spectrally accurate for periodic functions.
// Otherwise they sit at x_j = j·L/(n−1), both endpoints included, and the
// quadrature is the trapezoidal rule, weights h·(½, 1, …, 1, ½) with
// h = L/(n−1). Either way Σ_j w_j f(x_j) ≈ ∫ f, so a loss means the same
// at every resolution.
type Grid struct {
	Lengths  []float64
	Periodic bool
}

// spatial returns the spatial axes of a tensor of nd axes and their
// lengths.
func (g Grid) spatial(loss string, shape []int) (axes []int, lengths []float64) {
	nd := len(shape)
	k := len(g.Lengths)
	if k == 0 {
		k = nd - 1
	}
	if k == 0 || k > nd-1 {
		panic(fmt.Sprintf("nn.%s: %d spatial axes for shape %v (axis 0 is the batch)", loss, k, shape))
	}
	for i := range k {
		axes = append(axes, nd-k+i)
		l := 1.0
		if len(g.Lengths) > 0 {
			l = g.Lengths[i]
		}
		lengths = append(lengths, l)
	}
	return axes, lengths
}

// Validate reports non-positive lengths.
func (g Grid) Validate() error {
	for i, l := range g.Lengths {
		if !(l > 0) || math.IsInf(l, 0) {
			return fmt.Errorf("grid: length %g of spatial axis %d is not positive and finite", l, i)
		}
	}
	return nil
}

// Weights returns the quadrature weights (see Grid) of a grid of the given
// spatial shape (one entry of shape per length of g, or any number of
// axes of length 1 when Lengths is nil), as a tensor of that shape and
// dtype d. They sum to the volume of the domain.
func (g Grid) Weights(d tensor.DType, shape ...int) *tensor.Tensor {
	if len(g.Lengths) > 0 && len(g.Lengths) != len(shape) {
		panic(fmt.Sprintf("nn.Grid.Weights: %d lengths for spatial shape %v", len(g.Lengths), shape))
	}
	w := []float64{1}
	for a, n := range shape {
		l := 1.0
		if len(g.Lengths) > 0 {
			l = g.Lengths[a]
		}
		w1 := make([]float64, n)
		h := spacing(n, l, g.Periodic)
		for j := range w1 {
			w1[j] = h
			if !g.Periodic && n > 1 && (j == 0 || j == n-1) {
				w1[j] = h / 2
			}
		}
		next := make([]float64, 0, len(w)*n)
		for _, u := range w {
			for _, v := range w1 {
				next = append(next, u*v)
			}
		}
		w = next
	}
	return tensor.FromFloat64s(d, w, shape...)
}

var weightCache sync.Map // string → *tensor.Tensor

// weights returns cached quadrature weights for the spatial axes of shape,
// shaped to broadcast against it (the leading axes as size 1).
func (g Grid) weights(loss string, d tensor.DType, shape []int) *tensor.Tensor {
	axes, lengths := g.spatial(loss, shape)
	sp := make([]int, len(axes))
	for i, a := range axes {
		sp[i] = shape[a]
	}
	key := fmt.Sprint(d, sp, lengths, g.Periodic)
	if w, ok := weightCache.Load(key); ok {
		return w.(*tensor.Tensor)
	}
	w := Grid{Lengths: lengths, Periodic: g.Periodic}.Weights(d, sp...)
	full := make([]int, len(shape))
	for i := range full {
		full[i] = 1
	}
	copy(full[len(shape)-len(sp):], sp)
	w = tensor.Reshape(w, full...)
	weightCache.Store(key, w)
	return w
}

// nonBatch lists the axes 1…nd−1.
func nonBatch(nd int) []int {
	axes := make([]int, nd-1)
	for i := range axes {
		axes[i] = i + 1
	}
	return axes
}

// powSum returns Σ w·|x|^p over the non-batch axes, per sample ([B]); w
// may be nil (all ones).
func powSum(x, w *tensor.Tensor, p float64) *tensor.Tensor {
	var v *tensor.Tensor
	if p == 2 {
		v = tensor.Square(x)
	} else {
		v = tensor.PowScalar(tensor.Abs(x), p)
	}
	if w != nil {
		v = tensor.Mul(v, w)
	}
	return tensor.SumAxes(v, nonBatch(x.NDim()), false)
}

func rootP(x *tensor.Tensor, p float64) *tensor.Tensor {
	if p == 2 {
		return tensor.Sqrt(x)
	}
	return tensor.PowScalar(x, 1/p)
}

func lpParams(loss string, p float64, x *tensor.Tensor) float64 {
	if p == 0 {
		p = 2
	}
	if p < 1 || math.IsInf(p, 0) || math.IsNaN(p) {
		panic(fmt.Sprintf("nn.%s: p = %g (want 1 ≤ p < ∞)", loss, p))
	}
	if x.NDim() < 2 {
		panic(fmt.Sprintf("nn.%s: shape %v has no axis besides the batch axis", loss, x.Shape()))
	}
	return p
}

// RelLp is the relative Lp error per sample,
//
//	‖ŷ_b − y_b‖_p / ‖y_b‖_p,
//
// with the norm over all non-batch axes, reduced over the batch: the
// training loss of the FNO papers (P = 2, ReduceSum). Without Grid the
// norm is the plain vector norm (Σ|·|^p)^(1/p); with Grid it is the
// quadrature (∫|·|^p)^(1/p), which matters on non-periodic grids (on
// periodic ones the weights cancel).
type RelLp struct {
	// P is the order of the norm (0 means 2).
	P         float64
	Reduction Reduction
	Grid      *Grid
}

// Loss returns the reduced relative error.
func (l RelLp) Loss(pred, target *tensor.Tensor) *tensor.Tensor {
	checkPair("RelLp", pred, target)
	p := lpParams("RelLp", l.P, pred)
	var w *tensor.Tensor
	if l.Grid != nil {
		w = l.Grid.weights("RelLp", pred.DType(), pred.Shape())
	}
	num := powSum(tensor.Sub(pred, target), w, p)
	den := powSum(target, w, p)
	return l.Reduction.apply(rootP(tensor.Div(num, den), p))
}

// Lp is the absolute Lp error per sample, ‖ŷ_b − y_b‖_p over the non-batch
// axes, reduced over the batch; with Grid the norm is the quadrature
// (∫|ŷ − y|^p)^(1/p), an approximation of the continuous norm that does
// not depend on the resolution.
type Lp struct {
	// P is the order of the norm (0 means 2).
	P         float64
	Reduction Reduction
	Grid      *Grid
}

// Loss returns the reduced error.
func (l Lp) Loss(pred, target *tensor.Tensor) *tensor.Tensor {
	checkPair("Lp", pred, target)
	p := lpParams("Lp", l.P, pred)
	var w *tensor.Tensor
	if l.Grid != nil {
		w = l.Grid.weights("Lp", pred.DType(), pred.Shape())
	}
	return l.Reduction.apply(rootP(powSum(tensor.Sub(pred, target), w, p), p))
}

// WeightedMSE is the mean squared error with quadrature weights: the
// average over the batch (and the non-spatial axes) of
//
//	(1/|Ω|) ∫_Ω (ŷ − y)² dx ≈ (1/|Ω|) Σ_j w_j (ŷ_j − y_j)²,
//
// with the weights of Grid. On a periodic grid it equals MSE; on a
// non-periodic one it weights the boundary samples by the trapezoidal
// rule, so that it converges to the same value under refinement.
type WeightedMSE struct {
	Grid Grid
}

// Loss returns the weighted mean squared error.
func (l WeightedMSE) Loss(pred, target *tensor.Tensor) *tensor.Tensor {
	checkPair("WeightedMSE", pred, target)
	w := l.Grid.weights("WeightedMSE", pred.DType(), pred.Shape())
	axes, lengths := l.Grid.spatial("WeightedMSE", pred.Shape())
	vol := 1.0
	for _, v := range lengths {
		vol *= v
	}
	others := pred.Numel()
	for _, a := range axes {
		others /= pred.Dim(a)
	}
	s := tensor.Sum(tensor.Mul(tensor.Square(tensor.Sub(pred, target)), w))
	return tensor.Scale(s, 1/(vol*float64(others)))
}

// H1 is the Sobolev H¹ error per sample,
//
//	‖e‖²_H¹ = ∫ e² + Σ_a (∂e/∂x_a)² dx,  e = ŷ_b − y_b,
//
// integrated with the quadrature of Grid and with derivatives along every
// spatial axis taken by Method; relative (‖e‖_H¹/‖y_b‖_H¹, the default,
// the MgNO training loss) or absolute, reduced over the batch. Channel
// axes between the batch and the spatial axes are summed.
type H1 struct {
	Grid      Grid
	Method    Deriv
	Absolute  bool
	Reduction Reduction
}

// Validate reports an invalid grid or a spectral method on a non-periodic
// grid.
func (l H1) Validate() error {
	var errs []string
	if err := l.Grid.Validate(); err != nil {
		errs = append(errs, err.Error())
	}
	if l.Method == DerivSpectral && !l.Grid.Periodic {
		errs = append(errs, "spectral derivatives need a periodic grid")
	}
	if l.Method > DerivFD {
		errs = append(errs, fmt.Sprintf("unknown derivative method %v", l.Method))
	}
	if len(errs) > 0 {
		return fmt.Errorf("nn.H1: %s", strings.Join(errs, "; "))
	}
	return nil
}

// Loss returns the reduced H¹ error.
func (l H1) Loss(pred, target *tensor.Tensor) *tensor.Tensor {
	checkPair("H1", pred, target)
	if err := l.Validate(); err != nil {
		panic(err.Error())
	}
	w := l.Grid.weights("H1", pred.DType(), pred.Shape())
	axes, lengths := l.Grid.spatial("H1", pred.Shape())
	sq := func(u *tensor.Tensor) *tensor.Tensor {
		s := powSum(u, w, 2)
		for i, a := range axes {
			s = tensor.Add(s, powSum(derivative(u, a, lengths[i], l.Grid.Periodic, l.Method), w, 2))
		}
		return s
	}
	num := sq(tensor.Sub(pred, target))
	if !l.Absolute {
		num = tensor.Div(num, sq(target))
	}
	return l.Reduction.apply(tensor.Sqrt(num))
}
