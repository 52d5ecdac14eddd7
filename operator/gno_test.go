package operator

import (
	"slices"
	"testing"

	"github.com/sciml-go/sciml/tensor"
)

func bruteRadius(pts []float64, dim int, r float64) [][2]int {
	n := len(pts) / dim
	var out [][2]int
	for x := range n {
		for y := range n {
			d2 := 0.0
			for a := range dim {
				d := pts[x*dim+a] - pts[y*dim+a]
				d2 += d * d
			}
			if d2 <= r*r {
				out = append(out, [2]int{x, y})
			}
		}
	}
	return out
}

// TestRadiusBipartite checks the edges between two point sets (some
// destinations outside the sources' bounding box) against brute force.
func TestRadiusBipartite(t *testing.T) {
	r := rng(9)
	src := make([]float64, 200)
	dst := make([]float64, 150)
	for i := range src {
		src[i] = r.Float64()
	}
	for i := range dst {
		dst[i] = r.Float64()*1.6 - 0.3
	}
	g := RadiusBipartite(dst, src, 2, 0.12)
	var got, want [][2]int
	for e := range g.Src {
		got = append(got, [2]int{g.Dst[e], g.Src[e]})
	}
	for x := range 75 {
		for y := range 100 {
			dx, dy := dst[2*x]-src[2*y], dst[2*x+1]-src[2*y+1]
			if dx*dx+dy*dy <= 0.12*0.12 {
				want = append(want, [2]int{x, y})
			}
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("%d edges, brute force %d", len(got), len(want))
	}
}

func TestRadiusGraph(t *testing.T) {
	for _, dim := range []int{1, 2, 3} {
		r := rng(uint64(dim))
		pts := make([]float64, 300*dim)
		for i := range pts {
			pts[i] = r.Float64()*2 - 0.5
		}
		for _, rad := range []float64{0.05, 0.2, 3} {
			g := RadiusGraph(pts, dim, rad)
			var got [][2]int
			for e := range g.Src {
				got = append(got, [2]int{g.Dst[e], g.Src[e]})
			}
			want := bruteRadius(pts, dim, rad)
			if !slices.Equal(got, want) {
				t.Fatalf("dim %d radius %v: %d edges, brute force %d", dim, rad, len(got), len(want))
			}
			deg := make([]int, g.N)
			for _, d := range g.Dst {
				deg[d]++
			}
			if !slices.Equal(deg, g.Degree) {
				t.Fatalf("dim %d: degrees disagree", dim)
			}
		}
	}
}

// TestGNOKernelIntegral checks one iteration against the direct sum
// (1/|N(x)|) Σ_y κ(x, y, a(x), a(y)) v(y) + W v(x) + b, and that Forward
// on a grid equals ForwardPoints at the grid's points.
func TestGNOKernelIntegral(t *testing.T) {
	cfg := GNOConfig{Common: Common{Dim: 2, In: 1, Out: 1, DType: "float64"}, Stack: Stack{Width: 3, Layers: 1, Projection: 4}, KernelHidden: []int{5}, Radius: 0.3}
	m, err := NewGNO(cfg, rng(1))
	if err != nil {
		t.Fatal(err)
	}
	x := tensor.RandN(rng(2), tensor.Float64, 2, 1, 4, 5)
	got := m.Forward(x)
	pts := tensor.Transpose(tensor.Reshape(GridFeatures(tensor.Float64, Closed, 1, 4, 5), 2, 20), 0, 1).Float64s()
	if d := maxAbsDiff(got.Float64s(), m.ForwardPoints(pts, tensor.Reshape(x, 2, 1, 20)).Float64s()); d != 0 {
		t.Fatalf("Forward and ForwardPoints differ by %g", d)
	}
	a := tensor.Reshape(x, 2, 1, 20)
	av := a.Float64s()
	pos := tensor.Reshape(GridFeatures(tensor.Float64, Closed, 2, 4, 5), 2, 2, 20)
	v := m.Lift.Forward(tensor.Concat(1, a, pos))
	vv := v.Float64s()
	skip := m.Skip[0].Forward(v).Float64s()
	const W, N = 3, 20
	h := slices.Clone(skip)
	for b := range 2 {
		for p := range N {
			var nbrs []int
			for q := range N {
				dx, dy := pts[2*p]-pts[2*q], pts[2*p+1]-pts[2*q+1]
				if dx*dx+dy*dy <= 0.09 {
					nbrs = append(nbrs, q)
				}
			}
			for _, q := range nbrs {
				f := tensor.FromFloat64s(tensor.Float64, []float64{pts[2*p], pts[2*p+1], pts[2*q], pts[2*q+1], av[b*N+p], av[b*N+q]}, 1, 6)
				k := m.Kernel.Forward(f).Float64s()
				for o := range W {
					for i := range W {
						h[(b*W+o)*N+p] += k[o*W+i] * vv[(b*W+i)*N+q] / float64(len(nbrs))
					}
				}
			}
		}
	}
	want := m.Project.Forward(tensor.FromFloat64s(tensor.Float64, h, 2, W, N))
	if d := maxAbsDiff(got.Float64s(), want.Float64s()); d > 1e-12 {
		t.Fatalf("GNO differs from the direct Nyström sum by %g", d)
	}
	for _, c := range []GNOConfig{{Common: Common{Dim: 2, In: 1, Out: 1}, Radius: -1}, {Common: Common{Dim: 0, In: 1, Out: 1}}, {Common: Common{Dim: 1, In: 1, Out: 1}, KernelHidden: []int{0}}} {
		if _, err := NewGNO(c, rng(1)); err == nil {
			t.Errorf("NewGNO(%+v) accepted", c)
		}
	}
}

func TestGNOGradients(t *testing.T) {
	cfg := GNOConfig{Common: Common{Dim: 1, In: 1, Out: 1, Activation: "tanh", DType: "float64"}, Stack: Stack{Width: 2, Layers: 2, Projection: 3}, KernelHidden: []int{3}, Radius: 0.25}
	m, err := NewGNO(cfg, rng(3))
	if err != nil {
		t.Fatal(err)
	}
	x := tensor.RandN(rng(4), tensor.Float64, 2, 1, 9)
	// The first layer of κ, and its last (factored out of the kernel
	// integral: weights and bias).
	first, last := m.Kernel.Layers[0], m.Kernel.Layers[len(m.Kernel.Layers)-1]
	w, lw, lb := first.Weight, last.Weight, last.Bias
	err = tensor.GradCheck(func(xs []*tensor.Tensor) *tensor.Tensor {
		first.Weight, last.Weight, last.Bias = xs[1], xs[2], xs[3]
		return m.Forward(xs[0])
	}, []*tensor.Tensor{x, w, lw, lb}, tensor.CheckOptions{Atol: 1e-6, Rtol: 1e-5})
	first.Weight, last.Weight, last.Bias = w, lw, lb
	if err != nil {
		t.Fatal(err)
	}
}

// TestGNOFits trains a small GNO on the Helmholtz-type problem (a local
// radius cannot see the whole domain, so the bound is loose) and applies
// it to an irregular point set.
func TestGNOFits(t *testing.T) {
	cfg := GNOConfig{Common: Common{Dim: 1, In: 1, Out: 1, Grid: "periodic"}, Stack: Stack{Width: 8, Layers: 3, Projection: 16}, KernelHidden: []int{16}, Radius: 0.15}
	m, err := NewGNO(cfg, rng(5))
	if err != nil {
		t.Fatal(err)
	}
	x, y := helmholtzData(12, 10, 32)
	before, after := fit(t, m, x, y, 100, 5e-3)
	xt, yt := helmholtzData(13, 8, 32)
	test := relL2(m.Forward(xt).Detach(), yt)
	t.Logf("rel L2: init %.3f, train %.4f, test %.4f", before, after, test)
	if after > before/2 || test > 0.7 {
		t.Fatalf("GNO did not learn: init %.4f, train %.4f, test %.4f", before, after, test)
	}
	pts := make([]float64, 40)
	r := rng(6)
	for i := range pts {
		pts[i] = r.Float64()
	}
	out := m.ForwardPoints(pts, tensor.RandN(rng(7), tensor.Float32, 2, 1, 40))
	if !slices.Equal(out.Shape(), []int{2, 1, 40}) {
		t.Fatalf("irregular points: output %v", out.Shape())
	}
}
