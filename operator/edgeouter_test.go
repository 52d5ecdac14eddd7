package operator

import (
	"math"
	"testing"

	"github.com/sciml-go/sciml/internal/sgemm"
	"github.com/sciml-go/sciml/tensor"
)

// edgeCase is a small bipartite graph with repeated ends: 9 edges from 4
// points to 5.
func edgeCase() (from, to []int, wt []float64) {
	from = []int{0, 1, 3, 3, 2, 0, 1, 3, 2}
	to = []int{4, 0, 0, 2, 4, 4, 1, 3, 0}
	r := rng(31)
	for range from {
		wt = append(wt, 0.2+r.Float64())
	}
	return from, to, wt
}

// TestEdgeOuterSum checks the fused per-node sums of outer products
// against their composition (float64 and float32, with a node that has
// no edge), first derivatives of the fused backward kernels and second
// derivatives through the composed rule.
func TestEdgeOuterSum(t *testing.T) {
	from, to, wt := edgeCase() // destinations 0–4; node 5 gets no edge
	h := tensor.RandN(rng(40), tensor.Float64, 2, 9, 4)
	v := tensor.RandN(rng(41), tensor.Float64, 2, 3, 4)
	want := edgeOuterSumComposed(h, v, from, to, wt, 6).Float64s()
	if d := maxAbsDiff(edgeOuterSum(h, v, from, to, wt, 6).Float64s(), want); d > 1e-14 {
		t.Fatalf("differs from the composition by %g", d)
	}
	h32, v32 := tensor.FromFloat64s(tensor.Float32, h.Float64s(), h.Shape()...), tensor.FromFloat64s(tensor.Float32, v.Float64s(), v.Shape()...)
	if d := maxAbsDiff(edgeOuterSum(h32, v32, from, to, wt, 6).ToFloat64s(), want); d > 1e-5 {
		t.Fatalf("float32 differs by %g", d)
	}
	// float32 gradients (internal/sgemm's small products for w ≤ 16, BLAS
	// above) against float64.
	for _, w := range []int{3, 16, 17} {
		h := tensor.RandN(rng(47), tensor.Float64, 2, 9, 5)
		v := tensor.RandN(rng(48), tensor.Float64, 2, w, 4)
		g := tensor.RandN(rng(49), tensor.Float64, 2, 6, 5, w)
		grads := func(dt tensor.DType) [][]float64 {
			hh := tensor.FromFloat64s(dt, h.Float64s(), h.Shape()...).SetRequiresGrad(true)
			vv := tensor.FromFloat64s(dt, v.Float64s(), v.Shape()...).SetRequiresGrad(true)
			y := edgeOuterSum(hh, vv, from, to, wt, 6)
			gs := tensor.Grad([]*tensor.Tensor{y}, []*tensor.Tensor{hh, vv}, []*tensor.Tensor{tensor.FromFloat64s(dt, g.Float64s(), g.Shape()...)}, false)
			return [][]float64{y.ToFloat64s(), gs[0].ToFloat64s(), gs[1].ToFloat64s()}
		}
		a, b := grads(tensor.Float64), grads(tensor.Float32)
		for i := range a {
			if d := maxAbsDiff(a[i], b[i]); d > 2e-5 {
				t.Fatalf("w = %d: float32 output %d differs from float64 by %g", w, i, d)
			}
		}
	}
	opt := tensor.CheckOptions{Atol: 1e-7, Rtol: 1e-6}
	f := func(xs []*tensor.Tensor) *tensor.Tensor { return edgeOuterSum(xs[0], xs[1], from, to, wt, 6) }
	if err := tensor.GradCheck(f, []*tensor.Tensor{h, v}, opt); err != nil {
		t.Fatal(err)
	}
	if err := tensor.GradGradCheck(f, []*tensor.Tensor{h, v}, opt); err != nil {
		t.Fatalf("second derivatives: %v", err)
	}
	// One input at a time (the other one's gradient not wanted).
	for i := range 2 {
		hh, vv := h.Clone().SetRequiresGrad(i == 0), v.Clone().SetRequiresGrad(i == 1)
		g := tensor.RandN(rng(42), tensor.Float64, 2, 6, 4, 3)
		x := []*tensor.Tensor{hh, vv}[i]
		got := tensor.Grad([]*tensor.Tensor{edgeOuterSum(hh, vv, from, to, wt, 6)}, []*tensor.Tensor{x}, []*tensor.Tensor{g}, false)[0]
		hc, vc := h.Clone().SetRequiresGrad(true), v.Clone().SetRequiresGrad(true)
		ref := tensor.Grad([]*tensor.Tensor{edgeOuterSumComposed(hc, vc, from, to, wt, 6)}, []*tensor.Tensor{[]*tensor.Tensor{hc, vc}[i]}, []*tensor.Tensor{g}, false)[0]
		if d := maxAbsDiff(got.Float64s(), ref.Float64s()); d > 1e-13 {
			t.Fatalf("gradient %d alone differs from the composition's by %g", i, d)
		}
	}
}

// TestEdgeOuterSumThreads checks that the sums and their gradients are
// bitwise the same on 1 and 3 threads.
func TestEdgeOuterSumThreads(t *testing.T) {
	const e, n, k, w = 9000, 700, 9, 4
	r := rng(43)
	from, to, wt := make([]int, e), make([]int, e), make([]float64, e)
	for j := range from {
		from[j], to[j], wt[j] = r.IntN(n), r.IntN(n), r.Float64()
	}
	h := tensor.RandN(rng(44), tensor.Float32, 2, e, k)
	v := tensor.RandN(rng(45), tensor.Float32, 2, w, n)
	g := tensor.RandN(rng(46), tensor.Float32, 2, n, k, w)
	run := func(threads int) [][]float64 {
		tensor.SetThreads(threads)
		defer tensor.SetThreads(0)
		hh, vv := h.Clone().SetRequiresGrad(true), v.Clone().SetRequiresGrad(true)
		y := edgeOuterSum(hh, vv, from, to, wt, n)
		gs := tensor.Grad([]*tensor.Tensor{y}, []*tensor.Tensor{hh, vv}, []*tensor.Tensor{g}, false)
		return [][]float64{y.ToFloat64s(), gs[0].ToFloat64s(), gs[1].ToFloat64s()}
	}
	a, b := run(1), run(3)
	for i := range a {
		for j := range a[i] {
			if a[i][j] != b[i][j] {
				t.Fatalf("output %d element %d: %v on 1 thread, %v on 3", i, j, a[i][j], b[i][j])
			}
		}
	}
}

// TestEdgeOuterSumSegments checks sgemm's C loops over blocks of nodes
// (float32, w ≤ 16) bit for bit against the Go loops over the nodes, on a
// radius graph whose edges come grouped by destination (the consecutive
// case, written in place) and on the same edges shuffled (gathered), with
// nodes without edges: the sums, ∂h and ∂v.
func TestEdgeOuterSumSegments(t *testing.T) {
	if !sgemm.Available() {
		t.Skip("sgemm kernels not available")
	}
	defer func() { segmentKernels = true }()
	r := rng(50)
	pts := make([][2]float64, 300)
	for i := range pts {
		pts[i] = [2]float64{r.Float64(), r.Float64()}
	}
	var from, to []int
	for x := range 280 { // the last 20 of 300 destinations get no edge
		for y := range pts {
			if dx, dy := pts[x][0]-pts[y][0], pts[x][1]-pts[y][1]; dx*dx+dy*dy < 0.01 {
				from, to = append(from, y), append(to, x)
			}
		}
	}
	shuffled := r.Perm(len(from))
	sf, st := make([]int, len(from)), make([]int, len(from))
	for i, j := range shuffled {
		sf[i], st[i] = from[j], to[j]
	}
	wt := make([]float64, len(from))
	for i := range wt {
		wt[i] = 0.1 + r.Float64()
	}
	for _, c := range []struct {
		name     string
		from, to []int
		w        int
	}{{"grouped", from, to, 16}, {"grouped", from, to, 5}, {"shuffled", sf, st, 16}, {"shuffled", sf, st, 7}} {
		e := len(c.from)
		h := tensor.RandN(rng(51), tensor.Float32, 3, e, 33)
		v := tensor.RandN(rng(52), tensor.Float32, 3, c.w, len(pts))
		g := tensor.RandN(rng(53), tensor.Float32, 3, len(pts), 33, c.w)
		run := func(kernels bool) [][]float32 {
			segmentKernels = kernels
			hh, vv := h.Clone().SetRequiresGrad(true), v.Clone().SetRequiresGrad(true)
			y := edgeOuterSum(hh, vv, c.from, c.to, wt, len(pts))
			gs := tensor.Grad([]*tensor.Tensor{y}, []*tensor.Tensor{hh, vv}, []*tensor.Tensor{g}, false)
			return [][]float32{y.Float32s(), gs[0].Float32s(), gs[1].Float32s()}
		}
		got, want := run(true), run(false)
		for i, name := range []string{"sums", "∂h", "∂v"} {
			for j := range want[i] {
				if math.Float32bits(got[i][j]) != math.Float32bits(want[i][j]) {
					t.Fatalf("%s, w = %d: %s[%d] = %g, Go loops %g", c.name, c.w, name, j, got[i][j], want[i][j])
				}
			}
		}
	}
}
