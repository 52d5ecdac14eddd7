package tensor

import (
	"fmt"
	"math"
	"testing"
)

// gridFn samples f(s, t) at the align-corners grid points s_i = i/(n−1),
// t_j = j/(m−1) on a [2, n, m] tensor (two channels, the second scaled).
func gridFn(d DType, n, m int, f func(s, t float64) float64) *Tensor {
	v := make([]float64, 0, 2*n*m)
	for c := range 2 {
		for i := range n {
			for j := range m {
				s, t := 0.0, 0.0
				if n > 1 {
					s = float64(i) / float64(n-1)
				}
				if m > 1 {
					t = float64(j) / float64(m-1)
				}
				v = append(v, float64(c+1)*f(s, t))
			}
		}
	}
	return FromFloat64s(d, v, 2, n, m)
}

// Bilinear interpolation reproduces bilinear functions exactly, up and
// down, on grids that contain both endpoints.
func TestInterpolateLinearExact(t *testing.T) {
	f := func(s, t float64) float64 { return 0.3 - 1.7*s + 2.5*t + 0.9*s*t }
	for _, c := range [][4]int{{5, 7, 9, 13}, {9, 13, 5, 7}, {4, 4, 11, 2}, {17, 3, 6, 8}, {6, 5, 6, 9}, {2, 2, 33, 65}, {65, 33, 2, 2}} {
		for _, d := range []DType{Float64, Float32} {
			x := gridFn(d, c[0], c[1], f)
			y := Interpolate(x, []int{c[2], c[3]}, InterpLinear)
			want := gridFn(Float64, c[2], c[3], f)
			tol := 1e-14
			if d == Float32 {
				tol = 1e-6
			}
			if !sameShape(y.Shape(), want.Shape()) {
				t.Fatalf("%v: shape %v, want %v", c, y.Shape(), want.Shape())
			}
			if e := relDiff(y.ToFloat64s(), want.Float64s()); e > tol {
				t.Errorf("%v %v: relative error %.3g on a bilinear function", c, d, e)
			}
		}
	}
	// A grid of one point is constant; one output point is the first.
	x := FromFloat64s(Float64, []float64{4, 5, 6}, 1, 3)
	if y := Interpolate(x, []int{1}, InterpLinear).Float64s(); y[0] != 4 {
		t.Fatalf("1 output point = %v, want 4", y)
	}
	if y := Interpolate(FromFloat64s(Float64, []float64{7}, 1, 1), []int{3}, InterpLinear).Float64s(); y[0] != 7 || y[1] != 7 || y[2] != 7 {
		t.Fatalf("from 1 point = %v", y)
	}
}

func TestInterpolateIdentity(t *testing.T) {
	x := randT(10, 2, 3, 5, 6)
	for _, mode := range []InterpMode{InterpLinear, InterpPeriodic} {
		if y := Interpolate(x, []int{5, 6}, mode); y != x {
			t.Errorf("%v: equal sizes are not the identity", mode)
		}
		// Resampling only the last axis leaves the other values alone.
		y := Interpolate(x, []int{5, 11}, mode)
		if y.Dim(2) != 5 || y.Dim(3) != 11 {
			t.Fatalf("%v: shape %v", mode, y.Shape())
		}
		// Refining by an integer factor (2(n−1)+1 points on a closed grid,
		// 2n and 3n on a periodic one) keeps the source points exactly.
		fine := []int{9, 11}
		if mode == InterpPeriodic {
			fine = []int{10, 18}
		}
		back := Interpolate(Interpolate(x, fine, mode), []int{5, 6}, mode)
		for i, v := range back.Float64s() {
			if v != x.Float64s()[i] {
				t.Fatalf("%v: refine then coarsen changed element %d: %v -> %v", mode, i, x.Float64s()[i], v)
			}
		}
	}
}

// refPeriodic interpolates one periodic axis directly from the definition.
func refPeriodic(x []float64, m int) []float64 {
	n := len(x)
	y := make([]float64, m)
	for i := range m {
		s := float64(i) * float64(n) / float64(m)
		j := int(math.Floor(s))
		f := s - float64(j)
		y[i] = (1-f)*x[j%n] + f*x[(j+1)%n]
	}
	return y
}

func TestInterpolatePeriodic(t *testing.T) {
	for _, c := range [][2]int{{8, 12}, {12, 8}, {7, 16}, {16, 5}, {5, 64}, {64, 5}} {
		x := randT(uint64(20+c[0]), 3, c[0])
		y := Interpolate(x, []int{c[1]}, InterpPeriodic)
		for r := range 3 {
			want := refPeriodic(x.Float64s()[r*c[0]:(r+1)*c[0]], c[1])
			if e := relDiff(y.Float64s()[r*c[1]:(r+1)*c[1]], want); e > 1e-14 {
				t.Errorf("%v row %d: relative error %.3g", c, r, e)
			}
		}
	}
	// A periodic piecewise-linear function with knots on the coarse grid
	// is reproduced on any refinement: the triangle wave on 8 points.
	tri := func(s float64) float64 { return math.Abs(math.Mod(s+1, 1) - 0.5) } // knots at 0, 1/2
	for _, m := range []int{16, 24, 12, 13, 40} {
		xs := make([]float64, 8)
		for j := range xs {
			xs[j] = tri(float64(j) / 8)
		}
		y := Interpolate(FromFloat64s(Float64, xs, 1, 8), []int{m}, InterpPeriodic).Float64s()
		for i, v := range y {
			if w := tri(float64(i) / float64(m)); math.Abs(v-w) > 1e-15 {
				t.Errorf("m=%d: point %d = %v, want %v", m, i, v, w)
			}
		}
	}
	// Constants stay constant in 3-D.
	y := Interpolate(Full(Float64, 2.5, 1, 1, 4, 5, 6), []int{7, 3, 9}, InterpPeriodic)
	for _, v := range y.Float64s() {
		if math.Abs(v-2.5) > 1e-15 {
			t.Fatalf("constant became %v", v)
		}
	}
}

// The backward rule is the transposed interpolation: ⟨I x, g⟩ = ⟨x, Iᵀ g⟩.
func TestInterpolateGradients(t *testing.T) {
	for _, mode := range []InterpMode{InterpLinear, InterpPeriodic} {
		for i, c := range [][4]int{{4, 5, 7, 3}, {6, 3, 4, 8}, {3, 4, 3, 7}} {
			x := randT(uint64(30+i), 2, 1, c[0], c[1])
			sizes := []int{c[2], c[3]}
			checkBoth(t, fmt.Sprintf("Interpolate %v %v", mode, c), func(xs []*Tensor) *Tensor {
				return Square(Interpolate(xs[0], sizes, mode))
			}, x)
		}
		x := randT(40, 2, 9)
		check(t, fmt.Sprintf("Interpolate 1-D %v", mode), func(xs []*Tensor) *Tensor { return Interpolate(xs[0], []int{4}, mode) }, x)
		x3 := randT(41, 1, 3, 4, 5)
		check(t, fmt.Sprintf("Interpolate 3-D %v", mode), func(xs []*Tensor) *Tensor { return Interpolate(xs[0], []int{5, 2, 7}, mode) }, x3)
	}
}

// Cell averages of a linear function are its values at the cell
// centres: the interior points, and the midpoints of the halved end cells
// of a closed grid (an axis whose size does not change keeps its points).
func TestCellAverageLinear(t *testing.T) {
	f := func(s, t float64) float64 { return 0.3 - 1.7*s + 2.5*t + 0.9*s*t }
	centre := func(i, n, m int) float64 { // n = m: the axis is left alone
		switch {
		case n == m:
			return float64(i) / float64(m-1)
		case m == 1:
			return 0.5
		case i == 0:
			return 0.25 / float64(m-1)
		case i == m-1:
			return 1 - 0.25/float64(m-1)
		}
		return float64(i) / float64(m-1)
	}
	for _, c := range [][4]int{{421, 421, 85, 85}, {141, 211, 85, 85}, {9, 13, 5, 7}, {17, 30, 6, 1}, {5, 5, 5, 3}} {
		for _, d := range []DType{Float64, Float32} {
			x := gridFn(d, c[0], c[1], f)
			y := CellAverage(x, []int{c[2], c[3]}, InterpLinear).ToFloat64s()
			var want []float64
			for ch := range 2 {
				for i := range c[2] {
					for j := range c[3] {
						want = append(want, float64(ch+1)*f(centre(i, c[0], c[2]), centre(j, c[1], c[3])))
					}
				}
			}
			tol := 1e-13
			if d == Float32 {
				tol = 1e-6
			}
			if e := relDiff(y, want); e > tol {
				t.Errorf("%v %v: relative error %.3g against the cell centres", c, d, e)
			}
		}
	}
}

// The cells tile the domain, so cell averages keep the integral of the
// piecewise-linear interpolant (the trapezoidal sum), on closed and on
// periodic grids, for any field.
func TestCellAverageConserves(t *testing.T) {
	trapezoid := func(v []float64, closed bool) float64 {
		s := 0.0
		for j, u := range v {
			if closed && (j == 0 || j == len(v)-1) {
				u /= 2
			}
			s += u
		}
		return s
	}
	for _, c := range [][2]int{{421, 85}, {141, 85}, {211, 85}, {10, 3}, {7, 1}, {6, 2}, {5, 4}} {
		n, m := c[0], c[1]
		x := randT(uint64(50+n+m), 1, n).Float64s()
		xt := FromFloat64s(Float64, x, 1, n)
		// Closed: cell i has length h (h/2 at the ends) in source spacings.
		y := CellAverage(xt, []int{m}, InterpLinear).Float64s()
		got := 0.0
		if m == 1 {
			got = y[0] * float64(n-1)
		} else {
			got = trapezoid(y, true) * float64(n-1) / float64(m-1)
		}
		if want := trapezoid(x, true); math.Abs(got-want) > 1e-12*float64(n) {
			t.Errorf("closed %d → %d: integral %.15g, want %.15g", n, m, got, want)
		}
		yp := CellAverage(xt, []int{m}, InterpPeriodic).Float64s()
		got = trapezoid(yp, false) * float64(n) / float64(m)
		if want := trapezoid(x, false); math.Abs(got-want) > 1e-12*float64(n) {
			t.Errorf("periodic %d → %d: integral %.15g, want %.15g", n, m, got, want)
		}
	}
	// A step: 0 on the first 10 of 21 points, 1 from point 10 on, to 5
	// points (cells of 5 spacings): the cell around point 10 takes it half.
	step := make([]float64, 21)
	for j := 10; j < 21; j++ {
		step[j] = 1
	}
	y := CellAverage(FromFloat64s(Float64, step, 1, 21), []int{5}, InterpLinear).Float64s()
	// Cell 2 is [7.5, 12.5]: the interpolant is 0 to 9, rises to 1 at 10.
	want := []float64{0, 0, (2.5 + 0.5) / 5, 1, 1}
	if relDiff(y, want) > 1e-15 {
		t.Errorf("step averages %v, want %v", y, want)
	}
}

// Grown axes are interpolated, unchanged ones left alone.
func TestCellAverageOtherSizes(t *testing.T) {
	x := randT(60, 2, 1, 5, 9)
	if y := CellAverage(x, []int{5, 9}, InterpLinear); y != x {
		t.Errorf("equal sizes gave a new tensor")
	}
	for _, mode := range []InterpMode{InterpLinear, InterpPeriodic} {
		y := CellAverage(x, []int{8, 9}, mode)
		if e := relDiff(y.Float64s(), Interpolate(x, []int{8, 9}, mode).Float64s()); e != 0 {
			t.Errorf("%v: a grown axis differs from Interpolate by %.3g", mode, e)
		}
	}
}

// The backward rule is the transposed averaging.
func TestCellAverageGradients(t *testing.T) {
	for _, mode := range []InterpMode{InterpLinear, InterpPeriodic} {
		for i, c := range [][4]int{{9, 11, 4, 3}, {6, 3, 2, 8}, {13, 7, 1, 7}} {
			x := randT(uint64(70+i), 2, 1, c[0], c[1])
			sizes := []int{c[2], c[3]}
			checkBoth(t, fmt.Sprintf("CellAverage %v %v", mode, c), func(xs []*Tensor) *Tensor {
				return Square(CellAverage(xs[0], sizes, mode))
			}, x)
		}
	}
}

func ExampleInterpolate() {
	// Five points on [0, 1] from three, endpoints included.
	x := FromFloat64s(Float64, []float64{0, 1, 4}, 1, 1, 3)
	fmt.Println(Interpolate(x, []int{5}, InterpLinear).Float64s())
	// Periodic: the point after the last one is the first.
	p := FromFloat64s(Float64, []float64{0, 2}, 1, 1, 2)
	fmt.Println(Interpolate(p, []int{4}, InterpPeriodic).Float64s())
	// Output:
	// [0 0.5 1 2.5 4]
	// [0 1 2 1]
}

func ExampleCellAverage() {
	// A step on 9 points of [0, 1] to 3. The middle cell [0.25, 0.75]
	// holds the jump, which the interpolant makes from 0.375 to 0.5: its
	// mean, 0.625, is the share of the cell at 1 (a ramp counting half).
	x := FromFloat64s(Float64, []float64{0, 0, 0, 0, 1, 1, 1, 1, 1}, 1, 1, 9)
	fmt.Println(CellAverage(x, []int{3}, InterpLinear).Float64s())
	fmt.Println(Interpolate(x, []int{3}, InterpLinear).Float64s()) // the subsample
	// Output:
	// [0 0.625 1]
	// [0 1 1]
}
