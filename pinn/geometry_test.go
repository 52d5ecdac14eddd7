package pinn

import (
	"math"
	"testing"

	"github.com/sciml-go/sciml/nn"
)

// A plate with a hole: rejection sampling keeps only points of the plate
// outside the hole, distributed by area.
func TestDifferenceSampling(t *testing.T) {
	plate := Box{Lo: []float64{0, 0}, Hi: []float64{1, 1}}
	hole := Disk{Center: [2]float64{0.5, 0.5}, Radius: 0.25}
	dom := Difference(plate, hole)
	for _, s := range []Sampler{Uniform{}, LHS{}, Halton{}, Sobol{}} {
		const n = 20000
		x := dom.Sample(n, s, nn.NewRand(1)).Float64s()
		ring := 0
		for i := range n {
			p := x[2*i : 2*i+2]
			r := math.Hypot(p[0]-0.5, p[1]-0.5)
			if !plate.Contains(p) || r < 0.25 {
				t.Fatalf("%T: point %v outside the plate or in the hole", s, p)
			}
			if r < 0.35 {
				ring++
			}
		}
		// the annulus 0.25 < r < 0.35 holds π(0.35² − 0.25²)/(1 − π/16) of the area
		want := math.Pi * (0.35*0.35 - 0.25*0.25) / (1 - math.Pi/16)
		if got := float64(ring) / n; math.Abs(got-want) > 0.015 {
			t.Errorf("%T: annulus fraction %.4f, want %.4f", s, got, want)
		}
	}
}

// The L-shape polygon and the union of two rectangles are the same
// region; signed distances are exact.
func TestLShape(t *testing.T) {
	l := LShape(0, 1)
	u := Union(Box{Lo: []float64{0, 0}, Hi: []float64{1, 0.5}}, Box{Lo: []float64{0, 0}, Hi: []float64{0.5, 1}})
	cases := []struct {
		x  []float64
		in bool
		sd float64
	}{
		{[]float64{0.25, 0.75}, true, -0.25},
		{[]float64{0.75, 0.25}, true, -0.25},
		{[]float64{0.75, 0.75}, false, 0.25},
		{[]float64{0.5, 0.5}, true, 0},
		{[]float64{1.5, 0.25}, false, 0.5},
		{[]float64{0.1, 0.2}, true, -0.1},
	}
	for _, c := range cases {
		if l.Contains(c.x) != c.in || u.Contains(c.x) != c.in {
			t.Errorf("%v: Contains = %v (polygon), %v (union), want %v", c.x, l.Contains(c.x), u.Contains(c.x), c.in)
		}
		if d := l.SignedDistance(c.x); math.Abs(d-c.sd) > 1e-15 {
			t.Errorf("%v: polygon signed distance %g, want %g", c.x, d, c.sd)
		}
	}
	r := nn.NewRand(2)
	x := Box{Lo: []float64{-0.2, -0.2}, Hi: []float64{1.2, 1.2}}.Sample(5000, Uniform{}, r).Float64s()
	for i := range 5000 {
		p := x[2*i : 2*i+2]
		if l.Contains(p) != u.Contains(p) {
			t.Fatalf("%v: polygon %v, union %v", p, l.Contains(p), u.Contains(p))
		}
	}
	pts := l.Sample(9000, LHS{}, r).Float64s()
	lowerLeft := 0
	for i := range 9000 {
		if pts[2*i] < 0.5 && pts[2*i+1] < 0.5 {
			lowerLeft++
		}
		if pts[2*i] > 0.5 && pts[2*i+1] > 0.5 {
			t.Fatalf("point %v in the cut-out quarter", pts[2*i:2*i+2])
		}
	}
	if f := float64(lowerLeft) / 9000; math.Abs(f-1.0/3) > 0.02 {
		t.Errorf("lower-left quarter holds %.3f of the points, want 1/3", f)
	}
}

// Boundary points lie on the boundary (signed distance 0), spread by arc
// length, with outward unit normals: on the hole they point to its centre.
func TestBoundarySample(t *testing.T) {
	plate := Box{Lo: []float64{0, 0}, Hi: []float64{1, 1}}
	hole := Disk{Center: [2]float64{0.5, 0.5}, Radius: 0.25}
	dom := Difference(plate, hole)
	const n = 8000
	x, nrm := BoundarySample(dom, n, nn.NewRand(3))
	xs, ns := x.Float64s(), nrm.Float64s()
	onHole := 0
	for i := range n {
		p, q := xs[2*i:2*i+2], ns[2*i:2*i+2]
		if d := dom.SignedDistance(p); math.Abs(d) > 1e-12 {
			t.Fatalf("%v: signed distance %g", p, d)
		}
		if math.Abs(math.Hypot(q[0], q[1])-1) > 1e-12 {
			t.Fatalf("normal %v not unit", q)
		}
		// a small step along the normal leaves the domain
		out := []float64{p[0] + 1e-6*q[0], p[1] + 1e-6*q[1]}
		in := []float64{p[0] - 1e-6*q[0], p[1] - 1e-6*q[1]}
		if dom.Contains(out) || !dom.Contains(in) {
			t.Fatalf("%v: normal %v is not outward", p, q)
		}
		if math.Abs(math.Hypot(p[0]-0.5, p[1]-0.5)-0.25) < 1e-12 {
			onHole++
		}
	}
	want := 2 * math.Pi * 0.25 / (4 + 2*math.Pi*0.25)
	if f := float64(onHole) / n; math.Abs(f-want) > 0.02 {
		t.Errorf("hole holds %.3f of the boundary points, want %.3f (arc length)", f, want)
	}
	// The union of two overlapping disks: no boundary point inside either.
	a, b := Disk{Radius: 1}, Disk{Center: [2]float64{1, 0}, Radius: 1}
	u := Union(a, b)
	x, _ = BoundarySample(u, 2000, nn.NewRand(4))
	xs = x.Float64s()
	for i := range 2000 {
		p := xs[2*i : 2*i+2]
		if a.SignedDistance(p) < -1e-12 || b.SignedDistance(p) < -1e-12 {
			t.Fatalf("union boundary point %v inside an operand", p)
		}
	}
}

// A Problem on a plate with a hole draws its collocation points there.
func TestTrainerOnShape(t *testing.T) {
	dom := Difference(Box{Lo: []float64{-1, -1}, Hi: []float64{1, 1}}, Disk{Radius: 0.5})
	bx, _ := BoundarySample(dom, 64, nn.NewRand(1))
	p := &Problem{Domain: dom, Needs: []Partial{D(0, 0, 0), D(0, 1, 1)},
		Conditions: []*Condition{Dirichlet("boundary", bx, 0, nil)}}
	ps, _ := PoissonSine(4, nn.NewRand(1))
	p.Residual = ps.Residual
	net := NewMLP(MLPConfig{In: 2, Out: 1, Hidden: []int{8}, Seed: 1})
	tr := NewTrainer(p, net, Config{Collocation: 500, Sampler: Sobol{}})
	x := tr.Collocation().Float64s()
	for i := range 500 {
		if !dom.Contains(x[2*i:2*i+2]) || math.Hypot(x[2*i], x[2*i+1]) < 0.5 {
			t.Fatalf("collocation point %v outside the domain", x[2*i:2*i+2])
		}
	}
	if l, _ := tr.Loss(); math.IsNaN(l.Item()) {
		t.Fatal("NaN loss")
	}
}
