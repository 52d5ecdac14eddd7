package operator

import (
	"testing"

	"github.com/sciml-go/sciml/tensor"
)

// integrateRef is edgeIntegrate written with tensor operations: gather,
// per-edge product by Mul and SumAxes, weights, scatter-add.
func integrateRef(k, v *tensor.Tensor, from, to []int, wt []float64, nOut int, trans bool) *tensor.Tensor {
	bs, w, e, dt := v.Dim(0), v.Dim(1), len(from), v.DType()
	vy := tensor.Permute(tensor.IndexSelect(v, 2, from), 0, 2, 1) // [B, E, W]
	var msg *tensor.Tensor
	if trans {
		msg = tensor.SumAxes(tensor.Mul(k, tensor.Reshape(vy, bs, e, w, 1)), []int{2}, false)
	} else {
		msg = tensor.SumAxes(tensor.Mul(k, tensor.Reshape(vy, bs, e, 1, w)), []int{3}, false)
	}
	msg = tensor.Mul(msg, tensor.FromFloat64s(dt, wt, 1, e, 1))
	return tensor.IndexAdd(tensor.Zeros(dt, bs, w, nOut), 2, to, tensor.Permute(msg, 0, 2, 1))
}

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

// TestEdgeIntegrate checks the fused kernel integral against the
// composition of tensor operations (float64 and float32), its first and
// second derivatives, and those of edgeOuter (its kernel gradient).
func TestEdgeIntegrate(t *testing.T) {
	from, to, wt := edgeCase()
	k := tensor.RandN(rng(32), tensor.Float64, 2, 9, 3, 3)
	v := tensor.RandN(rng(33), tensor.Float64, 2, 3, 4)
	opt := tensor.CheckOptions{Atol: 1e-7, Rtol: 1e-6}
	for _, trans := range []bool{false, true} {
		want := integrateRef(k, v, from, to, wt, 5, trans).Float64s()
		if d := maxAbsDiff(edgeIntegrate(k, v, from, to, wt, 5, trans).Float64s(), want); d > 1e-14 {
			t.Fatalf("trans %v: differs from the composition by %g", trans, d)
		}
		k32, v32 := tensor.FromFloat64s(tensor.Float32, k.Float64s(), k.Shape()...), tensor.FromFloat64s(tensor.Float32, v.Float64s(), v.Shape()...)
		if d := maxAbsDiff(edgeIntegrate(k32, v32, from, to, wt, 5, trans).ToFloat64s(), want); d > 1e-5 {
			t.Fatalf("trans %v: float32 differs by %g", trans, d)
		}
		f := func(xs []*tensor.Tensor) *tensor.Tensor { return edgeIntegrate(xs[0], xs[1], from, to, wt, 5, trans) }
		if err := tensor.GradCheck(f, []*tensor.Tensor{k, v}, opt); err != nil {
			t.Fatalf("trans %v: %v", trans, err)
		}
		if err := tensor.GradGradCheck(f, []*tensor.Tensor{k, v}, opt); err != nil {
			t.Fatalf("trans %v: second derivatives: %v", trans, err)
		}
	}
	p := tensor.RandN(rng(34), tensor.Float64, 2, 3, 5)
	for _, swap := range []bool{false, true} {
		f := func(xs []*tensor.Tensor) *tensor.Tensor { return edgeOuter(xs[0], xs[1], to, from, wt, swap) }
		if err := tensor.GradCheck(f, []*tensor.Tensor{p, v}, opt); err != nil {
			t.Fatalf("outer, swap %v: %v", swap, err)
		}
		if err := tensor.GradGradCheck(f, []*tensor.Tensor{p, v}, opt); err != nil {
			t.Fatalf("outer, swap %v: second derivatives: %v", swap, err)
		}
	}
}

// TestEdgeIntegrateThreads checks that the fused integral and its
// gradients are bitwise the same on 1 and 3 threads, at a size that
// splits the edges into several parallel chunks.
func TestEdgeIntegrateThreads(t *testing.T) {
	const e, n = 9000, 700
	r := rng(35)
	from, to, wt := make([]int, e), make([]int, e), make([]float64, e)
	for j := range from {
		from[j], to[j], wt[j] = r.IntN(n), r.IntN(n), r.Float64()
	}
	k := tensor.RandN(rng(36), tensor.Float32, 2, e, 4, 4)
	v := tensor.RandN(rng(37), tensor.Float32, 2, 4, n)
	g := tensor.RandN(rng(38), tensor.Float32, 2, 4, n)
	run := func(threads int) [][]float64 {
		tensor.SetThreads(threads)
		defer tensor.SetThreads(0)
		kk, vv := k.Clone().SetRequiresGrad(true), v.Clone().SetRequiresGrad(true)
		y := edgeIntegrate(kk, vv, from, to, wt, n, false)
		gs := tensor.Grad([]*tensor.Tensor{y}, []*tensor.Tensor{kk, vv}, []*tensor.Tensor{g}, false)
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
