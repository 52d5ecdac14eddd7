package nn

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/sciml-go/sciml/tensor"
)

// TestOptimalSteps compares the dynamic program with a search over every
// placement of the boundaries.
func TestOptimalSteps(t *testing.T) {
	r := rng(3)
	n := 12
	xs, d, w := make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range xs {
		xs[i] = float64(i)
		d[i] = math.Sin(float64(i)) + 0.3*r.NormFloat64()
		w[i] = 0.2 + r.Float64()
	}
	sse := func(cuts []int) float64 {
		e := 0.0
		for p := 0; p+1 < len(cuts); p++ {
			sw, s := 0.0, 0.0
			for i := cuts[p]; i < cuts[p+1]; i++ {
				sw += w[i]
				s += w[i] * d[i]
			}
			m := s / sw
			for i := cuts[p]; i < cuts[p+1]; i++ {
				e += w[i] * (d[i] - m) * (d[i] - m)
			}
		}
		return e
	}
	totalW := 0.0
	for _, v := range w {
		totalW += v
	}
	for k := 1; k <= 4; k++ {
		best := math.Inf(1)
		var rec func(cuts []int)
		rec = func(cuts []int) {
			if len(cuts) == k {
				best = min(best, sse(append(slices.Clone(cuts), n)))
				return
			}
			for c := cuts[len(cuts)-1] + 1; c < n; c++ {
				rec(append(cuts, c))
			}
		}
		rec([]int{0})
		bounds, levels, rms := optimalSteps(xs, d, w, k)
		if len(bounds) != k-1 || len(levels) != k {
			t.Fatalf("k=%d: %d bounds, %d levels", k, len(bounds), len(levels))
		}
		if want := math.Sqrt(best / totalW); math.Abs(rms-want) > 1e-12 {
			t.Errorf("k=%d: error %v, exhaustive search %v", k, rms, want)
		}
		// the reported error is that of the returned step function
		cuts := []int{0}
		for _, b := range bounds {
			cuts = append(cuts, int(math.Ceil(b)))
		}
		if got := math.Sqrt(sse(append(cuts, n)) / totalW); math.Abs(got-rms) > 1e-12 {
			t.Errorf("k=%d: boundaries %v give %v, reported %v", k, bounds, got, rms)
		}
	}
}

func TestFewBitReLU(t *testing.T) {
	fb, err := NewFewBit(mustAct(t, "relu"), 1)
	if err != nil {
		t.Fatal(err)
	}
	// ReLU′ is a step: one bit represents it exactly.
	if !slices.Equal(fb.Bounds, []float64{0}) || !slices.Equal(fb.Levels, []float64{0, 1}) || fb.FitError != 0 {
		t.Fatalf("bounds %v levels %v error %v", fb.Bounds, fb.Levels, fb.FitError)
	}
}

func TestFewBitGELU(t *testing.T) {
	x := randT(4, 1000)
	xv := x.Float64s()
	exact := mustAct(t, "gelu", f64).Forward(x).Float64s()
	prev := math.Inf(1)
	for bits := 1; bits <= 4; bits++ {
		a := mustAct(t, "{name: gelu, fewbit: "+string(rune('0'+bits))+"}", f64)
		fb, ok := a.(*FewBit)
		if !ok {
			t.Fatalf("fewbit %d: %T", bits, a)
		}
		if fb.Spec().Params["fewbit"] != float64(bits) || a.Name() != "gelu" || CountParams(a) != 0 {
			t.Errorf("spec %v", fb.Spec())
		}
		if !(fb.FitError < prev) {
			t.Errorf("%d bits: fit error %v, not below %v", bits, fb.FitError, prev)
		}
		prev = fb.FitError
		if len(fb.Levels) != 1<<bits || !slices.IsSorted(fb.Bounds) {
			t.Fatalf("levels %v bounds %v", fb.Levels, fb.Bounds)
		}
		xg := x.Clone().SetRequiresGrad(true)
		y := a.Forward(xg)
		closeTo(t, "fewbit forward", y.Float64s(), exact, 0)
		seed := randT(5, 1000)
		g := tensor.Grad([]*tensor.Tensor{y}, []*tensor.Tensor{xg}, []*tensor.Tensor{seed}, true)[0]
		want := make([]float64, 1000)
		for i, v := range xv {
			want[i] = seed.Float64s()[i] * fb.Derivative(v)
		}
		closeTo(t, "fewbit gradient", g.Float64s(), want, 0)
		// the surrogate derivative is piecewise constant: no second derivative
		if g.RequiresGrad() {
			closeTo(t, "fewbit second derivative", tensor.Grad1(g, xg, false).Float64s(), make([]float64, 1000), 0)
		}
		// float32
		x32 := tensor.FromFloat64s(tensor.Float32, xv, 1000).SetRequiresGrad(true)
		g32 := tensor.Grad1(a.Forward(x32), x32, false).ToFloat64s()
		for i, v := range x32.ToFloat64s() {
			if g32[i] != float64(float32(fb.Derivative(v))) {
				t.Fatalf("float32 gradient %v at %v, want %v", g32[i], v, fb.Derivative(v))
			}
		}
		stored, full := fb.CodeBytes(1000), 4*1000
		t.Logf("gelu %d-bit: fit RMS error %.4f (φ-weighted), levels %.3f; saved %d bytes for 1000 elements vs %d in float32 (%.1f%%)",
			bits, fb.FitError, fb.Levels, stored, full, 100*float64(stored)/float64(full))
		if stored != (1000*bits+7)/8 {
			t.Errorf("stored %d bytes", stored)
		}
	}
	if prev > 0.025 {
		t.Errorf("4-bit GELU fit error %v", prev)
	}
}

func TestFewBitPacking(t *testing.T) {
	r := rng(9)
	for bits := 1; bits <= 4; bits++ {
		k := 1 << bits
		fb := &FewBit{Bits: bits}
		for c := range k {
			fb.Levels = append(fb.Levels, float64(c))
			if c > 0 {
				fb.Bounds = append(fb.Bounds, float64(c)-0.5)
			}
		}
		for _, n := range []int{1, 7, 8, 9, 333} {
			codes := make([]float64, n)
			for i := range codes {
				codes[i] = float64(r.IntN(k))
			}
			packed := encodeFewBit(fb, codes)
			if len(packed) != fb.CodeBytes(n) {
				t.Fatalf("%d bits, %d codes: %d bytes", bits, n, len(packed))
			}
			got := make([]float64, n)
			decodeFewBit(got, packed, fb.Levels, bits)
			if !slices.Equal(got, codes) {
				t.Fatalf("%d bits: decoded %v, want %v", bits, got, codes)
			}
		}
	}
}

func TestFewBitErrors(t *testing.T) {
	if _, err := NewFewBit(mustAct(t, "{name: snake, learnable: true}"), 2); err == nil || !strings.Contains(err.Error(), "learnable") {
		t.Errorf("learnable: %v", err)
	}
	if _, err := NewFewBit(mustAct(t, "glu"), 2); err == nil {
		t.Error("glu accepted")
	}
	if _, err := NewFewBit(mustAct(t, "gelu"), 5); err == nil {
		t.Error("5 bits accepted")
	}
	if _, err := ParseActivation("{name: glu, fewbit: 2}"); err == nil || !strings.Contains(err.Error(), `unknown parameter "fewbit"`) {
		t.Errorf("fewbit on glu: %v", err)
	}
	// Without gradients the forward pass is the base's.
	a := mustAct(t, "{name: silu, fewbit: 3}")
	x := tensor.RandN(rand.New(rand.NewPCG(1, 2)), tensor.Float32, 5)
	closeTo(t, "no grad", a.Forward(x).ToFloat64s(), mustAct(t, "silu").Forward(x).ToFloat64s(), 0)
	// identity is copied, not aliased, when recorded
	fb, err := NewFewBit(mustAct(t, "identity"), 1)
	if err != nil {
		t.Fatal(err)
	}
	xg := randT(2, 4).SetRequiresGrad(true)
	if y := fb.Forward(xg); y.RequiresGrad() != true || &y.Float64s()[0] == &xg.Float64s()[0] {
		t.Error("identity few-bit output aliases its input")
	}
}
