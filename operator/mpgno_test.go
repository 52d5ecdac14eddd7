package operator

import (
	"context"
	"errors"
	"iter"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/sciml-go/sciml/tensor"
)

// TestMultipoleGNOOneLevel: with one level the multipole GNO is the GNO
// (same lifting, kernel, skips and projection give the same output).
func TestMultipoleGNOOneLevel(t *testing.T) {
	mc := MultipoleGNOConfig{GNOConfig: GNOConfig{Common: Common{Dim: 2, In: 1, Out: 1, DType: "float64"}, Stack: Stack{Width: 3, Layers: 2, Projection: 4}, KernelHidden: []int{4}, Radius: 0.3}, Levels: 1}
	mp, err := NewMultipoleGNO(mc, rng(1))
	if err != nil {
		t.Fatal(err)
	}
	g, err := NewGNO(mc.GNOConfig, rng(2))
	if err != nil {
		t.Fatal(err)
	}
	g.Lift, g.Kernel, g.Skip, g.Project = mp.Lift, mp.Within[0], mp.Skip, mp.Project
	x := tensor.RandN(rng(3), tensor.Float64, 2, 1, 5, 6)
	if d := maxAbsDiff(mp.Forward(x).Float64s(), g.Forward(x).Float64s()); d > 1e-12 {
		t.Fatalf("one-level multipole GNO differs from the GNO by %g", d)
	}
}

func TestMultipoleGNOHierarchy(t *testing.T) {
	mc := MultipoleGNOConfig{GNOConfig: GNOConfig{Common: Common{Dim: 2, In: 1, Out: 2}, Stack: Stack{Width: 3, Layers: 2, Projection: 4}, KernelHidden: []int{4}, Radius: 0.15}, Levels: 3}
	m, err := NewMultipoleGNO(mc, rng(1))
	if err != nil {
		t.Fatal(err)
	}
	h := m.hierarchyOf([]int{9, 7})
	if got := []int{len(h.idx[0]), len(h.idx[1]), len(h.idx[2])}; !slices.Equal(got, []int{63, 20, 6}) {
		t.Fatalf("level sizes %v, want [63 20 6] (9×7, 5×4, 3×2)", got)
	}
	for l := range 2 {
		for x, d := range h.up[l].Degree {
			if d == 0 {
				t.Fatalf("level %d point %d receives nothing from the coarser level", l, x)
			}
		}
	}
	for _, s := range [][2]int{{9, 7}, {16, 16}} {
		y := m.Forward(tensor.RandN(rng(2), tensor.Float32, 2, 1, s[0], s[1]))
		if !slices.Equal(y.Shape(), []int{2, 2, s[0], s[1]}) {
			t.Fatalf("output %v", y.Shape())
		}
	}
	if _, err := NewMultipoleGNO(MultipoleGNOConfig{GNOConfig: GNOConfig{Common: Common{Dim: 2, In: 1, Out: 1}}, Levels: -1}, rng(1)); err == nil {
		t.Fatal("accepted levels -1")
	}
}

func TestMultipoleGNOGradients(t *testing.T) {
	mc := MultipoleGNOConfig{GNOConfig: GNOConfig{Common: Common{Dim: 1, In: 1, Out: 1, Activation: "tanh", DType: "float64"}, Stack: Stack{Width: 2, Layers: 2, Projection: 3}, KernelHidden: []int{3}, Radius: 0.2}, Levels: 3}
	m, err := NewMultipoleGNO(mc, rng(4))
	if err != nil {
		t.Fatal(err)
	}
	x := tensor.RandN(rng(5), tensor.Float64, 2, 1, 9)
	w0, w1 := m.Up[1].Layers[0].Weight, m.Down[0].Layers[1].Weight
	err = tensor.GradCheck(func(xs []*tensor.Tensor) *tensor.Tensor {
		m.Up[1].Layers[0].Weight, m.Down[0].Layers[1].Weight = xs[1], xs[2]
		return m.Forward(xs[0])
	}, []*tensor.Tensor{x, w0, w1}, tensor.CheckOptions{Atol: 1e-6, Rtol: 1e-5})
	m.Up[1].Layers[0].Weight, m.Down[0].Layers[1].Weight = w0, w1
	if err != nil {
		t.Fatal(err)
	}
}

// TestMultipoleGNOInfer: Infer, which builds each integral's graph and
// kernels a part of the destinations at a time, equals Forward, with the
// kernels kept across the V-cycle iterations and with them recomputed
// (no memory for them).
func TestMultipoleGNOInfer(t *testing.T) {
	m := inferTestModel(t)
	var _ Inferencer = m
	x := tensor.RandN(rng(8), tensor.Float64, 2, 1, 13, 11)
	want := m.Forward(x).Float64s()
	defer func(e int, b int64) { mpInferEdges, mpKernelBytes = e, b }(mpInferEdges, mpKernelBytes)
	for _, c := range []struct {
		edges  int
		budget int64
	}{{1 << 18, 1 << 30}, {300, 1 << 30}, {300, 0}, {1, 0}} {
		mpInferEdges, mpKernelBytes = c.edges, c.budget
		y := mustInfer(t, m, x)
		if !slices.Equal(y.Shape(), []int{2, 2, 13, 11}) || y.RequiresGrad() {
			t.Fatalf("parts of %d edges: output %v (requires grad %v)", c.edges, y.Shape(), y.RequiresGrad())
		}
		if d := maxAbsDiff(y.Float64s(), want); d > 1e-12 {
			t.Errorf("parts of %d edges, %d bytes for kernels: Infer differs from Forward by %g", c.edges, c.budget, d)
		}
	}
}

// cancelAfter is a context whose Err reports cancellation from its n-th
// call on, and counts the calls.
type cancelAfter struct {
	context.Context
	n, calls atomic.Int64
}

func (c *cancelAfter) Err() error {
	if c.calls.Add(1) >= c.n.Load() {
		return context.Canceled
	}
	return nil
}

// TestInferCancel: Infer checks its context between parts. Cancelled a few
// parts in, the multipole GNO skips the rest (it asks the context about as
// many more times as it has integrals, not once a part) and returns the
// error, as do Resampled around it and Evaluate; the GNO's chunked Infer
// returns it too.
func TestInferCancel(t *testing.T) {
	m := inferTestModel(t)
	x := tensor.RandN(rng(8), tensor.Float64, 2, 1, 13, 11)
	defer func(e int) { mpInferEdges = e }(mpInferEdges)
	mpInferEdges = 1 // a part per destination point
	all := &cancelAfter{Context: context.Background()}
	all.n.Store(1 << 40)
	if _, err := m.Infer(all, x); err != nil {
		t.Fatal(err)
	}
	full := all.calls.Load()
	if full < 1000 {
		t.Fatalf("Infer asked its context %d times; the test wants a part per point", full)
	}
	for _, op := range []struct {
		name string
		m    Inferencer
	}{{"multipole GNO", m}, {"Resampled", &Resampled{Model: m, Sizes: []int{13, 11}, Mode: tensor.InterpLinear}}} {
		ctx := &cancelAfter{Context: context.Background()}
		ctx.n.Store(5)
		y, err := op.m.Infer(ctx, x)
		if !errors.Is(err, context.Canceled) || y != nil {
			t.Fatalf("%s: cancelled in the 5th part: output %v, error %v", op.name, y, err)
		}
		if c := ctx.calls.Load(); c > 100 {
			t.Errorf("%s: cancelled in the 5th part, it asked its context %d more times (%d in all uncancelled): the parts left were not skipped", op.name, c-5, full)
		}
	}
	ctx := &cancelAfter{Context: context.Background()}
	ctx.n.Store(5)
	batches := func(yield func(Batch, error) bool) {
		yield(Batch{Input: x, Output: tensor.Zeros(tensor.Float64, 2, 2, 13, 11)}, nil)
	}
	if _, err := Evaluate(ctx, m, iter.Seq2[Batch, error](batches), EvalOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Evaluate cancelled during Infer: error %v", err)
	}

	g := subsampledGNO(t, 10)
	defer func(e int) { inferEdges = e }(inferEdges)
	inferEdges = 2 * 2 * 40
	ctx = &cancelAfter{Context: context.Background()}
	ctx.n.Store(2)
	if y, err := g.Infer(ctx, x); !errors.Is(err, context.Canceled) || y != nil {
		t.Errorf("GNO cancelled after a chunk: output %v, error %v", y, err)
	}
}

// inferTestModel is the three-level multipole GNO of the Infer tests
// (float64, width 3, 13×11 grids in them).
func inferTestModel(t *testing.T) *MultipoleGNO {
	t.Helper()
	mc := MultipoleGNOConfig{GNOConfig: GNOConfig{Common: Common{Dim: 2, In: 1, Out: 2, DType: "float64"},
		Stack: Stack{Width: 3, Layers: 3, Projection: 4}, KernelHidden: []int{5}, Radius: 0.15}, Levels: 3}
	m, err := NewMultipoleGNO(mc, rng(7))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// mustInfer returns m.Infer(x) without cancellation, failing t on error.
func mustInfer(t *testing.T, m Inferencer, x *tensor.Tensor) *tensor.Tensor {
	t.Helper()
	y, err := m.Infer(context.Background(), x)
	if err != nil {
		t.Fatal(err)
	}
	return y
}
