package nn

import (
	"fmt"
	"math"
	"slices"

	"github.com/sciml-go/sciml/tensor"
)

// maxSplineOrder is the highest B-spline order KAN layers accept.
const maxSplineOrder = 10

// bsplineBasis returns the B-splines of order p ≤ order on the uniform
// knots t_j = lo + (j − order)·h, j = 0…grid + 2·order (the grid [lo,
// lo + grid·h] extended by order knots on each side), as a new trailing
// axis of grid + 2·order − p entries:
//
//	B_{j,0}(x) = [t_j ≤ x < t_{j+1}]
//	B_{j,q}(x) = (x − t_j)/(q·h)·B_{j,q−1}(x) + (t_{j+q+1} − x)/(q·h)·B_{j+1,q−1}(x)
//
// (Cox–de Boor), evaluated in one fused pass over the k + 1 splines that
// are nonzero at each x. Its backward rule uses the derivative identity
// for uniform knots, B′_{j,p} = (B_{j,p−1} − B_{j+1,p−1})/h, with the
// order p − 1 basis from this same operation, so derivatives of every
// order are exact (those of order > p vanish: B_{·,0} is a constant).
func bsplineBasis(x *tensor.Tensor, lo, h float64, grid, order, p int) *tensor.Tensor {
	if x.DType().IsComplex() {
		panic(fmt.Sprintf("nn: B-spline basis of a complex tensor %v%v", x.DType(), x.Shape()))
	}
	m := grid + 2*order - p
	nk := grid + 2*order + 1
	shape := append(slices.Clone(x.Shape()), m)
	out := tensor.Empty(x.DType(), shape, x)
	switch x.DType() {
	case tensor.Float32:
		basisInto(out.Float32s(), x.Float32s(), lo, h, order, nk, m, p)
	default:
		basisInto(out.Float64s(), x.Float64s(), lo, h, order, nk, m, p)
	}
	if p == 0 {
		return out
	}
	nd := x.NDim()
	return tensor.Record(out, fmt.Sprintf("BSpline%d", p), func(g *tensor.Tensor, in []*tensor.Tensor, _ *tensor.Tensor, _ []bool) []*tensor.Tensor {
		prev := bsplineBasis(in[0], lo, h, grid, order, p-1)
		d := tensor.Scale(tensor.Sub(tensor.Narrow(prev, nd, 0, m), tensor.Narrow(prev, nd, 1, m)), 1/h)
		return []*tensor.Tensor{tensor.SumAxes(tensor.Mul(g, d), []int{nd}, false)}
	}, x)
}

func basisInto[T tensor.Float](dst, xs []T, lo, h float64, order, nk, m, p int) {
	clear(dst)
	knot := func(j int) float64 { return lo + float64(j-order)*h }
	for i, xv := range xs {
		row := dst[i*m : (i+1)*m]
		x := float64(xv)
		if !(x >= knot(0)) || x >= knot(nk-1) {
			continue
		}
		// the interval t_j0 ≤ x < t_j0+1, consistent with the knots' rounding
		j0 := min(int((x-knot(0))/h), nk-2)
		if x < knot(j0) {
			j0--
		} else if x >= knot(j0+1) {
			j0++
		}
		var arr, nw [maxSplineOrder + 1]float64
		arr[0] = 1
		for q := 0; q < p; q++ {
			inv := 1 / (float64(q+1) * h)
			for r := 0; r <= q+1; r++ {
				// basis j = j0−q−1+r of order q+1 from bases j, j+1 of
				// order q (entries r−1 and r of arr)
				j := j0 - q - 1 + r
				v := 0.0
				if r >= 1 {
					v += (x - knot(j)) * inv * arr[r-1]
				}
				if r <= q {
					v += (knot(j+q+2) - x) * inv * arr[r]
				}
				nw[r] = v
			}
			arr = nw
		}
		for r := 0; r <= p; r++ {
			if j := j0 - p + r; j >= 0 && j < m {
				row[j] = T(arr[r])
			}
		}
	}
}

// fourierArg returns k·x for k = 1…n as a new trailing axis.
func fourierArg(x *tensor.Tensor, n int) *tensor.Tensor {
	ks := make([]float64, n)
	for i := range ks {
		ks[i] = float64(i + 1)
	}
	return tensor.Mul(tensor.Unsqueeze(x, -1), tensor.FromFloat64s(x.DType(), ks, n))
}

// chebyshevBasis returns T_0(u)…T_d(u) as a new trailing axis, by the
// recurrence T_0 = 1, T_1 = u, T_{k+1} = 2u·T_k − T_{k−1}.
func chebyshevBasis(u *tensor.Tensor, d int) *tensor.Tensor {
	ts := []*tensor.Tensor{tensor.Full(u.DType(), 1, u.Shape()...), u}
	for k := 2; k <= d; k++ {
		ts = append(ts, tensor.Sub(tensor.Scale(tensor.Mul(u, ts[k-1]), 2), ts[k-2]))
	}
	return tensor.Stack(-1, ts[:d+1]...)
}

// features applies f, a map from [N, in] to [N, out], to x of shape
// [..., in], giving [..., out].
func features(layer string, x, w *tensor.Tensor, in, out int, f func(x2 *tensor.Tensor) *tensor.Tensor) *tensor.Tensor {
	checkInput(layer, x, w)
	if x.NDim() == 0 || x.Dim(-1) != in {
		panic(fmt.Sprintf("nn.%s: input shape %v, want [..., %d]", layer, x.Shape(), in))
	}
	lead := slices.Clone(x.Shape()[:x.NDim()-1])
	y := f(tensor.Reshape(x, -1, in))
	return tensor.Reshape(y, append(lead, out)...)
}

// randNormal fills t with N(0, std²) draws from the option's source.
func randNormal(t *tensor.Tensor, o *options, layer string, std float64) {
	t.CopyFrom(tensor.Scale(tensor.RandN(o.random(layer), t.DType(), t.Shape()...), std))
}

// KANLayer is a Kolmogorov–Arnold network layer (Liu et al. 2024, "KAN:
// Kolmogorov–Arnold Networks"): every input–output pair has its own
// learnable function, a SiLU base plus a B-spline,
//
//	y_o = Σ_i w_b[o,i]·silu(x_i) + Σ_i Σ_j c[o,i,j]·B_j(x_i),
//
// with Grid + Order B-splines of order Order on a uniform grid of Grid
// intervals over Range, extended by Order knots on each side (pykan's
// layout). Outside the extended grid only the SiLU part remains. The grid
// is fixed (no grid updates). Its derivatives with respect to x are exact
// to every order (the splines are piecewise polynomials).
type KANLayer struct {
	In, Out, Grid, Order int
	// Range is the interval the grid covers, [−1, 1] by default; it may be
	// changed before the first forward pass.
	Range [2]float64
	// BaseWeight [Out, In] scales the SiLU part.
	BaseWeight *tensor.Tensor
	// SplineWeight [Out, In, Grid+Order] holds the spline coefficients.
	SplineWeight *tensor.Tensor
}

// NewKANLayer returns a KAN layer from in to out features with grid
// intervals and splines of the given order (the paper's defaults are grid
// 5, order 3). The base weight is initialised as PyTorch's Linear weight
// (WithWeightInit replaces it), the spline coefficients from
// N(0, (0.1/√in)²) (small noise, as pykan's). It needs WithSeed or
// WithRand; WithDType applies.
func NewKANLayer(in, out, grid, order int, opts ...Option) *KANLayer {
	if in <= 0 || out <= 0 || grid < 1 || order < 0 || order > maxSplineOrder {
		panic(fmt.Sprintf("nn.NewKANLayer: %d → %d features, grid %d, order %d", in, out, grid, order))
	}
	o := newOptions(opts)
	r := o.random("NewKANLayer")
	l := &KANLayer{In: in, Out: out, Grid: grid, Order: order, Range: [2]float64{-1, 1},
		BaseWeight: o.param(out, in), SplineWeight: o.param(out, in, grid+order)}
	initWith(o.weightInit, TorchDefault())(l.BaseWeight, r)
	randNormal(l.SplineWeight, o, "NewKANLayer", 0.1/math.Sqrt(float64(in)))
	return l
}

// Forward maps x of shape [..., In] to [..., Out].
func (l *KANLayer) Forward(x *tensor.Tensor) *tensor.Tensor {
	if !(l.Range[1] > l.Range[0]) {
		panic(fmt.Sprintf("nn.KANLayer: range %v", l.Range))
	}
	nb := l.Grid + l.Order
	h := (l.Range[1] - l.Range[0]) / float64(l.Grid)
	return features("KANLayer", x, l.BaseWeight, l.In, l.Out, func(x2 *tensor.Tensor) *tensor.Tensor {
		base := tensor.MatMulT(siluFn.of(x2), l.BaseWeight, false, true)
		b := tensor.Reshape(bsplineBasis(x2, l.Range[0], h, l.Grid, l.Order, l.Order), -1, l.In*nb)
		spline := tensor.MatMulT(b, tensor.Reshape(l.SplineWeight, l.Out, l.In*nb), false, true)
		return tensor.Add(base, spline)
	})
}

// Visit declares base_weight and spline_weight.
func (l *KANLayer) Visit(v *Visitor) {
	v.Param("base_weight", l.BaseWeight)
	v.Param("spline_weight", l.SplineWeight)
}

// FourierKAN is the Fourier KAN layer of FKAN (Mehrabian et al. 2024,
// "Implicit Neural Representations with Fourier Kolmogorov–Arnold
// Networks"): every input–output pair has a learnable truncated Fourier
// series,
//
//	y_o = Σ_i Σ_{k=1..K} a[o,i,k]·cos(k·x_i) + b[o,i,k]·sin(k·x_i) + bias_o.
type FourierKAN struct {
	In, Out, Terms int
	// Coeffs [2, Out, In, Terms] holds the cosine (a) then the sine (b)
	// coefficients.
	Coeffs *tensor.Tensor
	// Bias [Out]; nil without bias.
	Bias *tensor.Tensor
}

// NewFourierKAN returns a Fourier KAN layer from in to out features with
// frequencies 1…k. The coefficients are drawn from N(0, 1/(in·k)) (as the
// FourierKAN reference code), the bias is zero. It needs WithSeed or
// WithRand; WithDType and WithBias apply.
func NewFourierKAN(in, out, k int, opts ...Option) *FourierKAN {
	if in <= 0 || out <= 0 || k < 1 {
		panic(fmt.Sprintf("nn.NewFourierKAN: %d → %d features, %d terms", in, out, k))
	}
	o := newOptions(opts)
	l := &FourierKAN{In: in, Out: out, Terms: k, Coeffs: o.param(2, out, in, k)}
	randNormal(l.Coeffs, o, "NewFourierKAN", 1/math.Sqrt(float64(in*k)))
	if o.bias {
		l.Bias = o.param(out)
	}
	return l
}

// Forward maps x of shape [..., In] to [..., Out].
func (l *FourierKAN) Forward(x *tensor.Tensor) *tensor.Tensor {
	n := l.In * l.Terms
	return features("FourierKAN", x, l.Coeffs, l.In, l.Out, func(x2 *tensor.Tensor) *tensor.Tensor {
		arg := fourierArg(x2, l.Terms)
		c := tensor.Reshape(tensor.Cos(arg), -1, n)
		s := tensor.Reshape(tensor.Sin(arg), -1, n)
		a := tensor.Reshape(tensor.Narrow(l.Coeffs, 0, 0, 1), l.Out, n)
		b := tensor.Reshape(tensor.Narrow(l.Coeffs, 0, 1, 1), l.Out, n)
		y := tensor.Add(tensor.MatMulT(c, a, false, true), tensor.MatMulT(s, b, false, true))
		if l.Bias != nil {
			y = tensor.Add(y, l.Bias)
		}
		return y
	})
}

// Visit declares coeffs and bias.
func (l *FourierKAN) Visit(v *Visitor) {
	v.Param("coeffs", l.Coeffs)
	v.Param("bias", l.Bias)
}

// ChebyshevKAN is a Chebyshev KAN layer, the learnable first layer of
// SL2A-INR (Heidari et al. 2025): every input–output pair has a learnable
// Chebyshev series of the squashed input,
//
//	y_o = Σ_i Σ_{k=0..D} c[o,i,k]·T_k(tanh x_i),
//
// with T_k by the three-term recurrence. (No bias: the k = 0 terms are
// one.)
type ChebyshevKAN struct {
	In, Out, Degree int
	// Coeffs [Out, In, Degree+1] holds the coefficients.
	Coeffs *tensor.Tensor
}

// NewChebyshevKAN returns a Chebyshev KAN layer from in to out features
// with polynomials of degree ≤ degree. The coefficients are drawn from
// N(0, 1/(in·(degree+1))) (as the ChebyKAN reference code). It needs
// WithSeed or WithRand; WithDType applies.
func NewChebyshevKAN(in, out, degree int, opts ...Option) *ChebyshevKAN {
	if in <= 0 || out <= 0 || degree < 1 {
		panic(fmt.Sprintf("nn.NewChebyshevKAN: %d → %d features, degree %d", in, out, degree))
	}
	o := newOptions(opts)
	l := &ChebyshevKAN{In: in, Out: out, Degree: degree, Coeffs: o.param(out, in, degree+1)}
	randNormal(l.Coeffs, o, "NewChebyshevKAN", 1/math.Sqrt(float64(in*(degree+1))))
	return l
}

// Forward maps x of shape [..., In] to [..., Out].
func (l *ChebyshevKAN) Forward(x *tensor.Tensor) *tensor.Tensor {
	n := l.In * (l.Degree + 1)
	return features("ChebyshevKAN", x, l.Coeffs, l.In, l.Out, func(x2 *tensor.Tensor) *tensor.Tensor {
		t := tensor.Reshape(chebyshevBasis(tensor.Tanh(x2), l.Degree), -1, n)
		return tensor.MatMulT(t, tensor.Reshape(l.Coeffs, l.Out, n), false, true)
	})
}

// Visit declares coeffs.
func (l *ChebyshevKAN) Visit(v *Visitor) { v.Param("coeffs", l.Coeffs) }
