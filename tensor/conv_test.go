package tensor

import (
	"fmt"
	"math"
	"strings"
	"testing"
)

// refConv2d is the direct nested-loop definition of Conv2d in float64.
func refConv2d(x, w, b []float64, bs, ci, h, wd, co, kh, kw, s, p int, periodic bool) ([]float64, int, int) {
	ho := (h+2*p-kh)/s + 1
	wo := (wd+2*p-kw)/s + 1
	y := make([]float64, bs*co*ho*wo)
	for n := range bs {
		for o := range co {
			for i := range ho {
				for j := range wo {
					sum := 0.0
					if b != nil {
						sum = b[o]
					}
					for c := range ci {
						for m := range kh {
							for q := range kw {
								r, t := i*s+m-p, j*s+q-p
								if periodic {
									r, t = ((r%h)+h)%h, ((t%wd)+wd)%wd
								} else if r < 0 || r >= h || t < 0 || t >= wd {
									continue
								}
								sum += w[((o*ci+c)*kh+m)*kw+q] * x[((n*ci+c)*h+r)*wd+t]
							}
						}
					}
					y[((n*co+o)*ho+i)*wo+j] = sum
				}
			}
		}
	}
	return y, ho, wo
}

// refConvTranspose2d is the direct scatter definition of ConvTranspose2d
// (w [ci, co, kh, kw]) in float64.
func refConvTranspose2d(x, w, b []float64, bs, ci, h, wd, co, kh, kw, s, p int) ([]float64, int, int) {
	ho := (h-1)*s - 2*p + kh
	wo := (wd-1)*s - 2*p + kw
	y := make([]float64, bs*co*ho*wo)
	for n := range bs {
		for o := range co {
			for i := range ho * wo {
				if b != nil {
					y[(n*co+o)*ho*wo+i] = b[o]
				}
			}
		}
		for c := range ci {
			for i := range h {
				for j := range wd {
					v := x[((n*ci+c)*h+i)*wd+j]
					for o := range co {
						for m := range kh {
							for q := range kw {
								r, t := i*s+m-p, j*s+q-p
								if r < 0 || r >= ho || t < 0 || t >= wo {
									continue
								}
								y[((n*co+o)*ho+r)*wo+t] += w[((c*co+o)*kh+m)*kw+q] * v
							}
						}
					}
				}
			}
		}
	}
	return y, ho, wo
}

type convCase struct {
	bs, ci, co, h, w, kh, kw, s, p int
	mode                           PadMode
}

func (c convCase) String() string {
	return fmt.Sprintf("B%d_%dto%d_%dx%d_k%dx%d_s%d_p%d_%v", c.bs, c.ci, c.co, c.h, c.w, c.kh, c.kw, c.s, c.p, c.mode)
}

var convCases = []convCase{
	{2, 3, 4, 7, 9, 3, 3, 1, 1, PadZero},
	{2, 3, 4, 7, 9, 3, 3, 1, 1, PadPeriodic},
	{1, 2, 3, 8, 8, 3, 3, 2, 1, PadZero},     // MgNO restriction
	{1, 2, 3, 8, 8, 3, 3, 2, 1, PadPeriodic}, // periodic restriction
	{3, 2, 2, 9, 7, 3, 2, 2, 0, PadZero},
	{2, 3, 2, 6, 5, 2, 3, 1, 2, PadZero},
	{2, 2, 3, 5, 6, 3, 3, 1, 0, PadPeriodic}, // periodic, output smaller than the grid
	{1, 2, 2, 5, 5, 5, 5, 1, 2, PadPeriodic},
	{1, 2, 2, 4, 5, 3, 3, 1, 4, PadPeriodic}, // padding beyond one period
	{2, 3, 2, 11, 10, 3, 3, 3, 2, PadZero},
	{2, 3, 2, 11, 10, 4, 3, 3, 1, PadPeriodic},
	{2, 4, 5, 6, 7, 1, 1, 1, 0, PadZero}, // pointwise: no im2col
	{1, 3, 2, 6, 7, 1, 1, 2, 1, PadPeriodic},
	{1, 3, 4, 40, 37, 3, 3, 1, 1, PadZero},     // several blocks per sample
	{3, 5, 2, 30, 33, 3, 3, 2, 1, PadPeriodic}, // odd width: strided reads
	{2, 3, 4, 31, 32, 3, 3, 2, 1, PadPeriodic}, // even width: phase planes
	{1, 2, 3, 9, 9, 4, 4, 3, 2, PadPeriodic},
	{2, 3, 2, 12, 13, 5, 4, 2, 3, PadZero},
}

// bothConvPaths runs f with every stride-1 convolution on the im2col path,
// then on the wide path (conv_wide.go), whatever their sizes.
func bothConvPaths(t *testing.T, f func(t *testing.T)) {
	defer func(v int) { wideMin = v }(wideMin)
	g := newConvGeom("test", 1, 1, 5, 5, 1, 1, 3, 3, 1, 1, 1, 1, PadZero)
	for _, c := range []struct {
		name string
		min  int
	}{{"im2col", 1 << 30}, {"wide", 0}} {
		wideMin = c.min
		if g.wide() != (c.min == 0) {
			t.Fatalf("%s: wide() = %v with wideMin %d", c.name, g.wide(), c.min)
		}
		t.Run(c.name, f)
	}
}

func relDiff(got, want []float64) float64 {
	var d, n float64
	for i := range want {
		d = math.Max(d, math.Abs(got[i]-want[i]))
		n = math.Max(n, math.Abs(want[i]))
	}
	return d / math.Max(n, 1e-300)
}

func TestConv2dValues(t *testing.T) { bothConvPaths(t, testConv2dValues) }

func testConv2dValues(t *testing.T) {
	for i, c := range convCases {
		for _, dt := range []DType{Float64, Float32} {
			x := RandN(rng(uint64(100+i)), dt, c.bs, c.ci, c.h, c.w)
			w := RandN(rng(uint64(200+i)), dt, c.co, c.ci, c.kh, c.kw)
			b := RandN(rng(uint64(300+i)), dt, c.co)
			for _, bias := range []*Tensor{nil, b} {
				var bv []float64
				if bias != nil {
					bv = bias.ToFloat64s()
				}
				want, ho, wo := refConv2d(x.ToFloat64s(), w.ToFloat64s(), bv, c.bs, c.ci, c.h, c.w, c.co, c.kh, c.kw, c.s, c.p, c.mode == PadPeriodic)
				y := Conv2d(x, w, bias, ConvOptions{Stride: c.s, Padding: c.p, Mode: c.mode})
				if !sameShape(y.Shape(), []int{c.bs, c.co, ho, wo}) {
					t.Fatalf("%v: shape %v, want %v", c, y.Shape(), []int{c.bs, c.co, ho, wo})
				}
				if ho != ConvOutSize(c.h, c.kh, c.s, c.p) || wo != ConvOutSize(c.w, c.kw, c.s, c.p) {
					t.Fatalf("%v: ConvOutSize disagrees with %dx%d", c, ho, wo)
				}
				tol := 1e-13
				if dt == Float32 {
					tol = 1e-5
				}
				if e := relDiff(y.ToFloat64s(), want); e > tol {
					t.Errorf("%v %v bias=%v: relative error %.3g", c, dt, bias != nil, e)
				}
			}
		}
	}
}

func TestConv1dValues(t *testing.T) { bothConvPaths(t, testConv1dValues) }

func testConv1dValues(t *testing.T) {
	cases := []struct{ bs, ci, co, l, k, s, p int }{
		{2, 3, 4, 11, 3, 1, 1}, {1, 2, 3, 16, 3, 2, 1}, {3, 2, 2, 9, 4, 3, 2}, {2, 3, 2, 7, 1, 1, 0},
		{1, 2, 3, 5, 5, 1, 2}, {2, 4, 3, 300, 5, 1, 2}, {1, 2, 2, 6, 3, 1, 0}, {2, 3, 2, 11, 3, 2, 1},
	}
	for i, c := range cases {
		for _, mode := range []PadMode{PadZero, PadPeriodic} {
			x := randT(uint64(400+i), c.bs, c.ci, c.l)
			w := randT(uint64(500+i), c.co, c.ci, c.k)
			b := randT(uint64(600+i), c.co)
			want, lo := refConv1d(x.Float64s(), w.Float64s(), b.Float64s(), c.bs, c.ci, c.l, c.co, c.k, c.s, c.p, mode == PadPeriodic)
			y := Conv1d(x, w, b, ConvOptions{Stride: c.s, Padding: c.p, Mode: mode})
			if !sameShape(y.Shape(), []int{c.bs, c.co, lo}) || lo != ConvOutSize(c.l, c.k, c.s, c.p) {
				t.Fatalf("%+v %v: shape %v, want [%d %d %d]", c, mode, y.Shape(), c.bs, c.co, lo)
			}
			if e := relDiff(y.Float64s(), want); e > 1e-13 {
				t.Errorf("%+v %v: relative error %.3g", c, mode, e)
			}
		}
	}
}

// refConv1d is the direct definition of Conv1d in float64.
func refConv1d(x, w, b []float64, bs, ci, l, co, k, s, p int, periodic bool) ([]float64, int) {
	lo := (l+2*p-k)/s + 1
	y := make([]float64, bs*co*lo)
	for n := range bs {
		for o := range co {
			for i := range lo {
				sum := b[o]
				for c := range ci {
					for q := range k {
						r := i*s + q - p
						if periodic {
							r = ((r % l) + l) % l
						} else if r < 0 || r >= l {
							continue
						}
						sum += w[(o*ci+c)*k+q] * x[(n*ci+c)*l+r]
					}
				}
				y[(n*co+o)*lo+i] = sum
			}
		}
	}
	return y, lo
}

var convTCases = []struct{ bs, ci, co, h, w, k, s, p int }{
	{2, 3, 2, 4, 5, 4, 2, 1}, // MgNO prolongation: doubles the grid
	{1, 2, 3, 8, 8, 4, 2, 1},
	{2, 2, 3, 5, 4, 3, 2, 1},
	{2, 3, 2, 5, 6, 3, 1, 1}, // stride 1: flipped convolution
	{1, 2, 2, 4, 3, 3, 1, 0},
	{2, 2, 3, 3, 4, 2, 2, 0},
	{1, 3, 2, 4, 5, 5, 3, 2},
	{1, 2, 2, 6, 5, 3, 1, 2},
	{2, 3, 4, 20, 17, 4, 2, 1},
}

func TestConvTransposeValues(t *testing.T) {
	for i, c := range convTCases {
		for _, dt := range []DType{Float64, Float32} {
			x := RandN(rng(uint64(700+i)), dt, c.bs, c.ci, c.h, c.w)
			w := RandN(rng(uint64(800+i)), dt, c.ci, c.co, c.k, c.k)
			b := RandN(rng(uint64(900+i)), dt, c.co)
			want, ho, wo := refConvTranspose2d(x.ToFloat64s(), w.ToFloat64s(), b.ToFloat64s(), c.bs, c.ci, c.h, c.w, c.co, c.k, c.k, c.s, c.p)
			y := ConvTranspose2d(x, w, b, c.s, c.p)
			if !sameShape(y.Shape(), []int{c.bs, c.co, ho, wo}) || ho != ConvTransposeOutSize(c.h, c.k, c.s, c.p) {
				t.Fatalf("%+v: shape %v, want [%d %d %d %d]", c, y.Shape(), c.bs, c.co, ho, wo)
			}
			tol := 1e-13
			if dt == Float32 {
				tol = 1e-5
			}
			if e := relDiff(y.ToFloat64s(), want); e > tol {
				t.Errorf("%+v %v: relative error %.3g", c, dt, e)
			}
			// 1-D: the same on a grid of height 1 with a 1×k kernel.
			x1 := RandN(rng(uint64(750+i)), dt, c.bs, c.ci, c.w)
			w1 := RandN(rng(uint64(850+i)), dt, c.ci, c.co, c.k)
			want1, _, lo := refConvTranspose2d(x1.ToFloat64s(), w1.ToFloat64s(), b.ToFloat64s(), c.bs, c.ci, 1, c.w, c.co, 1, c.k, c.s, 0)
			want1 = cropRows(want1, c.bs*c.co, (c.w-1)*c.s+c.k, c.p, lo-c.p) // padding along L only
			y1 := ConvTranspose1d(x1, w1, b, c.s, c.p)
			if lo1 := ConvTransposeOutSize(c.w, c.k, c.s, c.p); !sameShape(y1.Shape(), []int{c.bs, c.co, lo1}) {
				t.Fatalf("%+v: 1-D shape %v, want length %d", c, y1.Shape(), lo1)
			}
			if e := relDiff(y1.ToFloat64s(), want1); e > tol {
				t.Errorf("%+v %v 1-D: relative error %.3g", c, dt, e)
			}
		}
	}
	// The MgNO prolongation doubles the grid.
	y := ConvTranspose2d(randT(1, 1, 2, 16, 16), randT(2, 2, 3, 4, 4), nil, 2, 1)
	if !sameShape(y.Shape(), []int{1, 3, 32, 32}) {
		t.Fatalf("4×4 stride-2 transposed convolution of 16×16 gives %v", y.Shape())
	}
}

// cropRows keeps columns [lo, hi) of each of rows rows of length n.
func cropRows(x []float64, rows, n, lo, hi int) []float64 {
	out := make([]float64, 0, rows*(hi-lo))
	for r := range rows {
		out = append(out, x[r*n+lo:r*n+hi]...)
	}
	return out
}

func dot(a, b *Tensor) float64 {
	s := 0.0
	av, bv := a.ToFloat64s(), b.ToFloat64s()
	for i := range av {
		s += av[i] * bv[i]
	}
	return s
}

// The three kernels are adjoint to each other: ⟨conv(x, w), g⟩ =
// ⟨x, convᵀ(g, w)⟩ = ⟨w, dw(x, g)⟩, for either path of the transpose.
func TestConvAdjoints(t *testing.T) { bothConvPaths(t, testConvAdjoints) }

func testConvAdjoints(t *testing.T) {
	for i, c := range convCases {
		x := randT(uint64(1000+i), c.bs, c.ci, c.h, c.w)
		w := randT(uint64(1100+i), c.co, c.ci, c.kh, c.kw)
		geo := newConvGeom("test", c.bs, c.ci, c.h, c.w, c.co, c.ci, c.kh, c.kw, c.s, c.s, c.p, c.p, c.mode)
		g := randT(uint64(1200+i), geo.yShape()...)
		y := convOp(x, w, nil, geo)
		lhs := dot(y, g)
		if r := dot(x, convTransposeOp(g, w, geo)); math.Abs(r-lhs) > 1e-11*math.Abs(lhs)+1e-11 {
			t.Errorf("%v: <conv x, g> = %v, <x, convT g> = %v", c, lhs, r)
		}
		if r := dot(x, convInputGrad(g, w, geo)); math.Abs(r-lhs) > 1e-11*math.Abs(lhs)+1e-11 {
			t.Errorf("%v: <conv x, g> = %v, <x, input gradient> = %v", c, lhs, r)
		}
		if r := dot(w, convWeightOp(x, g, geo)); math.Abs(r-lhs) > 1e-11*math.Abs(lhs)+1e-11 {
			t.Errorf("%v: <conv x, g> = %v, <w, weight gradient> = %v", c, lhs, r)
		}
	}
}

func TestConvGradients(t *testing.T) { bothConvPaths(t, testConvGradients) }

func testConvGradients(t *testing.T) {
	small := []convCase{
		{2, 2, 3, 5, 6, 3, 3, 1, 1, PadZero},
		{2, 2, 3, 5, 6, 3, 3, 1, 1, PadPeriodic},
		{1, 2, 2, 7, 6, 3, 3, 2, 1, PadZero},
		{1, 2, 2, 7, 6, 3, 2, 2, 1, PadPeriodic},
		{2, 2, 2, 5, 4, 3, 3, 1, 0, PadPeriodic},
		{1, 3, 2, 4, 5, 1, 1, 1, 0, PadZero},
		{1, 2, 2, 6, 5, 2, 2, 1, 2, PadZero},
	}
	for i, c := range small {
		x := randT(uint64(1300+i), c.bs, c.ci, c.h, c.w)
		w := randT(uint64(1400+i), c.co, c.ci, c.kh, c.kw)
		b := randT(uint64(1500+i), c.co)
		opt := ConvOptions{Stride: c.s, Padding: c.p, Mode: c.mode}
		check(t, "Conv2d "+c.String(), func(xs []*Tensor) *Tensor { return Conv2d(xs[0], xs[1], xs[2], opt) }, x, w, b)
	}
	for i, mode := range []PadMode{PadZero, PadPeriodic} {
		for _, s := range []int{1, 2} {
			x := randT(uint64(1600+i), 2, 2, 9)
			w := randT(uint64(1700+i), 3, 2, 3)
			b := randT(uint64(1800+i), 3)
			opt := ConvOptions{Stride: s, Padding: 1, Mode: mode}
			check(t, fmt.Sprintf("Conv1d %v s%d", mode, s), func(xs []*Tensor) *Tensor { return Conv1d(xs[0], xs[1], xs[2], opt) }, x, w, b)
		}
	}
	for i, c := range []struct{ h, w, k, s, p int }{{3, 4, 4, 2, 1}, {4, 3, 3, 2, 1}, {3, 3, 3, 1, 1}, {3, 2, 2, 3, 0}} {
		x := randT(uint64(1900+i), 2, 2, c.h, c.w)
		w := randT(uint64(2000+i), 2, 3, c.k, c.k)
		b := randT(uint64(2100+i), 3)
		check(t, fmt.Sprintf("ConvTranspose2d %+v", c), func(xs []*Tensor) *Tensor { return ConvTranspose2d(xs[0], xs[1], xs[2], c.s, c.p) }, x, w, b)
		x1 := randT(uint64(2200+i), 2, 2, c.w)
		w1 := randT(uint64(2300+i), 2, 3, c.k)
		check(t, fmt.Sprintf("ConvTranspose1d %+v", c), func(xs []*Tensor) *Tensor { return ConvTranspose1d(xs[0], xs[1], xs[2], c.s, c.p) }, x1, w1, b)
	}
}

// Second derivatives go through all three kernels and both paths of the
// transpose (flipped convolution for stride 1, col2im otherwise).
func TestConvSecondDerivatives(t *testing.T) { bothConvPaths(t, testConvSecondDerivatives) }

func testConvSecondDerivatives(t *testing.T) {
	opt2 := CheckOptions{Atol: 1e-4, Rtol: 1e-3}
	cases := []convCase{
		{1, 2, 2, 5, 4, 3, 3, 1, 1, PadZero},
		{1, 2, 2, 4, 5, 3, 3, 1, 1, PadPeriodic},
		{1, 2, 2, 6, 5, 3, 3, 2, 1, PadZero},
		{1, 2, 2, 5, 4, 3, 3, 1, 0, PadPeriodic},
	}
	for i, c := range cases {
		x := randT(uint64(2400+i), c.bs, c.ci, c.h, c.w)
		w := randT(uint64(2500+i), c.co, c.ci, c.kh, c.kw)
		b := randT(uint64(2600+i), c.co)
		opt := ConvOptions{Stride: c.s, Padding: c.p, Mode: c.mode}
		// Tanh makes the second derivative in (x, w, b) non-trivial.
		f := func(xs []*Tensor) *Tensor { return Tanh(Conv2d(xs[0], xs[1], xs[2], opt)) }
		if err := GradGradCheck(f, []*Tensor{x, w, b}, opt2); err != nil {
			t.Errorf("Conv2d %v (second order): %v", c, err)
		}
	}
	x := randT(2700, 1, 2, 3, 3)
	w := randT(2701, 2, 2, 4, 4)
	b := randT(2702, 2)
	f := func(xs []*Tensor) *Tensor { return Tanh(ConvTranspose2d(xs[0], xs[1], xs[2], 2, 1)) }
	if err := GradGradCheck(f, []*Tensor{x, w, b}, opt2); err != nil {
		t.Errorf("ConvTranspose2d (second order): %v", err)
	}
	// Third order: the gradient of a gradient of a gradient.
	xx := randT(2703, 1, 1, 4, 4).SetRequiresGrad(true)
	ww := randT(2704, 1, 1, 3, 3)
	u := Conv2d(Square(xx), ww, nil, ConvOptions{Padding: 1, Mode: PadPeriodic})
	g1 := Grad1(Sum(Square(u)), xx, true)
	g2 := Grad1(Sum(g1), xx, true)
	g3 := Grad1(Sum(g2), xx, false)
	if g3.Numel() != 16 || math.IsNaN(Sum(g3).Item()) {
		t.Fatalf("third derivative %v", g3)
	}
}

func TestChannelMix(t *testing.T) {
	for i, spatial := range [][]int{{}, {7}, {4, 5}, {3, 2, 4}} {
		bs, ci, co := 3, 4, 5
		shape := append([]int{bs, ci}, spatial...)
		x := randT(uint64(2800+i), shape...)
		w := randT(uint64(2900+i), co, ci)
		b := randT(uint64(3000+i), co)
		y := ChannelMix(x, w, b)
		s := numel(spatial)
		want := append([]int{bs, co}, spatial...)
		if !sameShape(y.Shape(), want) {
			t.Fatalf("ChannelMix shape %v, want %v", y.Shape(), want)
		}
		xv, wv, bv, yv := x.Float64s(), w.Float64s(), b.Float64s(), y.Float64s()
		for n := range bs {
			for o := range co {
				for p := range s {
					r := bv[o]
					for c := range ci {
						r += wv[o*ci+c] * xv[(n*ci+c)*s+p]
					}
					if got := yv[(n*co+o)*s+p]; math.Abs(got-r) > 1e-13*(1+math.Abs(r)) {
						t.Fatalf("spatial %v: y[%d,%d,%d] = %v, want %v", spatial, n, o, p, got, r)
					}
				}
			}
		}
		// A 1×1 convolution is the same map.
		if len(spatial) == 2 {
			c := Conv2d(x, Reshape(w, co, ci, 1, 1), b, ConvOptions{})
			if e := relDiff(c.Float64s(), yv); e > 1e-14 {
				t.Errorf("1×1 Conv2d differs from ChannelMix by %.3g", e)
			}
		}
	}
	for i, spatial := range [][]int{{}, {3}, {2, 3}, {2, 1, 2}} {
		x := randT(uint64(3050+i), append([]int{2, 3}, spatial...)...)
		w, b := randT(uint64(3060+i), 2, 3), randT(uint64(3070+i), 2)
		checkBoth(t, fmt.Sprintf("ChannelMix %v", spatial), func(xs []*Tensor) *Tensor { return Tanh(ChannelMix(xs[0], xs[1], xs[2])) }, x, w, b)
		check(t, "ChannelMix no bias", func(xs []*Tensor) *Tensor { return ChannelMix(xs[0], xs[1], nil) }, x, w)
	}
}

func TestChannelMixAdd(t *testing.T) {
	for i, spatial := range [][]int{{}, {7}, {4, 5}, {3, 2, 4}} {
		bs, ci, co := 3, 4, 5
		x := randT(uint64(3100+i), append([]int{bs, ci}, spatial...)...)
		w := randT(uint64(3110+i), co, ci)
		b := randT(uint64(3120+i), co)
		r := randT(uint64(3130+i), append([]int{bs, co}, spatial...)...)
		for _, bias := range []*Tensor{b, nil} {
			y := ChannelMixAdd(x, w, bias, r)
			want := Add(r, ChannelMix(x, w, bias))
			if !sameShape(y.Shape(), want.Shape()) {
				t.Fatalf("ChannelMixAdd shape %v, want %v", y.Shape(), want.Shape())
			}
			if e := relDiff(y.Float64s(), want.Float64s()); e > 1e-14 {
				t.Errorf("spatial %v bias %v: ChannelMixAdd differs from r + ChannelMix by %.3g", spatial, bias != nil, e)
			}
		}
	}
	// float32: the values of r + ChannelMix up to float rounding, and
	// bitwise the same (with the gradients) for any thread count.
	defer SetThreads(0)
	run := func(threads int) [][]float32 {
		SetThreads(threads)
		x := RandN(rng(3140), Float32, 3, 5, 41, 37).SetRequiresGrad(true)
		w := RandN(rng(3141), Float32, 6, 5).SetRequiresGrad(true)
		b := RandN(rng(3142), Float32, 6).SetRequiresGrad(true)
		r := RandN(rng(3143), Float32, 3, 6, 41, 37).SetRequiresGrad(true)
		y := ChannelMixAdd(x, w, b, r)
		ref := Add(r, ChannelMix(x, w, b))
		for i, v := range ref.Float32s() {
			if d := math.Abs(float64(v - y.Float32s()[i])); d > 1e-5*(1+math.Abs(float64(v))) {
				t.Fatalf("float32 ChannelMixAdd[%d] = %v, r + ChannelMix = %v", i, y.Float32s()[i], v)
			}
		}
		Sum(Square(y)).Backward()
		return [][]float32{y.Float32s(), x.Grad().Float32s(), w.Grad().Float32s(), b.Grad().Float32s(), r.Grad().Float32s()}
	}
	a, c := run(1), run(4)
	for i := range a {
		for j := range a[i] {
			if math.Float32bits(a[i][j]) != math.Float32bits(c[i][j]) {
				t.Fatalf("result %d differs at %d between 1 and 4 threads: %v vs %v", i, j, a[i][j], c[i][j])
			}
		}
	}
	for i, spatial := range [][]int{{}, {3}, {2, 3}, {2, 1, 2}} {
		x := randT(uint64(3150+i), append([]int{2, 3}, spatial...)...)
		w, b := randT(uint64(3160+i), 2, 3), randT(uint64(3170+i), 2)
		r := randT(uint64(3180+i), append([]int{2, 2}, spatial...)...)
		checkBoth(t, fmt.Sprintf("ChannelMixAdd %v", spatial), func(xs []*Tensor) *Tensor {
			return Tanh(ChannelMixAdd(xs[0], xs[1], xs[2], xs[3]))
		}, x, w, b, r)
		check(t, "ChannelMixAdd no bias", func(xs []*Tensor) *Tensor { return ChannelMixAdd(xs[0], xs[1], nil, xs[2]) }, x, w, r)
	}
}

// Blocks, groups and partial sums depend on sizes only: forward and
// backward are bitwise identical for any thread count.
// The float32 kernels of the gradients (sgemm's direct filter gradient
// and transposed convolutions by phases on the wide path) agree with the
// float64 ones on the same data.
func TestConvFloat32Gradients(t *testing.T) { bothConvPaths(t, testConvFloat32Gradients) }

func testConvFloat32Gradients(t *testing.T) {
	for i, c := range convCases {
		geo := newConvGeom("test", c.bs, c.ci, c.h, c.w, c.co, c.ci, c.kh, c.kw, c.s, c.s, c.p, c.p, c.mode)
		// float32 data, and the same values in float64
		x32 := RandN(rng(uint64(3200+i)), Float32, c.bs, c.ci, c.h, c.w)
		w32 := RandN(rng(uint64(3300+i)), Float32, c.co, c.ci, c.kh, c.kw)
		g32 := RandN(rng(uint64(3400+i)), Float32, geo.yShape()...)
		to64 := func(t *Tensor) *Tensor { return FromFloat64s(Float64, t.ToFloat64s(), t.Shape()...) }
		x, w, g := to64(x32), to64(w32), to64(g32)
		for name, f := range map[string]func(x, w, g *Tensor) *Tensor{
			"filter gradient": func(x, _, g *Tensor) *Tensor { return convWeightOp(x, g, geo) },
			"input gradient":  func(_, w, g *Tensor) *Tensor { return convInputGrad(g, w, geo) },
			"transposed":      func(_, w, g *Tensor) *Tensor { return convTransposeOp(g, w, geo) },
		} {
			want := f(x, w, g)
			got := f(x32, w32, g32)
			if want.DType() != Float64 || got.DType() != Float32 {
				t.Fatalf("dtypes %v and %v", want.DType(), got.DType())
			}
			if e := relDiff(got.ToFloat64s(), want.ToFloat64s()); e > 2e-6 {
				t.Errorf("%v %s: float32 against float64, relative error %.3g", c, name, e)
			}
		}
	}
}

func TestConvDeterministicAcrossThreads(t *testing.T) {
	bothConvPaths(t, testConvDeterministicAcrossThreads)
}

func testConvDeterministicAcrossThreads(t *testing.T) {
	defer SetThreads(0)
	run := func(threads int) [][]float32 {
		SetThreads(threads)
		x := RandN(rng(3100), Float32, 3, 5, 33, 31).SetRequiresGrad(true)
		w := RandN(rng(3101), Float32, 6, 5, 3, 3).SetRequiresGrad(true)
		b := RandN(rng(3102), Float32, 6).SetRequiresGrad(true)
		w2 := RandN(rng(3104), Float32, 6, 6, 3, 3).SetRequiresGrad(true)
		wt := RandN(rng(3103), Float32, 6, 4, 4, 4).SetRequiresGrad(true)
		y := Conv2d(x, w, b, ConvOptions{Stride: 1, Padding: 1})
		z := Conv2d(y, w2, nil, ConvOptions{Stride: 2, Padding: 1, Mode: PadPeriodic})
		u := ConvTranspose2d(z, wt, nil, 2, 1)
		Sum(Square(u)).Backward()
		return [][]float32{u.Float32s(), x.Grad().Float32s(), w.Grad().Float32s(), b.Grad().Float32s(), wt.Grad().Float32s(), w2.Grad().Float32s()}
	}
	a, c := run(1), run(4)
	for i := range a {
		for j := range a[i] {
			if math.Float32bits(a[i][j]) != math.Float32bits(c[i][j]) {
				t.Fatalf("result %d differs at %d between 1 and 4 threads: %v vs %v", i, j, a[i][j], c[i][j])
			}
		}
	}
}

func TestConvArena(t *testing.T) {
	ar := NewArena()
	x := randT(3200, 2, 2, 6, 6).In(ar)
	y := Conv2d(x, randT(3201, 3, 2, 3, 3), nil, ConvOptions{Padding: 1})
	if y.Arena() != ar {
		t.Fatalf("Conv2d result not allocated from the input's arena")
	}
	z := Interpolate(y, []int{9, 9}, InterpLinear)
	if z.Arena() != ar {
		t.Fatalf("Interpolate result not allocated from the input's arena")
	}
}

func TestConvEmptyBatch(t *testing.T) {
	x := randT(1, 0, 2, 6, 6).SetRequiresGrad(true)
	w := randT(2, 3, 2, 3, 3).SetRequiresGrad(true)
	for _, s := range []int{1, 2} {
		y := Conv2d(x, w, nil, ConvOptions{Stride: s, Padding: 1})
		if !sameShape(y.Shape(), []int{0, 3, 6 / s, 6 / s}) {
			t.Fatalf("empty batch: shape %v", y.Shape())
		}
		gs := Grad([]*Tensor{Sum(y)}, []*Tensor{x, w}, nil, false)
		if Sum(Abs(gs[1])).Item() != 0 {
			t.Fatalf("empty batch: weight gradient %v", gs[1])
		}
	}
}

func TestConvPanics(t *testing.T) {
	mustPanic := func(name, want string, f func()) {
		t.Helper()
		defer func() {
			r := recover()
			if r == nil {
				t.Errorf("%s: no panic", name)
			} else if !strings.Contains(fmt.Sprint(r), want) {
				t.Errorf("%s: panic %q does not mention %q", name, r, want)
			}
		}()
		f()
	}
	x := randT(1, 2, 3, 5, 5)
	mustPanic("channels", "channels", func() { Conv2d(x, randT(2, 4, 2, 3, 3), nil, ConvOptions{}) })
	mustPanic("rank", "[2 3 5 5]", func() { Conv1d(x, randT(2, 4, 3, 3), nil, ConvOptions{}) })
	mustPanic("kernel too big", "does not fit", func() { Conv2d(x, randT(2, 4, 3, 7, 7), nil, ConvOptions{}) })
	mustPanic("bias", "bias", func() { Conv2d(x, randT(2, 4, 3, 3, 3), randT(3, 3), ConvOptions{}) })
	mustPanic("dtype", "float32", func() { Conv2d(x, RandN(rng(2), Float32, 4, 3, 3, 3), nil, ConvOptions{}) })
	mustPanic("mode", "not supported", func() { Conv2d(x, randT(2, 4, 3, 3, 3), nil, ConvOptions{Padding: 1, Mode: PadReflect}) })
	mustPanic("ChannelMix", "ChannelMix", func() { ChannelMix(x, randT(2, 4, 2), nil) })
	mustPanic("ConvTranspose2d", "ConvTranspose2d", func() { ConvTranspose2d(x, randT(2, 2, 4, 3, 3), nil, 2, 1) })
}

func ExampleConv2d() {
	// The 5-point Laplacian stencil on a periodic 3×3 grid, applied to a
	// unit impulse at the centre, gives back the stencil.
	x := FromFloat64s(Float64, []float64{0, 0, 0, 0, 1, 0, 0, 0, 0}, 1, 1, 3, 3)
	lap := FromFloat64s(Float64, []float64{0, 1, 0, 1, -4, 1, 0, 1, 0}, 1, 1, 3, 3)
	y := Conv2d(x, lap, nil, ConvOptions{Padding: 1, Mode: PadPeriodic})
	fmt.Println(y.Shape(), y.Float64s())
	// Output: [1 1 3 3] [0 1 0 1 -4 1 0 1 0]
}

func ExampleConvTranspose2d() {
	// MgNO's prolongation: a 4×4 transposed convolution with stride 2 and
	// padding 1 doubles the grid.
	x := Full(Float32, 1, 8, 24, 16, 16)
	w := Full(Float32, 1.0/16, 24, 24, 4, 4)
	fmt.Println(ConvTranspose2d(x, w, nil, 2, 1).Shape())
	// Output: [8 24 32 32]
}
