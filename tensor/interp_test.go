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
