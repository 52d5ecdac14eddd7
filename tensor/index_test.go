package tensor

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
)

var everyDType = []DType{Float32, Float64, Complex64, Complex128}

// vals returns the elements of t as complex128 (exact for every dtype).
func cvals(t *Tensor) []complex128 {
	out := make([]complex128, t.Numel())
	switch x := t.data.(type) {
	case []float32:
		for i, v := range x {
			out[i] = complex(float64(v), 0)
		}
	case []float64:
		for i, v := range x {
			out[i] = complex(v, 0)
		}
	case []complex64:
		for i, v := range x {
			out[i] = complex128(v)
		}
	case []complex128:
		copy(out, x)
	}
	return out
}

// eachIndex calls f with every multi-index of shape in row-major order.
func eachIndex(shape []int, f func(idx []int)) {
	if numel(shape) == 0 {
		return
	}
	idx := make([]int, len(shape))
	for {
		f(idx)
		d := len(shape) - 1
		for d >= 0 {
			idx[d]++
			if idx[d] < shape[d] {
				break
			}
			idx[d] = 0
			d--
		}
		if d < 0 {
			return
		}
	}
}

func flatOffset(shape, idx []int) int {
	off := 0
	for d, i := range idx {
		off = off*shape[d] + i
	}
	return off
}

// refGather returns y of shape out with y[j] = x[src(j)], or 0 where src
// returns nil, by direct loops over multi-indices.
func refGather(x *Tensor, out []int, src func(j []int) []int) []complex128 {
	xv := cvals(x)
	var y []complex128
	eachIndex(out, func(j []int) {
		if s := src(j); s != nil {
			y = append(y, xv[flatOffset(x.shape, s)])
		} else {
			y = append(y, 0)
		}
	})
	return y
}

func sameVals(t *testing.T, name string, got *Tensor, shape []int, want []complex128) {
	t.Helper()
	if !sameShape(got.shape, shape) {
		t.Fatalf("%s: shape %v, want %v", name, got.shape, shape)
	}
	g := cvals(got)
	for i := range want {
		if g[i] != want[i] {
			t.Fatalf("%s: element %d = %v, want %v", name, i, g[i], want[i])
		}
	}
}

func randD(d DType, seed uint64, shape ...int) *Tensor { return RandN(rng(seed), d, shape...) }

func TestSliceNarrowValues(t *testing.T) {
	shape := []int{3, 4, 5}
	for _, dt := range everyDType {
		x := randD(dt, 1, shape...)
		for axis := -1; axis < 3; axis++ {
			ax := (axis + 3) % 3
			n := shape[ax]
			for _, s := range [][3]int{{0, n, 1}, {1, n, 2}, {0, n, 3}, {n - 1, n, 1}, {1, 1, 1}, {-3, -1, 1}, {0, n - 1, 4}} {
				start, stop := s[0], s[1]
				if start < 0 {
					start += n
				}
				if stop < 0 {
					stop += n
				}
				m := 0
				if stop > start {
					m = (stop - start + s[2] - 1) / s[2]
				}
				out := slices.Clone(shape)
				out[ax] = m
				want := refGather(x, out, func(j []int) []int {
					i := slices.Clone(j)
					i[ax] = start + j[ax]*s[2]
					return i
				})
				sameVals(t, fmt.Sprintf("%v Slice(axis %d, %v)", dt, axis, s), Slice(x, axis, s[0], s[1], s[2]), out, want)
				if s[2] == 1 {
					sameVals(t, fmt.Sprintf("%v Narrow(axis %d, %d, %d)", dt, axis, s[0], m), Narrow(x, axis, s[0], m), out, want)
				}
			}
		}
	}
	// Subsampling a grid: every second point of both spatial axes.
	x := randT(2, 2, 6, 6)
	y := Slice(Slice(x, 1, 0, 6, 2), 2, 0, 6, 2)
	if !sameShape(y.Shape(), []int{2, 3, 3}) || y.At(1, 2, 1) != x.At(1, 4, 2) {
		t.Fatalf("grid subsampling: %v", y)
	}
}

// refPadSource is an independent statement of the padding modes: the
// input index for padded position j, or −1 for zero.
func refPadSource(mode PadMode, j, before, n int) int {
	t := j - before
	switch mode {
	case PadZero:
		if t < 0 || t >= n {
			return -1
		}
	case PadPeriodic:
		for t < 0 {
			t += n
		}
		for t >= n {
			t -= n
		}
	case PadReflect:
		for n > 1 && (t < 0 || t >= n) {
			if t < 0 {
				t = -t
			} else {
				t = 2*(n-1) - t
			}
		}
		if n == 1 {
			t = 0
		}
	case PadReplicate:
		t = min(max(t, 0), n-1)
	}
	return t
}

func TestPadValues(t *testing.T) {
	shape := []int{2, 3, 4}
	widths := [][][2]int{
		{{2, 3}},
		{{0, 1}},
		{{1, 1}, {2, 0}},
		{{5, 6}, {9, 4}},
		{{-1, -2}},
		{{3, -1}, {-2, 1}},
		{{1, 0}, {0, 2}, {3, 1}},
		{{0, 0}, {1, 1}},
	}
	modes := []PadMode{PadZero, PadPeriodic, PadReflect, PadReplicate}
	for _, dt := range everyDType {
		x := randD(dt, 3, shape...)
		for _, mode := range modes {
			for _, w := range widths {
				lead := len(shape) - len(w)
				out := slices.Clone(shape)
				for i, p := range w {
					out[lead+i] += p[0] + p[1]
				}
				want := refGather(x, out, func(j []int) []int {
					s := slices.Clone(j)
					for i, p := range w {
						d := lead + i
						s[d] = refPadSource(mode, j[d], p[0], shape[d])
						if s[d] < 0 {
							return nil
						}
					}
					return s
				})
				y := Pad(x, mode, w...)
				sameVals(t, fmt.Sprintf("%v Pad(%v, %v)", dt, mode, w), y, out, want)
				// A pad with the negated widths undoes a pad.
				neg := make([][2]int, len(w))
				ok := true
				for i, p := range w {
					neg[i] = [2]int{-p[0], -p[1]}
					ok = ok && p[0] >= 0 && p[1] >= 0
				}
				if ok {
					sameVals(t, fmt.Sprintf("%v unpad(%v, %v)", dt, mode, w), Pad(y, PadZero, neg...), shape, cvals(x))
				}
			}
		}
	}
}

func TestPadExamples(t *testing.T) {
	x := FromFloat64s(Float64, []float64{1, 2, 3, 4}, 4)
	for _, c := range []struct {
		mode PadMode
		want []float64
	}{
		{PadZero, []float64{0, 0, 1, 2, 3, 4, 0, 0, 0}},
		{PadPeriodic, []float64{3, 4, 1, 2, 3, 4, 1, 2, 3}},
		{PadReflect, []float64{3, 2, 1, 2, 3, 4, 3, 2, 1}},
		{PadReplicate, []float64{1, 1, 1, 2, 3, 4, 4, 4, 4}},
	} {
		got := Pad(x, c.mode, [2]int{2, 3}).Float64s()
		if !slices.Equal(got, c.want) {
			t.Errorf("Pad(%v) = %v, want %v", c.mode, got, c.want)
		}
	}
	// Periodic wrap in 2-D: the corners come from the opposite corners.
	x2 := FromFloat64s(Float64, []float64{1, 2, 3, 4}, 2, 2)
	got := Pad(x2, PadPeriodic, [2]int{1, 1}, [2]int{1, 1}).Float64s()
	want := []float64{4, 3, 4, 3, 2, 1, 2, 1, 4, 3, 4, 3, 2, 1, 2, 1}
	if !slices.Equal(got, want) {
		t.Errorf("2-D periodic pad = %v, want %v", got, want)
	}
	// The backward of the periodic pad folds the wrapped parts back: with
	// y = Pad(x, periodic, {2, 3}) and L = Σ w⊙y, w = 1…9,
	// ∂L/∂x = (w₂+w₆, w₃+w₇, w₀+w₄+w₈, w₁+w₅) (0-based) = (10, 12, 15, 8).
	xg := x.Clone().SetRequiresGrad(true)
	w := FromFloat64s(Float64, []float64{1, 2, 3, 4, 5, 6, 7, 8, 9}, 9)
	Sum(Mul(Pad(xg, PadPeriodic, [2]int{2, 3}), w)).Backward()
	if g := xg.Grad().Float64s(); !slices.Equal(g, []float64{10, 12, 15, 8}) {
		t.Errorf("periodic pad fold = %v, want [10 12 15 8]", g)
	}
	// Zero pad: the backward is the crop (w₂, …, w₅).
	xg.SetGrad(nil)
	Sum(Mul(Pad(xg, PadZero, [2]int{2, 3}), w)).Backward()
	if g := xg.Grad().Float64s(); !slices.Equal(g, []float64{3, 4, 5, 6}) {
		t.Errorf("zero pad backward = %v, want [3 4 5 6]", g)
	}
	// Reflect pad: x₀ gets w₄, x₁ gets w₁+w₃+w₇, x₂ gets w₀+w₄... per the map
	// (2 1 0 1 2 3 2 1 0): x₀ ← w₂+w₈, x₁ ← w₁+w₃+w₇, x₂ ← w₀+w₄+w₆, x₃ ← w₅.
	xg.SetGrad(nil)
	Sum(Mul(Pad(xg, PadReflect, [2]int{2, 3}), w)).Backward()
	if g := xg.Grad().Float64s(); !slices.Equal(g, []float64{3 + 9, 2 + 4 + 8, 1 + 5 + 7, 6}) {
		t.Errorf("reflect pad backward = %v, want [12 14 13 6]", g)
	}
}

func TestIndexSelectAddValues(t *testing.T) {
	shape := []int{4, 3, 5}
	idxs := [][]int{{2, 0, 2, 3}, {1}, {}, {0, 1, 2, 3, 4}, {4, 4, 4, 0, 1, 3, 2}}
	for _, dt := range everyDType {
		x := randD(dt, 4, shape...)
		for axis := -1; axis < 3; axis++ {
			ax := (axis + 3) % 3
			for _, idx := range idxs {
				if slices.Max(append([]int{0}, idx...)) >= shape[ax] {
					continue
				}
				out := slices.Clone(shape)
				out[ax] = len(idx)
				want := refGather(x, out, func(j []int) []int {
					s := slices.Clone(j)
					s[ax] = idx[j[ax]]
					return s
				})
				name := fmt.Sprintf("%v IndexSelect(axis %d, %v)", dt, axis, idx)
				sameVals(t, name, IndexSelect(x, axis, idx), out, want)

				src := randD(dt, 5, out...)
				y := IndexAdd(x, axis, idx, src)
				ref := cvals(x)
				sv := cvals(src)
				eachIndex(out, func(j []int) {
					s := slices.Clone(j)
					s[ax] = idx[j[ax]]
					ref[flatOffset(shape, s)] += sv[flatOffset(out, j)]
				})
				g := cvals(y)
				for i := range ref {
					if d := g[i] - ref[i]; math.Abs(real(d))+math.Abs(imag(d)) > 1e-5*(1+math.Abs(real(ref[i]))+math.Abs(imag(ref[i]))) {
						t.Fatalf("%v IndexAdd(axis %d, %v): element %d = %v, want %v", dt, axis, idx, i, g[i], ref[i])
					}
				}
			}
		}
	}
}

func TestConcatStackSplitValues(t *testing.T) {
	for _, dt := range everyDType {
		a, b, c := randD(dt, 6, 2, 3, 4), randD(dt, 7, 2, 1, 4), randD(dt, 8, 2, 5, 4)
		y := Concat(1, a, b, c)
		if !sameShape(y.Shape(), []int{2, 9, 4}) {
			t.Fatalf("Concat shape %v", y.Shape())
		}
		av, bv, cv, yv := cvals(a), cvals(b), cvals(c), cvals(y)
		eachIndex(y.Shape(), func(j []int) {
			var w complex128
			switch k := j[1]; {
			case k < 3:
				w = av[flatOffset(a.shape, j)]
			case k < 4:
				w = bv[flatOffset(b.shape, []int{j[0], k - 3, j[2]})]
			default:
				w = cv[flatOffset(c.shape, []int{j[0], k - 4, j[2]})]
			}
			if yv[flatOffset(y.shape, j)] != w {
				t.Fatalf("%v Concat at %v = %v, want %v", dt, j, yv[flatOffset(y.shape, j)], w)
			}
		})
		parts := Split(y, 1, 3, 1, 5)
		for i, p := range []*Tensor{a, b, c} {
			sameVals(t, fmt.Sprintf("%v Split part %d", dt, i), parts[i], p.shape, cvals(p))
		}
		// Concat along the first and the last axis.
		sameVals(t, "Concat axis 0", Concat(0, a, a), []int{4, 3, 4}, append(cvals(a), cvals(a)...))
		z := Concat(-1, a, Slice(a, -1, 0, 4, 2))
		if !sameShape(z.Shape(), []int{2, 3, 6}) || cvals(z)[5] != cvals(a)[2] || cvals(z)[6] != cvals(a)[4] {
			t.Fatalf("%v Concat axis −1: %v", dt, z)
		}
		for axis := -4; axis <= 3; axis++ {
			s := Stack(axis, a, a, a)
			ax := (axis + 4) % 4
			shape := slices.Insert([]int{2, 3, 4}, ax, 3)
			want := refGather(a, shape, func(j []int) []int { return slices.Delete(slices.Clone(j), ax, ax+1) })
			sameVals(t, fmt.Sprintf("%v Stack(axis %d)", dt, axis), s, shape, want)
			ch := Chunk(s, axis, 3)
			for _, p := range ch {
				sameVals(t, fmt.Sprintf("%v Chunk(axis %d)", dt, axis), Squeeze(p, ax), a.shape, cvals(a))
			}
		}
	}
}

func TestWhereValues(t *testing.T) {
	a := FromFloat64s(Float64, []float64{1, 2, 3, 4, 5, 6}, 2, 3)
	b := FromFloat64s(Float64, []float64{-1, math.Inf(1), math.NaN()}, 3)
	cond := FromFloat64s(Float32, []float64{1, 0, 0}, 3) // a mask of another dtype, broadcast
	got := Where(cond, a, b).Float64s()
	want := []float64{1, math.Inf(1), math.NaN(), 4, math.Inf(1), math.NaN()}
	for i := range want {
		if got[i] != want[i] && !(math.IsNaN(got[i]) && math.IsNaN(want[i])) {
			t.Fatalf("Where = %v, want %v", got, want)
		}
	}
	// Masked branches: infinities in the branch not taken do not leak.
	inf := Full(Float64, math.Inf(-1), 2, 3)
	c2 := FromFloat64s(Float64, []float64{1, 1, 0, 0, 1, 1}, 2, 3)
	if v := Sum(Where(c2, a, inf)).Item(); !math.IsInf(v, -1) {
		t.Fatalf("Where with −∞ branch sum %v", v)
	}
	if v := Sum(Where(c2, a, Full(Float64, 0, 1))).Item(); v != 1+2+5+6 {
		t.Fatalf("Where masked sum %v", v)
	}
	// Gradients go to the branch taken, summed over broadcast axes.
	ag := a.Clone().SetRequiresGrad(true)
	bg := FromFloat64s(Float64, []float64{7, 8, 9}, 3).SetRequiresGrad(true)
	Sum(Where(c2, ag, bg)).Backward()
	if g := ag.Grad().Float64s(); !slices.Equal(g, []float64{1, 1, 0, 0, 1, 1}) {
		t.Fatalf("Where grad a = %v", g)
	}
	if g := bg.Grad().Float64s(); !slices.Equal(g, []float64{1, 0, 1}) {
		t.Fatalf("Where grad b = %v", g)
	}
}

func TestIndexGradients(t *testing.T) {
	x := randT(10, 3, 4, 5)
	for axis := -1; axis < 3; axis++ {
		ax := (axis + 3) % 3
		n := x.shape[ax]
		checkBoth(t, "Slice", func(xs []*Tensor) *Tensor { return Square(Slice(xs[0], axis, 1, n, 2)) }, x)
		check(t, "Narrow", func(xs []*Tensor) *Tensor { return Narrow(xs[0], axis, 1, n-2) }, x)
		idx := []int{n - 1, 0, 1, n - 1, 1}
		checkBoth(t, "IndexSelect", func(xs []*Tensor) *Tensor { return Square(IndexSelect(xs[0], axis, idx)) }, x)
		src := randT(11, slices.Replace(slices.Clone(x.shape), ax, ax+1, len(idx))...)
		checkBoth(t, "IndexAdd", func(xs []*Tensor) *Tensor { return Mul(IndexAdd(xs[0], axis, idx, xs[1]), xs[0]) }, x, src)
		parts := []int{1, n - 1}
		check(t, "Split", func(xs []*Tensor) *Tensor {
			p := Split(xs[0], axis, parts...)
			return Add(Sum(Square(p[0])), Sum(Sin(p[1])))
		}, x)
		y := randT(12, slices.Replace(slices.Clone(x.shape), ax, ax+1, 2)...)
		checkBoth(t, "Concat", func(xs []*Tensor) *Tensor { return Square(Concat(axis, xs[0], xs[1], xs[0])) }, x, y)
		check(t, "Stack", func(xs []*Tensor) *Tensor { return Stack(axis, xs[0], Sin(xs[0])) }, x)
	}
	c := FromFloat64s(Float64, []float64{1, 0, 0, 1, 1}, 5)
	checkBoth(t, "Where", func(xs []*Tensor) *Tensor { return Where(c, Square(xs[0]), Mul(xs[1], xs[0])) }, x, randT(13, 4, 5))
	// Complex tensors.
	z := RandN(rng(14), Complex128, 3, 4)
	check(t, "Slice complex", func(xs []*Tensor) *Tensor { return Slice(xs[0], 1, 0, 4, 3) }, z)
	check(t, "Pad complex", func(xs []*Tensor) *Tensor { return Pad(xs[0], PadPeriodic, [2]int{2, 1}) }, z)
	check(t, "IndexSelect complex", func(xs []*Tensor) *Tensor { return IndexSelect(xs[0], 0, []int{2, 2, 0}) }, z)
	check(t, "Concat complex", func(xs []*Tensor) *Tensor { return Concat(0, xs[0], Exp(xs[0])) }, z)
	check(t, "Where complex", func(xs []*Tensor) *Tensor { return Where(c.Clone(), xs[0], Exp(xs[1])) }, RandN(rng(15), Complex128, 3, 5), RandN(rng(16), Complex128, 5))
}

func TestPadGradients(t *testing.T) {
	x := randT(20, 2, 3, 4)
	widths := [][][2]int{
		{{2, 3}},
		{{-1, 2}},
		{{1, 2}, {3, 1}},
		{{5, 6}},
		{{1, 1}, {0, 0}, {2, 1}},
		{{1, 2}, {1, 0}, {2, 1}},
	}
	for _, mode := range []PadMode{PadZero, PadPeriodic, PadReflect, PadReplicate} {
		for _, w := range widths {
			name := fmt.Sprintf("Pad(%v, %v)", mode, w)
			check(t, name, func(xs []*Tensor) *Tensor { return Pad(xs[0], mode, w...) }, x)
			// A nonlinearity around the pad makes the second derivative
			// run through the backward of the backward.
			checkBoth(t, name+" squared", func(xs []*Tensor) *Tensor { return Mul(Pad(xs[0], mode, w...), Sin(Pad(xs[0], mode, w...))) }, x)
		}
	}
}

// TestPeriodicConvolutionAdjoint checks Pad inside a typical periodic
// stencil, u ↦ u[i−1] − 2u[i] + u[i+1] with wrap-around, against np.roll
// style indexing, and its gradient against finite differences.
func TestPeriodicConvolutionAdjoint(t *testing.T) {
	n := 7
	x := randT(21, 2, n)
	lap := func(u *Tensor) *Tensor {
		p := Pad(u, PadPeriodic, [2]int{1, 1})
		return Add(Sub(Narrow(p, -1, 0, n), Scale(Narrow(p, -1, 1, n), 2)), Narrow(p, -1, 2, n))
	}
	y := lap(x)
	for b := range 2 {
		for i := range n {
			want := x.At(b, (i+n-1)%n) - 2*x.At(b, i) + x.At(b, (i+1)%n)
			if math.Abs(y.At(b, i)-want) > 1e-14 {
				t.Fatalf("periodic Laplacian at (%d, %d) = %v, want %v", b, i, y.At(b, i), want)
			}
		}
	}
	checkBoth(t, "periodic Laplacian", func(xs []*Tensor) *Tensor { return Square(lap(xs[0])) }, x)
	// The periodic Laplacian is symmetric: <Lx, v> = <x, Lv>, so the
	// gradient of <Lx, v> with respect to x is Lv.
	v := randT(22, 2, n)
	xg := x.Clone().SetRequiresGrad(true)
	Sum(Mul(lap(xg), v)).Backward()
	lv := lap(v).Float64s()
	for i, g := range xg.Grad().Float64s() {
		if math.Abs(g-lv[i]) > 1e-14 {
			t.Fatalf("adjoint of the periodic Laplacian: %v, want %v", xg.Grad(), lap(v))
		}
	}
}

func TestIndexPanics(t *testing.T) {
	x := randT(30, 3, 4, 5)
	cases := []struct {
		name, want string
		f          func()
	}{
		{"Slice step 0", "[3 4 5]", func() { Slice(x, 1, 0, 4, 0) }},
		{"Slice stop", "[3 4 5]", func() { Slice(x, 1, 0, 5, 1) }},
		{"Slice start>stop", "[3 4 5]", func() { Slice(x, 2, 3, 1, 1) }},
		{"Slice axis", "[3 4 5]", func() { Slice(x, 3, 0, 1, 1) }},
		{"Narrow", "[3 4 5]", func() { Narrow(x, 0, 2, 2) }},
		{"Narrow negative", "[3 4 5]", func() { Narrow(x, 0, 1, -1) }},
		{"Split", "[3 4 5]", func() { Split(x, 1, 1, 2) }},
		{"Chunk", "[3 4 5]", func() { Chunk(x, 2, 2) }},
		{"Concat shapes", "[3 4 5]", func() { Concat(1, x, randT(1, 3, 4, 4)) }},
		{"Concat dtypes", "float32", func() { Concat(0, x, Zeros(Float32, 3, 4, 5)) }},
		{"Concat none", "no tensors", func() { Concat(0) }},
		{"Stack shapes", "[3 4 5]", func() { Stack(0, x, randT(1, 3, 4)) }},
		{"Stack axis", "[3 4 5]", func() { Stack(4, x, x) }},
		{"Pad widths", "[3 4 5]", func() { Pad(x, PadZero, [2]int{1, 1}, [2]int{1, 1}, [2]int{1, 1}, [2]int{1, 1}) }},
		{"Pad crop", "[3 4 5]", func() { Pad(x, PadZero, [2]int{-3, -3}) }},
		{"Pad periodic empty", "[3 0]", func() { Pad(Zeros(Float64, 3, 0), PadPeriodic, [2]int{1, 0}) }},
		{"Pad mode", "PadMode(9)", func() { Pad(x, PadMode(9), [2]int{1, 0}) }},
		{"IndexSelect range", "[3 4 5]", func() { IndexSelect(x, 1, []int{0, 4}) }},
		{"IndexSelect negative", "[3 4 5]", func() { IndexSelect(x, 0, []int{-1}) }},
		{"IndexAdd source", "[3 4 5]", func() { IndexAdd(x, 0, []int{0, 1}, randT(1, 3, 4, 5)) }},
		{"IndexAdd range", "[3 4 5]", func() { IndexAdd(x, 0, []int{3}, randT(1, 1, 4, 5)) }},
		{"Where shapes", "[3 4 5]", func() { Where(Zeros(Float64, 3), x, x) }},
		{"Where dtypes", "float32", func() { Where(x, x, Zeros(Float32, 5)) }},
	}
	for _, c := range cases {
		func() {
			defer func() {
				r := recover()
				if r == nil {
					t.Errorf("%s: no panic", c.name)
					return
				}
				if msg := fmt.Sprint(r); !strings.Contains(msg, c.want) {
					t.Errorf("%s: panic %q does not mention %q", c.name, msg, c.want)
				}
			}()
			c.f()
		}()
	}
}

func TestIndexEdgeCases(t *testing.T) {
	x := randT(31, 3, 4)
	// Identity operations return x itself; empty results are allowed.
	if Narrow(x, 1, 0, 4) != x || Slice(x, 0, 0, 3, 1) != x || Pad(x, PadPeriodic, [2]int{0, 0}) != x || IndexSelect(x, 0, []int{0, 1, 2}) != x {
		t.Fatal("identity slicing did not return its input")
	}
	if e := Narrow(x, 1, 2, 0); !sameShape(e.Shape(), []int{3, 0}) {
		t.Fatalf("empty Narrow has shape %v", e.Shape())
	}
	if e := IndexSelect(x, 0, nil); !sameShape(e.Shape(), []int{0, 4}) {
		t.Fatalf("empty IndexSelect has shape %v", e.Shape())
	}
	// Zero-padding an empty axis gives zeros; cropping everything gives empty.
	if p := Pad(Zeros(Float64, 2, 0), PadZero, [2]int{1, 2}); !sameShape(p.Shape(), []int{2, 3}) || Sum(Abs(p)).Item() != 0 {
		t.Fatalf("zero pad of an empty axis: %v", p)
	}
	if p := Pad(x, PadZero, [2]int{-2, -2}); !sameShape(p.Shape(), []int{3, 0}) {
		t.Fatalf("full crop: %v", p)
	}
	// Zero entries are written, not assumed: run in an arena whose free
	// buffers hold NaN.
	ar := NewArena()
	for _, n := range []int{30, 12} {
		AddScalar(Zeros(Float64, n).In(ar), math.NaN())
	}
	ar.Reset()
	zp := Pad(x.In(ar), PadZero, [2]int{1, 1}, [2]int{1, 1})
	want := refGather(x, []int{5, 6}, func(j []int) []int {
		if j[0] < 1 || j[0] > 3 || j[1] < 1 || j[1] > 4 {
			return nil
		}
		return []int{j[0] - 1, j[1] - 1}
	})
	sameVals(t, "zero pad in a dirty arena", zp, []int{5, 6}, want)
	sameVals(t, "crop in a dirty arena", Pad(zp, PadZero, [2]int{-1, -1}, [2]int{-1, -1}), x.shape, cvals(x))
	ar.Reset()
	// Results liveInput in the arena of the input.
	xa := x.In(ar)
	for name, y := range map[string]*Tensor{
		"Slice": Slice(xa, 1, 0, 4, 2), "Pad": Pad(xa, PadZero, [2]int{1, 1}), "IndexSelect": IndexSelect(xa, 0, []int{1}),
		"Concat": Concat(0, xa, xa), "Where": Where(xa, xa, xa),
	} {
		if y.Arena() != ar {
			t.Errorf("%s result not in the input's arena", name)
		}
	}
}

func TestIndexDeterministicAcrossThreads(t *testing.T) {
	defer SetThreads(0)
	x := RandN(rng(40), Float32, 4, 33, 130)
	idx := make([]int, 500)
	for i := range idx {
		idx[i] = (i * 37) % 111
	}
	run := func() [][]float32 {
		xg := x.Clone().SetRequiresGrad(true)
		p := Pad(xg, PadPeriodic, [2]int{7, 9}, [2]int{200, 3})
		q := IndexSelect(Slice(p, 2, 1, 333, 3), -1, idx)
		c := Concat(0, q, q)
		Sum(Mul(c, c)).Backward()
		return [][]float32{p.Float32s(), q.Float32s(), xg.Grad().Float32s()}
	}
	SetThreads(1)
	ref := run()
	for _, th := range []int{2, 3} {
		SetThreads(th)
		got := run()
		for k := range ref {
			if !slices.Equal(got[k], ref[k]) {
				t.Fatalf("threads=%d: result %d differs", th, k)
			}
		}
	}
}

func BenchmarkPadPeriodic(b *testing.B) {
	x := RandN(rng(50), Float32, 16, 32, 64, 64)
	b.SetBytes(int64(x.Numel() * 4))
	for b.Loop() {
		Pad(x, PadPeriodic, [2]int{8, 8}, [2]int{8, 8})
	}
}

func BenchmarkPadZeroBackward(b *testing.B) {
	x := RandN(rng(51), Float32, 16, 32, 64, 64).SetRequiresGrad(true)
	y := Pad(x, PadZero, [2]int{0, 16}, [2]int{0, 16})
	g := RandN(rng(52), Float32, y.Shape()...)
	b.SetBytes(int64(x.Numel() * 4))
	for b.Loop() {
		Grad([]*Tensor{y}, []*Tensor{x}, []*Tensor{g}, false)
	}
}

func BenchmarkSliceStride2(b *testing.B) {
	x := RandN(rng(53), Float32, 16, 32, 128, 128)
	b.SetBytes(int64(x.Numel() * 4))
	for b.Loop() {
		Slice(Slice(x, 2, 0, 128, 2), 3, 0, 128, 2)
	}
}

func BenchmarkIndexSelectRows(b *testing.B) {
	x := RandN(rng(54), Float32, 100000, 3)
	idx := make([]int, 4096)
	for i := range idx {
		idx[i] = (i * 7919) % 100000
	}
	for b.Loop() {
		IndexSelect(x, 0, idx)
	}
}

// Periodic padding wraps the grid around; its gradient folds the wrapped
// entries back.
func ExamplePad() {
	x := FromFloat64s(Float64, []float64{1, 2, 3, 4}, 1, 4).SetRequiresGrad(true)
	y := Pad(x, PadPeriodic, [2]int{2, 1})
	fmt.Println(y.Float64s())
	Sum(y).Backward()
	fmt.Println(x.Grad().Float64s())
	fmt.Println(Pad(y, PadZero, [2]int{-2, -1}).Float64s())
	// Output:
	// [3 4 1 2 3 4 1]
	// [2 1 2 2]
	// [1 2 3 4]
}

// Every second point of a grid, and a mini-batch of rows.
func ExampleSlice() {
	x := FromFloat64s(Float64, []float64{0, 1, 2, 3, 4, 5, 6, 7}, 2, 4)
	fmt.Println(Slice(x, -1, 0, 4, 2).Float64s())
	fmt.Println(IndexSelect(x, 0, []int{1, 1, 0}).Float64s())
	// Output:
	// [0 2 4 6]
	// [4 5 6 7 4 5 6 7 0 1 2 3]
}
