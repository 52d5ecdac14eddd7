package pinn

import (
	"context"
	"log/slog"
	"math"
	"testing"

	"github.com/sciml-go/sciml/nn"
	"github.com/sciml-go/sciml/tensor"
)

// The grid sampler lists the linspace grid, last axis fastest, both ends
// included; the trainer takes its size as the collocation count; on a disk
// it keeps exactly the grid points inside.
func TestGridSampler(t *testing.T) {
	p := Grid{Sizes: []int{3, 2}}.Sample(6, 2, nil)
	want := []float64{0, 0, 0, 1, 0.5, 0, 0.5, 1, 1, 0, 1, 1}
	for i := range want {
		if p[i] != want[i] {
			t.Fatalf("grid %v, want %v", p, want)
		}
	}
	q := Grid{}.Sample(27, 3, nil) // 3 × 3 × 3
	if q[3*13] != 0.5 || q[3*13+1] != 0.5 || q[3*13+2] != 0.5 || q[3*26] != 1 {
		t.Errorf("3-D grid: centre %v, last %v", q[3*13:3*14], q[3*26:])
	}
	for _, bad := range []func(){
		func() { Grid{}.Sample(10, 2, nil) },
		func() { Grid{Sizes: []int{3, 3}}.Sample(8, 2, nil) },
		func() { Grid{Sizes: []int{9}}.Sample(9, 2, nil) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Error("inconsistent grid did not panic")
				}
			}()
			bad()
		}()
	}
	if s, err := SamplerByName("grid"); err != nil || s.(Grid).Sizes != nil {
		t.Errorf("SamplerByName(grid) = %v, %v", s, err)
	}

	// PINNsFormer's 101 × 101 grid of [0, 2π] × [0, 1]
	dom := Box{Lo: []float64{0, 0}, Hi: []float64{2 * math.Pi, 1}}
	tr := NewTrainer(&Problem{Domain: dom}, NewMLP(MLPConfig{In: 2, Out: 1, Hidden: []int{4}}),
		Config{Sampler: Grid{Sizes: []int{101, 101}}})
	x := tr.Collocation()
	if x.Dim(0) != 101*101 {
		t.Fatalf("%d collocation points, want 101²", x.Dim(0))
	}
	xs := x.Float64s()
	if i := 57*101 + 13; math.Abs(xs[2*i]-2*math.Pi*57/100) > 1e-15 || math.Abs(xs[2*i+1]-0.13) > 1e-15 {
		t.Errorf("point %d = %v, want (2π·0.57, 0.13)", i, xs[2*i:2*i+2])
	}
	if xs[2*(101*101-1)] != 2*math.Pi || xs[2*(101*101-1)+1] != 1 {
		t.Errorf("last point %v, want (2π, 1)", xs[2*(101*101-1):])
	}

	disk := Disk{Radius: 1}
	g := disk.Sample(21*21, Grid{Sizes: []int{21, 21}}, nil)
	inside := 0
	for i := range 21 {
		for j := range 21 {
			if math.Hypot(-1+0.1*float64(i), -1+0.1*float64(j)) <= 1 {
				inside++
			}
		}
	}
	if g.Dim(0) != inside {
		t.Errorf("disk keeps %d of the 21² grid points, want %d", g.Dim(0), inside)
	}
	gs := g.Float64s()
	for i := range g.Dim(0) {
		if !disk.Contains(gs[2*i : 2*i+2]) {
			t.Fatalf("grid point %v outside the disk", gs[2*i:2*i+2])
		}
	}
}

// checkBoundary asserts that the points lie on sh's boundary and that a
// small step along each normal leaves the shape while one against it
// stays inside; it returns the points and normals.
func checkBoundary(t *testing.T, sh Domain, sd func([]float64) float64, x, nrm *tensor.Tensor) ([]float64, []float64) {
	t.Helper()
	n, d := x.Dim(0), x.Dim(1)
	xs, ns := x.Float64s(), nrm.Float64s()
	for i := range n {
		p, q := xs[i*d:(i+1)*d], ns[i*d:(i+1)*d]
		if v := sd(p); math.Abs(v) > 1e-12 {
			t.Fatalf("%v: signed distance %g", p, v)
		}
		l := 0.0
		out, in := make([]float64, d), make([]float64, d)
		for k := range d {
			l += q[k] * q[k]
			out[k], in[k] = p[k]+1e-6*q[k], p[k]-1e-6*q[k]
		}
		if math.Abs(l-1) > 1e-12 {
			t.Fatalf("normal %v not unit", q)
		}
		if sh.Contains(out) || !sh.Contains(in) {
			t.Fatalf("%v: normal %v is not outward", p, q)
		}
	}
	return xs, ns
}

// A 3-D box's boundary points lie on its faces in proportion to their
// areas, spread uniformly over each face, with outward axis normals; an
// interval's are its two ends.
func TestBoxBoundary3D(t *testing.T) {
	b := Box{Lo: []float64{0, 0, 0}, Hi: []float64{1, 2, 3}}
	const n = 22000
	x, nrm := BoundarySample(b, n, nn.NewRand(5))
	xs, ns := checkBoundary(t, b, b.SignedDistance, x, nrm)
	// faces x = 0, 1 have area 6, y = 0, 2 area 3, z = 0, 3 area 2 (total 22)
	count := map[[2]int]int{}
	mean := map[[2]int][]float64{}
	for i := range n {
		for a := range 3 {
			if q := ns[3*i+a]; q != 0 {
				k := [2]int{a, int(q)}
				count[k]++
				if mean[k] == nil {
					mean[k] = make([]float64, 3)
				}
				for j := range 3 {
					mean[k][j] += xs[3*i+j]
				}
			}
		}
	}
	area := []float64{6, 3, 2}
	for a := range 3 {
		for _, s := range []int{-1, 1} {
			k := [2]int{a, s}
			if f, want := float64(count[k])/n, area[a]/22; math.Abs(f-want) > 0.01 {
				t.Errorf("face %v holds %.4f of the points, want %.4f", k, f, want)
			}
			for j := range 3 {
				m := mean[k][j] / float64(count[k])
				want := b.Hi[j] / 2
				if j == a {
					want = b.Lo[j]
					if s > 0 {
						want = b.Hi[j]
					}
				}
				if math.Abs(m-want) > 0.02*b.Hi[j] {
					t.Errorf("face %v: mean coordinate %d is %.4f, want %.4f", k, j, m, want)
				}
			}
		}
	}
	iv := Box{Lo: []float64{-1}, Hi: []float64{2}}
	x, nrm = BoundarySample(iv, 10, nn.NewRand(1))
	xs, ns = checkBoundary(t, iv, iv.SignedDistance, x, nrm)
	for i := range 10 {
		if want := []float64{-1, 2}[i/5]; xs[i] != want || ns[i] != float64(2*(i/5)-1) {
			t.Errorf("interval boundary point %d: %g normal %g", i, xs[i], ns[i])
		}
	}
	// a 3-D union of boxes: no boundary point inside either box
	u := Union(b, Box{Lo: []float64{0.5, 1, 1}, Hi: []float64{2, 3, 4}})
	x, nrm = BoundarySample(u, 3000, nn.NewRand(2))
	checkBoundary(t, u, u.SignedDistance, x, nrm)
}

// TimeSpace: interior points in the cylinder, initial points at t = T0,
// lateral points on ∂Ω × [T0, T1] with normals (n, 0) and one time per
// stratum.
func TestTimeSpace(t *testing.T) {
	ts := TimeSpace{Space: Difference(Box{Lo: []float64{-1, -1}, Hi: []float64{1, 1}}, Disk{Radius: 0.5}), T0: 1, T1: 3}
	if ts.Dim() != 3 || ts.TimeAxis() != 2 {
		t.Fatalf("dim %d, time axis %d", ts.Dim(), ts.TimeAxis())
	}
	r := nn.NewRand(7)
	x := ts.Sample(2000, Halton{}, r).Float64s()
	tmean := 0.0
	for i := range 2000 {
		p := x[3*i : 3*i+3]
		if !ts.Contains(p) || math.Hypot(p[0], p[1]) < 0.5 {
			t.Fatalf("interior point %v outside", p)
		}
		tmean += p[2] / 2000
	}
	if math.Abs(tmean-2) > 0.02 {
		t.Errorf("mean time %.4f, want 2", tmean)
	}
	x0 := ts.Initial(300, LHS{}, r).Float64s()
	for i := range 300 {
		if x0[3*i+2] != 1 || !ts.Space.Contains(x0[3*i:3*i+2]) {
			t.Fatalf("initial point %v", x0[3*i:3*i+3])
		}
	}
	const n = 400
	xl, nl := ts.Lateral(n, r)
	sd := func(p []float64) float64 { return ts.Space.(Shape).SignedDistance(p[:2]) }
	xs, ns := checkBoundary(t, ts, sd, xl, nl)
	seen := make([]bool, n)
	for i := range n {
		if ns[3*i+2] != 0 {
			t.Fatalf("lateral normal %v has a time component", ns[3*i:3*i+3])
		}
		k := int((xs[3*i+2] - 1) / 2 * n)
		if seen[k] {
			t.Fatalf("time stratum %d holds two points", k)
		}
		seen[k] = true
	}
	// a box in space: the cylinder is a box and samples as one
	tb := TimeSpace{Space: Box{Lo: []float64{0, 0}, Hi: []float64{1, 1}}, T0: 0, T1: 1}
	if got := tb.Sample(50, LHS{}, nn.NewRand(1)); got.Dim(0) != 50 || got.Dim(1) != 3 {
		t.Errorf("box cylinder sample %v", got.Shape())
	}
}

// funcNet is a parameter-free "network" given by a closed form.
type funcNet struct {
	in int
	f  func(x *tensor.Tensor) *tensor.Tensor // [N, in] → [N, 1]
}

func (n funcNet) Forward(x *tensor.Tensor) *tensor.Tensor { return n.f(x) }
func (n funcNet) Dims() (int, int)                        { return n.in, 1 }
func (funcNet) Visit(*nn.Visitor)                         {}

// Condition losses with per-point normals vanish (to rounding) for the
// function that satisfies them and not for a wrong target: Neumann and
// Robin on a circle (normal derivative n·∇u of u = x²y + sin y) and on the
// faces of a 3-D box (u = xyz + z²), and Neumann on the lateral boundary
// of a space-time cylinder (the time derivative must not enter).
func TestNormalConditions(t *testing.T) {
	col := func(x *tensor.Tensor, i int) *tensor.Tensor { return tensor.IndexSelect(x, 1, []int{i}) }
	u2 := funcNet{2, func(x *tensor.Tensor) *tensor.Tensor {
		return tensor.Add(tensor.Mul(tensor.Square(col(x, 0)), col(x, 1)), tensor.Sin(col(x, 1)))
	}}
	grad2 := func(p []float64) []float64 { return []float64{2 * p[0] * p[1], p[0]*p[0] + math.Cos(p[1])} }
	val2 := func(p []float64) float64 { return p[0]*p[0]*p[1] + math.Sin(p[1]) }
	u3 := funcNet{3, func(x *tensor.Tensor) *tensor.Tensor {
		return tensor.Add(tensor.Mul(tensor.Mul(col(x, 0), col(x, 1)), col(x, 2)), tensor.Square(col(x, 2)))
	}}
	grad3 := func(p []float64) []float64 { return []float64{p[1] * p[2], p[0] * p[2], p[0]*p[1] + 2*p[2]} }
	val3 := func(p []float64) float64 { return p[0]*p[1]*p[2] + p[2]*p[2] }
	// u(x, y, t) = x²y + sin y + 5t: the lateral normal derivative ignores t
	ut := funcNet{3, func(x *tensor.Tensor) *tensor.Tensor {
		return tensor.Add(u2.f(tensor.Narrow(x, 1, 0, 2)), tensor.Scale(col(x, 2), 5))
	}}

	r := nn.NewRand(3)
	xd, nd := BoundarySample(Disk{Center: [2]float64{0.3, -0.2}, Radius: 1.5}, 50, r)
	xb, nb := BoundarySample(Box{Lo: []float64{-1, 0, 1}, Hi: []float64{1, 2, 2}}, 80, r)
	xl, nl := TimeSpace{Space: Disk{Radius: 1}, T0: 0, T1: 1}.Lateral(40, r)
	type tc struct {
		name   string
		net    Net
		x, nrm *tensor.Tensor
		val    func([]float64) float64
		grad   func([]float64) []float64
	}
	for _, c := range []tc{
		{"disk", u2, xd, nd, val2, grad2},
		{"box3d", u3, xb, nb, val3, grad3},
		{"lateral", ut, xl, nl, func(p []float64) float64 { return val2(p) + 5*p[2] }, func(p []float64) []float64 { return append(grad2(p), 5) }},
	} {
		m, d := c.x.Dim(0), c.x.Dim(1)
		xs, ns := c.x.Float64s(), c.nrm.Float64s()
		gN, gR := make([]float64, m), make([]float64, m)
		for i := range m {
			p := xs[i*d : (i+1)*d]
			g := c.grad(p)
			for k := range d {
				gN[i] += ns[i*d+k] * g[k]
			}
			gR[i] = 2*c.val(p) + 0.5*gN[i]
		}
		for _, mode := range []Mode{Nested, Auto} {
			neu := NeumannNormal("n", c.x, c.nrm, 0, nil)
			neu.Target = tensor.New(gN, m)
			rob := RobinNormal("r", c.x, c.nrm, 0, 2, 0.5, nil)
			rob.Target = tensor.New(gR, m)
			for _, cd := range []*Condition{neu, rob} {
				if l := cd.Loss(c.net, mode).Item(); l > 1e-26 {
					t.Errorf("%s %s: loss %g for the exact function", c.name, cd.Name, l)
				}
				cd.Target = tensor.AddScalar(cd.Target, 0.1)
				if l := cd.Loss(c.net, mode).Item(); math.Abs(l-0.01) > 1e-12 {
					t.Errorf("%s %s: loss %g for a target off by 0.1, want 0.01", c.name, cd.Name, l)
				}
			}
		}
	}
}

// Training on a closed-form problem over a curved domain: −Δu + u = 0 on
// a disk with the Neumann condition n·∇u = g on its circle (exact
// u = e^{0.6x + 0.8y}). A small tanh network trained by L-BFGS must match
// the closed form at 400 interior points (relative L2 error ≤ 1e-3 after
// 400 iterations). The heat equation on disk × [0, ½] (TimeSpace, its
// lateral and initial data) is ExampleTimeSpace.
func TestTrainCurvedBoundaries(t *testing.T) {
	disk := Disk{Radius: 1}
	exactD := func(p []float64) float64 { return math.Exp(0.6*p[0] + 0.8*p[1]) }
	r := nn.NewRand(11)
	xb, nb := BoundarySample(disk, 64, r)
	neumann := NeumannNormal("neumann", xb, nb, 0, func(p []float64) float64 {
		// ∇u = (0.6, 0.8)u and n = p on the unit circle
		return (0.6*p[0] + 0.8*p[1]) * exactD(p)
	})
	cases := []struct {
		name  string
		p     *Problem
		exact func([]float64) float64
		dom   Domain
		tol   float64
	}{
		{"disk-neumann", &Problem{
			Domain: disk, Needs: []Partial{D(0), D(0, 0, 0), D(0, 1, 1)},
			Residual: func(f *Fields) []*tensor.Tensor {
				return []*tensor.Tensor{tensor.Sub(f.D(0), tensor.Add(f.D(0, 0, 0), f.D(0, 1, 1)))}
			},
			Conditions: []*Condition{neumann},
		}, exactD, disk, 1e-3}, // measured 6.7e-5
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := c.dom.Dim()
			net := NewMLP(MLPConfig{In: in, Out: 1, Hidden: []int{16, 16}, Seed: 3})
			tr := NewTrainer(c.p, net, Config{Collocation: 200, Sampler: Sobol{}, Seed: 1, LBFGSIters: 400,
				LBFGS: nn.LBFGSConfig{MaxIter: 400}, LogEvery: 1 << 30})
			tr.Logger = slog.New(slog.DiscardHandler)
			if err := tr.Run(context.Background()); err != nil {
				t.Fatal(err)
			}
			xt := c.dom.Sample(400, Halton{}, nn.NewRand(99))
			u := net.Forward(xt).Float64s()
			xs := xt.Float64s()
			e, s := 0.0, 0.0
			for i := range 400 {
				v := c.exact(xs[i*in : (i+1)*in])
				e += (u[i] - v) * (u[i] - v)
				s += v * v
			}
			if rel := math.Sqrt(e / s); rel > c.tol {
				t.Errorf("relative L2 error %.3g after %d iterations, loss %.3g", rel, tr.Step, tr.LastLoss)
			}
		})
	}
}

// PoissonOn's boundary data come from the exact solution: the condition
// losses of u* = sin πx sin πy (a parameter-free net) vanish for every
// boundary type on the square and on a plate with a hole, and its
// residual vanishes to the accuracy of the Laplacian of the closed form.
// The neumann variant puts Neumann conditions on the sides facing right
// or up only.
func TestPoissonOn(t *testing.T) {
	col := func(x *tensor.Tensor, i int) *tensor.Tensor { return tensor.IndexSelect(x, 1, []int{i}) }
	exact := funcNet{2, func(x *tensor.Tensor) *tensor.Tensor {
		return tensor.Mul(tensor.Sin(tensor.Scale(col(x, 0), math.Pi)), tensor.Sin(tensor.Scale(col(x, 1), math.Pi)))
	}}
	plate := Difference(Box{Lo: []float64{0, 0}, Hi: []float64{1, 1}}, Disk{Center: [2]float64{0.5, 0.5}, Radius: 0.25})
	for _, dom := range []Shape{Box{Lo: []float64{0, 0}, Hi: []float64{1, 1}}, plate, Disk{Center: [2]float64{0.3, 0.4}, Radius: 0.7}} {
		for _, bc := range []string{"dirichlet", "neumann", "robin"} {
			p, _, err := PoissonOn(dom, bc, 40, nn.NewRand(1))
			if err != nil {
				t.Fatal(err)
			}
			kinds := map[string]int{}
			for _, c := range p.Conditions {
				if l := c.Loss(exact, Nested).Item(); l > 1e-26 {
					t.Errorf("%T %s: condition %s loss %g for the exact solution", dom, bc, c.Name, l)
				}
				switch {
				case c.Alpha == 1 && c.Beta == 0:
					kinds["dirichlet"] += c.X.Dim(0)
				case c.Alpha == 0:
					kinds["neumann"] += c.X.Dim(0)
				default:
					kinds["robin"] += c.X.Dim(0)
				}
			}
			total := 40
			if _, ok := dom.(Box); ok {
				total = 160
			}
			switch bc {
			case "neumann":
				if kinds["neumann"] == 0 || kinds["dirichlet"] == 0 || kinds["neumann"]+kinds["dirichlet"] != total {
					t.Errorf("%T neumann: points per kind %v", dom, kinds)
				}
			default:
				if kinds[bc] != total {
					t.Errorf("%T %s: points per kind %v", dom, bc, kinds)
				}
			}
			x := dom.Sample(50, Halton{}, nn.NewRand(2))
			r2 := ResidualSquares(p, exact, x, Nested).Float64s()
			for i, v := range r2 {
				if v > 1e-24 {
					t.Fatalf("%T %s: residual² %g at %v", dom, bc, v, x.Float64s()[2*i:2*i+2])
				}
			}
		}
	}
	if _, _, err := PoissonOn(Disk{Radius: 1}, "periodic", 10, nn.NewRand(1)); err == nil {
		t.Error("unknown boundary condition accepted")
	}
}

// A restricted reference measures the error inside the domain only.
func TestReferenceRestrict(t *testing.T) {
	zero := funcNet{2, func(x *tensor.Tensor) *tensor.Tensor { return tensor.Scale(tensor.Narrow(x, 1, 0, 1), 0) }}
	xs := Linspace(-1, 1, 5)
	ref := ExactReference(xs, xs, func(x, y float64) float64 {
		if math.Hypot(x, y) <= 1 {
			return 1
		}
		return 100 // outside: must not count
	})
	if l2, _ := ref.Errors(zero); l2 != 1 {
		t.Fatalf("unrestricted relative error %g, want 1", l2)
	}
	ref.Restrict(Disk{Radius: 1}.Contains)
	n := 0
	for i, in := range ref.Inside {
		if in {
			n++
		} else if ref.U[i] != 0 {
			t.Fatalf("U[%d] = %g outside", i, ref.U[i])
		}
	}
	if n != 13 { // (0,0), 4 at distance 0.5, 4 at 1, 4 at √0.5
		t.Errorf("%d grid points inside, want 13", n)
	}
	one := funcNet{2, func(x *tensor.Tensor) *tensor.Tensor {
		return tensor.AddScalar(tensor.Scale(tensor.Narrow(x, 1, 0, 1), 0), 1)
	}}
	if l2, mae := ref.Errors(one); l2 != 0 || mae != 0 {
		t.Errorf("errors %g, %g inside, want 0", l2, mae)
	}
}

// HeatOn's data come from u* = e^{−2t} sin x sin y: its condition losses
// and residual vanish for u* on a disk and on a plate with a hole, for
// each boundary type; PointReference measures errors at any points.
func TestHeatOn(t *testing.T) {
	col := func(x *tensor.Tensor, i int) *tensor.Tensor { return tensor.IndexSelect(x, 1, []int{i}) }
	exact := funcNet{3, func(x *tensor.Tensor) *tensor.Tensor {
		return tensor.Mul(tensor.Exp(tensor.Scale(col(x, 2), -2)), tensor.Mul(tensor.Sin(col(x, 0)), tensor.Sin(col(x, 1))))
	}}
	plate := Difference(Box{Lo: []float64{0, 0}, Hi: []float64{1, 1}}, Disk{Center: [2]float64{0.5, 0.5}, Radius: 0.25})
	for _, sp := range []Shape{plate, Disk{Center: [2]float64{0.5, 0.5}, Radius: 0.5}} {
		for _, bc := range []string{"dirichlet", "neumann", "robin"} {
			p, f, err := HeatOn(sp, 1, bc, 30, 60, nn.NewRand(1))
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, c := range p.Conditions {
				if l := c.Loss(exact, Nested).Item(); l > 1e-26 {
					t.Errorf("%T %s: condition %s loss %g for the exact solution", sp, bc, c.Name, l)
				}
				if c.Name != "initial" {
					n += c.X.Dim(0)
				}
			}
			if n != 60 || (bc == "neumann") != (len(p.Conditions) == 3) {
				t.Errorf("%T %s: %d conditions, %d lateral points", sp, bc, len(p.Conditions), n)
			}
			x := p.Domain.Sample(50, Halton{}, nn.NewRand(2))
			for i, v := range ResidualSquares(p, exact, x, Nested).Float64s() {
				if v > 1e-24 {
					t.Fatalf("%T %s: residual² %g at %v", sp, bc, v, x.Float64s()[3*i:3*i+3])
				}
			}
			ref := PointReference(x, f)
			if l2, mae := ref.Errors(exact); l2 > 1e-15 || mae > 1e-15 {
				t.Errorf("point reference errors %g, %g for the exact solution", l2, mae)
			}
		}
	}
	if _, _, err := HeatOn(Box{Lo: []float64{0}, Hi: []float64{1}}, 1, "dirichlet", 4, 4, nn.NewRand(1)); err == nil {
		t.Error("1-D space accepted")
	}
}

// A time window of a problem keeps the normals of the condition rows it
// keeps (a Robin condition with per-point normals on the lateral faces).
func TestWindowProblemNormals(t *testing.T) {
	box := Box{Lo: []float64{0, 0}, Hi: []float64{1, 1}}
	x := Points([]float64{0, 0.1}, []float64{1, 0.5}, []float64{0, 0.9}, []float64{1, 0.7})
	nrm := Points([]float64{-1, 0}, []float64{1, 0}, []float64{-1, 0}, []float64{1, 0})
	c := RobinNormal("side", x, nrm, 0, 1, 1, func(p []float64) float64 { return p[1] })
	w := WindowProblem(&Problem{Domain: box, Conditions: []*Condition{c}}, 1, 0.5, 1, nil, Nested)
	wc := w.Conditions[0]
	if wc.X.Dim(0) != 3 || wc.Normal.Dim(0) != 3 {
		t.Fatalf("window keeps %d points and %d normals, want 3", wc.X.Dim(0), wc.Normal.Dim(0))
	}
	xs, ns, g := wc.X.Float64s(), wc.Normal.Float64s(), wc.Target.Float64s()
	for i := range 3 {
		if ns[2*i] != 2*xs[2*i]-1 || g[i] != xs[2*i+1] {
			t.Errorf("row %d: point %v normal %v target %g", i, xs[2*i:2*i+2], ns[2*i:2*i+2], g[i])
		}
	}
}
