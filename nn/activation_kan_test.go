package nn

import (
	"math"
	"slices"
	"testing"

	"github.com/sciml-go/sciml/tensor"
)

// coxDeBoor evaluates B_{j,p}(x) on the knots t by the textbook recursion.
func coxDeBoor(t []float64, j, p int, x float64) float64 {
	if p == 0 {
		if t[j] <= x && x < t[j+1] {
			return 1
		}
		return 0
	}
	return (x-t[j])/(t[j+p]-t[j])*coxDeBoor(t, j, p-1, x) + (t[j+p+1]-x)/(t[j+p+1]-t[j+1])*coxDeBoor(t, j+1, p-1, x)
}

func kanKnots(lo, hi float64, grid, order int) []float64 {
	h := (hi - lo) / float64(grid)
	t := make([]float64, grid+2*order+1)
	for j := range t {
		t[j] = lo + float64(j-order)*h
	}
	return t
}

func TestBSplineBasis(t *testing.T) {
	const lo, hi, grid, order = -1.0, 2.0, 5, 3
	h := (hi - lo) / grid
	knots := kanKnots(lo, hi, grid, order)
	var xv []float64
	for i := range 301 {
		xv = append(xv, -3.5+7*float64(i)/300)
	}
	xv = append(xv, knots...) // on the knots
	x := tensor.FromFloat64s(tensor.Float64, xv, len(xv))
	for p := 0; p <= order; p++ {
		b := bsplineBasis(x, lo, h, grid, order, p)
		m := grid + 2*order - p
		if !slices.Equal(b.Shape(), []int{len(xv), m}) {
			t.Fatalf("order %d: shape %v", p, b.Shape())
		}
		bv := b.Float64s()
		for i, xx := range xv {
			sum := 0.0
			for j := range m {
				want := coxDeBoor(knots, j, p, xx)
				if math.Abs(bv[i*m+j]-want) > 1e-14 {
					t.Fatalf("B_{%d,%d}(%v) = %v, want %v", j, p, xx, bv[i*m+j], want)
				}
				sum += bv[i*m+j]
			}
			// a partition of unity on [lo, hi]
			if xx >= lo && xx < hi && math.Abs(sum-1) > 1e-14 {
				t.Fatalf("order %d: Σ B(%v) = %v", p, xx, sum)
			}
		}
	}
	// Derivatives of the cubic basis to third order.
	xs := tensor.FromFloat64s(tensor.Float64, []float64{-1.93, -0.71, 0.05, 0.37, 1.12, 1.88, 2.55}, 7)
	f := func(in []*tensor.Tensor) *tensor.Tensor { return bsplineBasis(in[0], lo, h, grid, order, order) }
	gradCheck(t, "bspline", f, xs)
	gradGradCheck(t, "bspline", f, xs)
	gradGradCheck(t, "bspline third", func(in []*tensor.Tensor) *tensor.Tensor {
		return tensor.Grad1(bsplineBasis(in[0], lo, h, grid, order, order), in[0], true)
	}, xs)
	// float32
	x32 := tensor.FromFloat64s(tensor.Float32, xv, len(xv))
	closeTo(t, "bspline float32", bsplineBasis(x32, lo, h, grid, order, order).ToFloat64s(), bsplineBasis(x, lo, h, grid, order, order).Float64s(), 1e-6)
}

func TestKANLayer(t *testing.T) {
	l := NewKANLayer(3, 2, 4, 3, WithSeed(1), f64)
	l.Range = [2]float64{-1.5, 1.5}
	if n := CountParams(l); n != 3*2*(1+4+3) {
		t.Fatalf("%d parameters", n)
	}
	if np := NamedParams(l); np[0].Name != "base_weight" || np[1].Name != "spline_weight" {
		t.Fatalf("names %v", np)
	}
	x := tensor.Scale(randT(2, 2, 5, 3), 0.8)
	y := l.Forward(x)
	if !slices.Equal(y.Shape(), []int{2, 5, 2}) {
		t.Fatalf("shape %v", y.Shape())
	}
	knots := kanKnots(-1.5, 1.5, 4, 3)
	xv, wb, ws := x.Float64s(), l.BaseWeight.Float64s(), l.SplineWeight.Float64s()
	var want []float64
	for r := range 10 {
		for o := range 2 {
			s := 0.0
			for i := range 3 {
				xx := xv[r*3+i]
				s += wb[o*3+i] * silu(xx)
				for j := range 7 {
					s += ws[(o*3+i)*7+j] * coxDeBoor(knots, j, 3, xx)
				}
			}
			want = append(want, s)
		}
	}
	closeTo(t, "KAN", y.Float64s(), want, 1e-13)
	xs := tensor.Reshape(tensor.Narrow(tensor.Reshape(x, 10, 3), 0, 0, 3), 3, 3)
	f := func(in []*tensor.Tensor) *tensor.Tensor {
		c := *l
		c.BaseWeight, c.SplineWeight = in[1], in[2]
		return c.Forward(in[0])
	}
	gradCheck(t, "KAN", f, xs, l.BaseWeight, l.SplineWeight)
	gradGradCheck(t, "KAN", f, xs, l.BaseWeight.Clone(), l.SplineWeight.Clone())
	mustPanic(t, "width", func() { l.Forward(randT(1, 4, 2)) })
	mustPanic(t, "no rand", func() { NewKANLayer(2, 2, 5, 3) })
	// the elementwise form: silu at init, then per-channel splines
	a := mustAct(t, "{name: kan, channels: 3, grid: 4, lo: -1.5, hi: 1.5}", f64)
	if CountParams(a) != 3*(1+7) {
		t.Fatalf("kan activation: %d parameters", CountParams(a))
	}
	perturbParams(a)
	ya := a.Forward(tensor.Reshape(x, 10, 3)).Float64s()
	ab, ac := a.(*activation).params[0].t.Float64s(), a.(*activation).params[1].t.Float64s()
	for r := range 10 {
		for c := range 3 {
			xx := xv[r*3+c]
			w := ab[c] * silu(xx)
			for j := range 7 {
				w += ac[c*7+j] * coxDeBoor(knots, j, 3, xx)
			}
			if math.Abs(ya[r*3+c]-w) > 1e-13 {
				t.Fatalf("kan activation [%d,%d] = %v, want %v", r, c, ya[r*3+c], w)
			}
		}
	}
}

func TestFourierAndChebyshevKAN(t *testing.T) {
	fk := NewFourierKAN(3, 2, 4, WithSeed(2), f64)
	if n := CountParams(fk); n != 2*2*3*4+2 {
		t.Fatalf("FourierKAN %d parameters", n)
	}
	fk.Bias.CopyFrom(tensor.FromFloat64s(tensor.Float64, []float64{0.3, -0.2}, 2))
	ck := NewChebyshevKAN(3, 2, 5, WithSeed(3), f64)
	if n := CountParams(ck); n != 2*3*6 {
		t.Fatalf("ChebyshevKAN %d parameters", n)
	}
	x := randT(4, 4, 3)
	xv := x.Float64s()
	yf, yc := fk.Forward(x).Float64s(), ck.Forward(x).Float64s()
	cf, cc := fk.Coeffs.Float64s(), ck.Coeffs.Float64s()
	for r := range 4 {
		for o := range 2 {
			sf, sc := fk.Bias.Float64s()[o], 0.0
			for i := range 3 {
				xx := xv[r*3+i]
				for k := 1; k <= 4; k++ {
					sf += cf[(o*3+i)*4+k-1]*math.Cos(float64(k)*xx) + cf[24+(o*3+i)*4+k-1]*math.Sin(float64(k)*xx)
				}
				for k := 0; k <= 5; k++ {
					sc += cc[(o*3+i)*6+k] * math.Cos(float64(k)*math.Acos(math.Tanh(xx)))
				}
			}
			if math.Abs(yf[r*2+o]-sf) > 1e-13 || math.Abs(yc[r*2+o]-sc) > 1e-13 {
				t.Fatalf("[%d,%d]: Fourier %v want %v; Chebyshev %v want %v", r, o, yf[r*2+o], sf, yc[r*2+o], sc)
			}
		}
	}
	ff := func(in []*tensor.Tensor) *tensor.Tensor {
		c := *fk
		c.Coeffs, c.Bias = in[1], in[2]
		return c.Forward(in[0])
	}
	gradCheck(t, "FourierKAN", ff, x, fk.Coeffs, fk.Bias)
	gradGradCheck(t, "FourierKAN", ff, x, fk.Coeffs.Clone(), fk.Bias.Clone())
	fc := func(in []*tensor.Tensor) *tensor.Tensor {
		c := *ck
		c.Coeffs = in[1]
		return c.Forward(in[0])
	}
	gradCheck(t, "ChebyshevKAN", fc, x, ck.Coeffs)
	gradGradCheck(t, "ChebyshevKAN", fc, x, ck.Coeffs.Clone())
	// 1-D input and no bias
	if y := NewFourierKAN(2, 3, 2, WithSeed(1), WithBias(false)).Forward(tensor.Zeros(tensor.Float32, 2)); !slices.Equal(y.Shape(), []int{3}) {
		t.Fatalf("shape %v", y.Shape())
	}
	mustPanic(t, "width", func() { ck.Forward(randT(1, 2)) })
}
