package pinn

import (
	"context"
	"io"
	"log/slog"
	"math"
	"testing"

	"github.com/sciml-go/sciml/nn"
	"github.com/sciml-go/sciml/tensor"
)

// Piecewise sends each point to the network of its slab (inner breaks to
// the later slab, points outside to the nearest), keeping the row order.
func TestPiecewiseForward(t *testing.T) {
	nets := []Net{
		NewMLP(MLPConfig{In: 2, Out: 1, Hidden: []int{5}, Seed: 1}),
		NewMLP(MLPConfig{In: 2, Out: 1, Hidden: []int{5}, Seed: 2}),
		NewMLP(MLPConfig{In: 2, Out: 1, Hidden: []int{5}, Seed: 3}),
	}
	pw := &Piecewise{Axis: 1, Breaks: []float64{0, 0.25, 0.5, 1}, Nets: nets}
	pts := []float64{0.1, 0.9, 0.2, 0.1, 0.3, 0.25, 0.4, 0.5, 0.5, 0, 0.6, 1, 0.7, -0.1, 0.8, 1.2}
	want := []int{2, 0, 1, 2, 0, 2, 0, 2}
	x := tensor.New(pts, len(pts)/2, 2)
	got := pw.Forward(x).Float64s()
	for i, k := range want {
		row := tensor.New(pts[2*i:2*i+2], 1, 2)
		if w := nets[k].Forward(row).Item(); math.Abs(got[i]-w) > 1e-15 {
			t.Errorf("point %d (t = %g): %g, want net %d's %g", i, pts[2*i+1], got[i], k, w)
		}
	}
	if n := nn.CountParams(pw); n != 3*nn.CountParams(nets[0]) {
		t.Errorf("%d parameters", n)
	}
}

// WindowProblem: the initial condition of a later slab sits at its start
// with the previous network's values (and normal derivative for a
// Neumann one) as targets; a periodic condition is mapped onto the slab;
// a Dirichlet condition with a target keeps the points inside the slab.
func TestWindowProblem(t *testing.T) {
	dom := Box{Lo: []float64{0, 0}, Hi: []float64{1, 2}}
	x0 := gridFace(dom, 1, false, 5)
	xl, xr := gridFace(dom, 0, false, 9), gridFace(dom, 0, true, 9)
	p := &Problem{Domain: dom, Conditions: []*Condition{
		Dirichlet("initial", x0, 0, func(x []float64) float64 { return x[0] }),
		Neumann("velocity", x0, 0, 1, 1, nil),
		Periodic("periodic", xl, xr, 0, 0, 0),
		Dirichlet("left", xl, 0, func(x []float64) float64 { return 1 + x[1] }),
	}}
	w0 := WindowProblem(p, 1, 0, 0.5, nil, Auto)
	if len(w0.Conditions) != 4 || w0.Conditions[0].X != x0 || w0.Domain.(Box).Hi[1] != 0.5 {
		t.Fatalf("first window: %d conditions, domain %v", len(w0.Conditions), w0.Domain)
	}
	prev := NewMLP(MLPConfig{In: 2, Out: 1, Hidden: []int{6}, Seed: 4})
	w := WindowProblem(p, 1, 1, 1.5, prev, Auto)
	byName := map[string]*Condition{}
	for _, c := range w.Conditions {
		byName[c.Name] = c
	}
	ic, vel, per, left := byName["initial"], byName["velocity"], byName["periodic"], byName["left"]
	xs := ic.X.ToFloat64s()
	f := Eval(prev, ic.X, []Partial{D(0), D(0, 1)}, Nested)
	u, ut := f.D(0).Float64s(), f.D(0, 1).Float64s()
	for i := range 5 {
		if xs[2*i+1] != 1 || xs[2*i] != x0.Float64s()[2*i] {
			t.Fatalf("initial point %d at %v", i, xs[2*i:2*i+2])
		}
		if g := ic.Target.Float64s()[i]; math.Abs(g-u[i]) > 1e-14 {
			t.Errorf("initial target %d: %g, previous network %g", i, g, u[i])
		}
		if g := vel.Target.Float64s()[i]; math.Abs(g-ut[i]) > 1e-14 || g == 0 {
			t.Errorf("velocity target %d: %g, previous network's u_t %g", i, g, ut[i])
		}
	}
	if per.X.Dim(0) != 9 {
		t.Fatalf("periodic: %d points", per.X.Dim(0))
	}
	for i, v := range per.X.ToFloat64s() {
		if i%2 == 1 && (v < 1 || v > 1.5) {
			t.Errorf("periodic point time %g outside [1, 1.5]", v)
		}
	}
	if per.X.ToFloat64s()[1] != 1 || per.Partner.ToFloat64s()[17] != 1.5 {
		t.Errorf("periodic ends %g, %g", per.X.ToFloat64s()[1], per.Partner.ToFloat64s()[17])
	}
	// left: times 0, 0.25, …, 2: those in [1, 1.5] are 1, 1.25, 1.5
	lt := left.X.ToFloat64s()
	if left.X.Dim(0) != 3 || lt[1] != 1 || lt[5] != 1.5 || left.Target.Float64s()[1] != 2.25 {
		t.Errorf("left: points %v targets %v", lt, left.Target.Float64s())
	}
}

// Time-marching over two slabs solves u_t + u_x = 0, u(x, 0) = sin x,
// periodic on [0, 2π] (u = sin(x − t)) to a relative L2 error of 1e-3 with
// a small periodic-embedded network, the second slab warm-started from
// the first, and is continuous across the break.
func TestMarcherConvection(t *testing.T) {
	p, exact := Convection(1, 32, 8)
	ms := &Marcher{
		Problem: p, Axis: 1, Windows: 2,
		NewNet: func(k int, lo, hi float64, prev Net) Net {
			m := NewMLP(MLPConfig{In: 2, Out: 1, Hidden: []int{12, 12}, Seed: 3,
				Periodic: []PeriodicEmbedding{{Axis: 0, Period: 2 * math.Pi, Harmonics: 1}}})
			if prev != nil {
				if err := nn.LoadStateDict(m, nn.StateDict(prev)); err != nil {
					t.Fatal(err)
				}
			}
			return m
		},
		Config: Config{Collocation: 200, LBFGSIters: 300, LogEvery: 1000, Seed: 1},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	var windows []int
	ms.Done = func(k int, tr *Trainer) { windows = append(windows, k) }
	pw, err := ms.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(windows) != 2 || len(pw.Nets) != 2 || pw.Breaks[1] != 0.5 {
		t.Fatalf("windows %v, breaks %v", windows, pw.Breaks)
	}
	ref := ExactReference(Linspace(0, 2*math.Pi, 41), Linspace(0, 1, 41), exact)
	l2, _ := ref.Errors(pw)
	t.Logf("rel L2 %.3e", l2)
	if l2 > 1e-3 {
		t.Errorf("rel L2 %.3e, want ≤ 1e-3", l2)
	}
	// continuity at the break: the two nets agree there to the error level
	xb := tensor.New([]float64{1, 0.5, 3, 0.5, 5, 0.5}, 3, 2)
	a, b := pw.Nets[0].Forward(xb).Float64s(), pw.Nets[1].Forward(xb).Float64s()
	for i := range a {
		if math.Abs(a[i]-b[i]) > 2e-3 {
			t.Errorf("break point %d: %g vs %g", i, a[i], b[i])
		}
	}
}
