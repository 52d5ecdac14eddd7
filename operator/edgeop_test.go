package operator

import (
	"testing"

	"github.com/sciml-go/sciml/tensor"
)

// TestEdgeMatVec checks both products against Mul and SumAxes, and the
// first and second derivatives (float64).
func TestEdgeMatVec(t *testing.T) {
	k := tensor.RandN(rng(21), tensor.Float64, 5, 3, 3)
	u := tensor.RandN(rng(22), tensor.Float64, 5, 3)
	want := tensor.SumAxes(tensor.Mul(k, tensor.Reshape(u, 5, 1, 3)), []int{2}, false)
	if d := maxAbsDiff(edgeMatVec(k, u, false).Float64s(), want.Float64s()); d > 1e-14 {
		t.Fatalf("k u differs by %g", d)
	}
	wantT := tensor.SumAxes(tensor.Mul(k, tensor.Reshape(u, 5, 3, 1)), []int{1}, false)
	if d := maxAbsDiff(edgeMatVec(k, u, true).Float64s(), wantT.Float64s()); d > 1e-14 {
		t.Fatalf("kᵀ u differs by %g", d)
	}
	k32, u32 := tensor.FromFloat64s(tensor.Float32, k.Float64s(), 5, 3, 3), tensor.FromFloat64s(tensor.Float32, u.Float64s(), 5, 3)
	if d := maxAbsDiff(edgeMatVec(k32, u32, false).ToFloat64s(), want.Float64s()); d > 1e-5 {
		t.Fatalf("float32 differs by %g", d)
	}
	for _, trans := range []bool{false, true} {
		f := func(xs []*tensor.Tensor) *tensor.Tensor { return edgeMatVec(xs[0], xs[1], trans) }
		opt := tensor.CheckOptions{Atol: 1e-7, Rtol: 1e-6}
		if err := tensor.GradCheck(f, []*tensor.Tensor{k, u}, opt); err != nil {
			t.Fatalf("trans %v: %v", trans, err)
		}
		if err := tensor.GradGradCheck(f, []*tensor.Tensor{k, u}, opt); err != nil {
			t.Fatalf("trans %v: second derivatives: %v", trans, err)
		}
	}
}
