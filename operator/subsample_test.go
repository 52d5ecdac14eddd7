package operator

import (
	"slices"
	"strings"
	"testing"

	"github.com/sciml-go/sciml/tensor"
)

func subsampledGNO(t *testing.T, m int) *GNO {
	t.Helper()
	cfg := GNOConfig{Common: Common{Dim: 2, In: 1, Out: 1, Activation: "tanh", DType: "float64"}, Stack: Stack{Width: 3, Layers: 2, Projection: 4}, KernelHidden: []int{5}, Radius: 0.35, SampleNodes: m}
	g, err := NewGNO(cfg, rng(11))
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// TestSampleNodesDeterministic: the nodes of a training sample depend on
// (seed, epoch, batch, sample) only; they are m distinct sorted nodes,
// and differ between samples, batches, epochs and seeds.
func TestSampleNodesDeterministic(t *testing.T) {
	g := subsampledGNO(t, 20)
	a := g.SampleNodes(77, 5, 3, 2, 1)
	if !slices.Equal(a, g.SampleNodes(77, 5, 3, 2, 1)) {
		t.Fatal("the same draw differs")
	}
	if len(a) != 20 || !slices.IsSorted(a) || a[0] < 0 || a[19] >= 77 || len(slices.Compact(slices.Clone(a))) != 20 {
		t.Fatalf("draw %v: want 20 distinct sorted nodes of 77", a)
	}
	for _, b := range [][]int{g.SampleNodes(77, 6, 3, 2, 1), g.SampleNodes(77, 5, 4, 2, 1), g.SampleNodes(77, 5, 3, 3, 1), g.SampleNodes(77, 5, 3, 2, 0)} {
		if slices.Equal(a, b) {
			t.Errorf("draws for other (seed, epoch, batch, sample) equal %v", a)
		}
	}
	if all := g.SampleNodes(15, 0, 0, 0, 0); len(all) != 15 {
		t.Errorf("m ≥ n: %d nodes, want all 15", len(all))
	}
	if subsampledGNO(t, 0).SampleNodes(77, 5, 3, 2, 1) != nil {
		t.Error("sample_nodes 0 draws nodes")
	}
}

// TestPartitionGraph: the partition covers every node once with parts of
// ⌊N/P⌋ or ⌈N/P⌉ ≤ m nodes, and Forward's graph is the union of the
// radius graphs of the parts (against brute force).
func TestPartitionGraph(t *testing.T) {
	g := subsampledGNO(t, 10)
	gg := g.gridGraph([]int{7, 6}, 0)
	n := 42
	if len(gg.parts) != 5 {
		t.Fatalf("%d parts of 42 nodes at m = 10, want 5", len(gg.parts))
	}
	seen := make([]int, n)
	for _, p := range gg.parts {
		if len(p) < 8 || len(p) > 9 || !slices.IsSorted(p) {
			t.Fatalf("part %v: want 8 or 9 sorted nodes", p)
		}
		for _, x := range p {
			seen[x]++
		}
	}
	for x, c := range seen {
		if c != 1 {
			t.Fatalf("node %d in %d parts", x, c)
		}
	}
	var want [][2]int
	for _, p := range gg.parts {
		for _, e := range bruteRadius(gatherPoints(gg.pts, 2, p), 2, 0.35) {
			want = append(want, [2]int{p[e[0]], p[e[1]]})
		}
	}
	var got [][2]int
	for e := range gg.g.Src {
		got = append(got, [2]int{gg.g.Src[e], gg.g.Dst[e]})
	}
	slices.SortFunc(want, func(a, b [2]int) int { return slices.Compare([]int{a[1], a[0]}, []int{b[1], b[0]}) })
	if !slices.Equal(got, want) {
		t.Fatalf("union graph: %d edges, want %d (sorted by destination)", len(got), len(want))
	}
	for x := range n {
		d := 0
		for _, e := range want {
			if e[1] == x {
				d++
			}
		}
		if gg.g.Degree[x] != d {
			t.Fatalf("degree of %d: %d, want %d", x, gg.g.Degree[x], d)
		}
	}
	if !slices.Equal(partitionNodes(42, 10, 0)[2], gg.parts[2]) {
		t.Error("the partition of a grid changes between calls")
	}
}

// TestForwardNodesMatchesParts: Forward on a grid evaluates each part of
// the partition on its own graph, so its values at a part equal
// ForwardNodes on that part; Infer, in chunks of a part or two, equals
// Forward; ForwardNodes with different node sets per sample runs each
// sample on its own.
func TestForwardNodesMatchesParts(t *testing.T) {
	g := subsampledGNO(t, 10)
	x := tensor.RandN(rng(12), tensor.Float64, 2, 1, 7, 6)
	full := g.Forward(x)
	gg := g.gridGraph([]int{7, 6}, 0)
	for _, p := range gg.parts {
		got := g.ForwardNodes(x, [][]int{p, p})
		if d := maxAbsDiff(got.Float64s(), GatherNodes(full, [][]int{p, p}).Float64s()); d > 1e-13 {
			t.Fatalf("part %v: ForwardNodes and Forward differ by %g", p, d)
		}
	}
	defer func(e int) { inferEdges = e }(inferEdges)
	inferEdges = 2 * 2 * 40
	if d := maxAbsDiff(mustInfer(t, g, x).Float64s(), full.Float64s()); d > 1e-13 {
		t.Fatalf("Infer and Forward differ by %g", d)
	}
	p0, p1 := gg.parts[0], gg.parts[1][:len(gg.parts[0])]
	both := g.ForwardNodes(x, [][]int{p0, p1})
	x0 := tensor.Narrow(x, 0, 0, 1)
	x1 := tensor.Narrow(x, 0, 1, 1)
	want := tensor.Concat(0, g.ForwardNodes(x0, [][]int{p0}), g.ForwardNodes(x1, [][]int{p1}))
	if d := maxAbsDiff(both.Float64s(), want.Float64s()); d > 1e-13 {
		t.Fatalf("a batch of two node sets differs from each alone by %g", d)
	}
}

// TestGatherScatterNodes: ScatterNodes is the adjoint of GatherNodes, and
// gathering picks b·n + node.
func TestGatherScatterNodes(t *testing.T) {
	x := tensor.RandN(rng(13), tensor.Float64, 2, 3, 4, 5)
	nodes := [][]int{{0, 7, 19}, {3, 4, 18}}
	g := GatherNodes(x, nodes)
	xv, gv := x.Float64s(), g.Float64s()
	for b := range 2 {
		for c := range 3 {
			for j, p := range nodes[b] {
				if gv[(b*3+c)*3+j] != xv[(b*3+c)*20+p] {
					t.Fatalf("gather [%d, %d, %d] = %v, want %v", b, c, j, gv[(b*3+c)*3+j], xv[(b*3+c)*20+p])
				}
			}
		}
	}
	v := tensor.RandN(rng(14), tensor.Float64, 2, 3, 3)
	s := ScatterNodes(v, nodes, []int{4, 5})
	if !slices.Equal(s.Shape(), []int{2, 3, 4, 5}) {
		t.Fatalf("scatter shape %v", s.Shape())
	}
	lhs := tensor.Sum(tensor.Mul(g, v)).Item()
	rhs := tensor.Sum(tensor.Mul(x, s)).Item()
	if d := lhs - rhs; d > 1e-12 || d < -1e-12 {
		t.Fatalf("⟨Gx, v⟩ = %v, ⟨x, Sv⟩ = %v", lhs, rhs)
	}
}

func TestForwardNodesGradients(t *testing.T) {
	g := subsampledGNO(t, 12)
	x := tensor.RandN(rng(15), tensor.Float64, 2, 1, 5, 5)
	nodes := [][]int{g.SampleNodes(25, 1, 0, 0, 0), g.SampleNodes(25, 1, 0, 0, 1)}
	w := g.Kernel.Layers[1].Weight
	err := tensor.GradCheck(func(xs []*tensor.Tensor) *tensor.Tensor {
		g.Kernel.Layers[1].Weight = xs[1]
		return ScatterNodes(g.ForwardNodes(xs[0], nodes), nodes, []int{5, 5})
	}, []*tensor.Tensor{x, w}, tensor.CheckOptions{Atol: 1e-6, Rtol: 1e-5})
	g.Kernel.Layers[1].Weight = w
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewMultipoleGNO(MultipoleGNOConfig{GNOConfig: GNOConfig{Common: Common{Dim: 2, In: 1, Out: 1}, SampleNodes: 10}}, rng(1)); err == nil {
		t.Error("the multipole GNO accepted sample_nodes")
	}
}

// TestEvalPartitions: with eval_partitions L, Forward and Infer are the
// mean over L partitions of the prediction of each node on its part's own
// graph (ForwardNodes on that part), the partitions differ and each
// covers every node once, and the first is the partition used alone.
func TestEvalPartitions(t *testing.T) {
	const L = 3
	g := subsampledGNO(t, 10)
	g.Config.EvalPartitions = L
	x := tensor.RandN(rng(16), tensor.Float64, 2, 1, 7, 6)
	sizes := []int{7, 6}
	want := make([]float64, 2*42)
	for l := range L {
		gg := g.gridGraph(sizes, l)
		seen := make([]int, 42)
		for _, p := range gg.parts {
			for _, v := range p {
				seen[v]++
			}
			y := ScatterNodes(g.ForwardNodes(x, [][]int{p, p}), [][]int{p, p}, sizes).Float64s()
			for i, v := range y {
				want[i] += v
			}
		}
		for v, k := range seen {
			if k != 1 {
				t.Fatalf("partition %d: node %d in %d parts", l, v, k)
			}
		}
		if l > 0 && slices.Equal(gg.parts[0], g.gridGraph(sizes, 0).parts[0]) {
			t.Fatalf("partitions 0 and %d begin with the same part", l)
		}
	}
	for i := range want {
		want[i] /= L
	}
	if d := maxAbsDiff(g.Forward(x).Float64s(), want); d > 1e-13 {
		t.Fatalf("Forward differs from the mean over %d partitions by %g", L, d)
	}
	defer func(e int) { inferEdges = e }(inferEdges)
	inferEdges = 2 * 2 * 40
	if d := maxAbsDiff(mustInfer(t, g, x).Float64s(), want); d > 1e-13 {
		t.Fatalf("Infer differs from the mean over %d partitions by %g", L, d)
	}
	one := subsampledGNO(t, 10)
	if !slices.Equal(one.gridGraph(sizes, 0).parts[3], g.gridGraph(sizes, 0).parts[3]) {
		t.Error("the first of several partitions is not the one used alone")
	}
	for _, c := range []GNOConfig{{SampleNodes: 0, EvalPartitions: 2}, {SampleNodes: 10, EvalPartitions: -1}} {
		c.Common = Common{Dim: 2, In: 1, Out: 1}
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "eval_partitions") {
			t.Errorf("sample_nodes %d, eval_partitions %d: error %v, want one naming eval_partitions", c.SampleNodes, c.EvalPartitions, err)
		}
	}
}
