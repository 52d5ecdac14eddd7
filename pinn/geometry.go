package pinn

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/sciml-go/sciml/tensor"
)

// Domain is a region of ℝ^d where collocation points are drawn: a Box, or
// a shape built from simple ones (Disk, Polygon) by Union, Intersection
// and Difference. Points of a shape other than a box are drawn by
// rejection: candidates from the Sampler over the bounding box, kept when
// inside.
type Domain interface {
	// Dim returns the number of axes.
	Dim() int
	// Contains reports whether x lies in the closed region.
	Contains(x []float64) bool
	// Bounds returns a box that holds the region.
	Bounds() Box
	// Sample draws n points of the region with s, as a float64 tensor
	// [n, Dim].
	Sample(n int, s Sampler, r *rand.Rand) *tensor.Tensor
}

// Shape is a Domain with a boundary that can be sampled: BoundarySample
// draws n points of the boundary (uniformly in arc length for 2-D shapes)
// with their outward unit normals, both [n, Dim].
type Shape interface {
	Domain
	// SignedDistance is negative inside, positive outside and zero on the
	// boundary (exact for Box, Disk and Polygon; for combinations, the
	// usual min/max bound, exact in sign).
	SignedDistance(x []float64) float64
	// perimeter pieces: the boundary as parametrised pieces, for sampling.
	pieces() []boundaryPiece
}

// boundaryPiece is a curve of the boundary of a 2-D shape: at(s) for s ∈
// [0, 1] gives a point and its outward normal; length is its arc length.
type boundaryPiece struct {
	length float64
	at     func(s float64) (x, n [2]float64)
}

// Bounds returns b itself.
func (b Box) Bounds() Box { return b }

// SignedDistance returns the signed distance to the box's boundary.
func (b Box) SignedDistance(x []float64) float64 {
	out, in := 0.0, math.Inf(-1)
	for d, v := range x {
		q := math.Max(b.Lo[d]-v, v-b.Hi[d]) // > 0 outside along d
		if q > 0 {
			out += q * q
		}
		in = math.Max(in, q)
	}
	if out > 0 {
		return math.Sqrt(out)
	}
	return in
}

func (b Box) pieces() []boundaryPiece {
	if b.Dim() != 2 {
		panic(fmt.Sprintf("pinn: boundary sampling of a %d-D box (use Face)", b.Dim()))
	}
	x0, y0, x1, y1 := b.Lo[0], b.Lo[1], b.Hi[0], b.Hi[1]
	return segments([][2]float64{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}})
}

// segments returns the edges of a counter-clockwise polygon with outward
// normals.
func segments(v [][2]float64) []boundaryPiece {
	var out []boundaryPiece
	for i := range v {
		a, b := v[i], v[(i+1)%len(v)]
		dx, dy := b[0]-a[0], b[1]-a[1]
		l := math.Hypot(dx, dy)
		if l == 0 {
			continue
		}
		n := [2]float64{dy / l, -dx / l} // right of the direction: outward for CCW
		out = append(out, boundaryPiece{length: l, at: func(s float64) ([2]float64, [2]float64) {
			return [2]float64{a[0] + s*dx, a[1] + s*dy}, n
		}})
	}
	return out
}

// Disk is the closed disk |x − Center| ≤ Radius in the plane.
type Disk struct {
	Center [2]float64
	Radius float64
}

// Dim returns 2.
func (Disk) Dim() int { return 2 }

// Contains reports whether |x − Center| ≤ Radius.
func (c Disk) Contains(x []float64) bool { return c.SignedDistance(x) <= 0 }

// SignedDistance returns |x − Center| − Radius.
func (c Disk) SignedDistance(x []float64) float64 {
	return math.Hypot(x[0]-c.Center[0], x[1]-c.Center[1]) - c.Radius
}

// Bounds returns the square around the disk.
func (c Disk) Bounds() Box {
	return Box{Lo: []float64{c.Center[0] - c.Radius, c.Center[1] - c.Radius}, Hi: []float64{c.Center[0] + c.Radius, c.Center[1] + c.Radius}}
}

// Sample draws n points of the disk by rejection from its bounding square.
func (c Disk) Sample(n int, s Sampler, r *rand.Rand) *tensor.Tensor { return rejectSample(c, n, s, r) }

func (c Disk) pieces() []boundaryPiece {
	return []boundaryPiece{{length: 2 * math.Pi * c.Radius, at: func(s float64) ([2]float64, [2]float64) {
		sn, cs := math.Sincos(2 * math.Pi * s)
		return [2]float64{c.Center[0] + c.Radius*cs, c.Center[1] + c.Radius*sn}, [2]float64{cs, sn}
	}}}
}

// Polygon is a simple polygon in the plane with vertices in
// counter-clockwise order (an L-shape, a triangle, …).
type Polygon struct {
	Vertices [][2]float64
}

// LShape returns the L-shaped polygon [lo, hi]² minus the upper-right
// quarter [mid, hi]², mid = (lo + hi)/2.
func LShape(lo, hi float64) Polygon {
	m := (lo + hi) / 2
	return Polygon{Vertices: [][2]float64{{lo, lo}, {hi, lo}, {hi, m}, {m, m}, {m, hi}, {lo, hi}}}
}

// Dim returns 2.
func (Polygon) Dim() int { return 2 }

// Contains reports whether x lies in the closed polygon.
func (p Polygon) Contains(x []float64) bool { return p.SignedDistance(x) <= 0 }

// SignedDistance returns the distance to the nearest edge, negative
// inside (even–odd rule).
func (p Polygon) SignedDistance(x []float64) float64 {
	v := p.Vertices
	d := math.Inf(1)
	inside := false
	px, py := x[0], x[1]
	for i := range v {
		a, b := v[i], v[(i+1)%len(v)]
		ex, ey := b[0]-a[0], b[1]-a[1]
		wx, wy := px-a[0], py-a[1]
		t := 0.0
		if l2 := ex*ex + ey*ey; l2 > 0 {
			t = math.Max(0, math.Min(1, (wx*ex+wy*ey)/l2))
		}
		d = math.Min(d, math.Hypot(wx-t*ex, wy-t*ey))
		if (a[1] > py) != (b[1] > py) && px < a[0]+(py-a[1])*ex/ey {
			inside = !inside
		}
	}
	if inside {
		return -d
	}
	return d
}

// Bounds returns the bounding box of the vertices.
func (p Polygon) Bounds() Box {
	lo := []float64{math.Inf(1), math.Inf(1)}
	hi := []float64{math.Inf(-1), math.Inf(-1)}
	for _, v := range p.Vertices {
		for d := range 2 {
			lo[d], hi[d] = math.Min(lo[d], v[d]), math.Max(hi[d], v[d])
		}
	}
	return Box{Lo: lo, Hi: hi}
}

// Sample draws n points by rejection from the bounding box.
func (p Polygon) Sample(n int, s Sampler, r *rand.Rand) *tensor.Tensor {
	return rejectSample(p, n, s, r)
}

func (p Polygon) pieces() []boundaryPiece { return segments(p.Vertices) }

// setOp is the kind of a constructive combination.
type setOp uint8

const (
	opUnion setOp = iota
	opIntersection
	opDifference
)

// Combined is the union, intersection or difference of two shapes (see
// Union, Intersection, Difference).
type Combined struct {
	A, B Shape
	op   setOp
}

// Union returns A ∪ B.
func Union(a, b Shape) *Combined { return newCombined(a, b, opUnion) }

// Intersection returns A ∩ B.
func Intersection(a, b Shape) *Combined { return newCombined(a, b, opIntersection) }

// Difference returns A \ B (the closure of: a rectangle minus a disk is
// the plate with a hole, the hole's circle part of its boundary).
func Difference(a, b Shape) *Combined { return newCombined(a, b, opDifference) }

func newCombined(a, b Shape, op setOp) *Combined {
	if a.Dim() != b.Dim() {
		panic(fmt.Sprintf("pinn: combining shapes of dimensions %d and %d", a.Dim(), b.Dim()))
	}
	return &Combined{A: a, B: b, op: op}
}

// Dim returns the number of axes.
func (c *Combined) Dim() int { return c.A.Dim() }

// SignedDistance combines the operands' distances: min for a union, max
// for an intersection, max(d_A, −d_B) for a difference.
func (c *Combined) SignedDistance(x []float64) float64 {
	a, b := c.A.SignedDistance(x), c.B.SignedDistance(x)
	switch c.op {
	case opUnion:
		return math.Min(a, b)
	case opIntersection:
		return math.Max(a, b)
	}
	return math.Max(a, -b)
}

// Contains reports whether x lies in the closed combination.
func (c *Combined) Contains(x []float64) bool { return c.SignedDistance(x) <= 0 }

// Bounds returns a box that holds the combination.
func (c *Combined) Bounds() Box {
	a := c.A.Bounds()
	if c.op == opDifference {
		return a
	}
	b := c.B.Bounds()
	lo, hi := make([]float64, a.Dim()), make([]float64, a.Dim())
	for d := range lo {
		if c.op == opUnion {
			lo[d], hi[d] = math.Min(a.Lo[d], b.Lo[d]), math.Max(a.Hi[d], b.Hi[d])
		} else {
			lo[d], hi[d] = math.Max(a.Lo[d], b.Lo[d]), math.Min(a.Hi[d], b.Hi[d])
		}
	}
	return Box{Lo: lo, Hi: hi}
}

// Sample draws n points by rejection from the bounding box.
func (c *Combined) Sample(n int, s Sampler, r *rand.Rand) *tensor.Tensor {
	return rejectSample(c, n, s, r)
}

// pieces returns the operands' boundary pieces; BoundarySample keeps the
// points of them that lie on the combination's boundary (signed distance
// zero).
func (c *Combined) pieces() []boundaryPiece {
	pa := c.A.pieces()
	pb := c.B.pieces()
	if c.op == opDifference {
		// B's boundary bounds the hole: its normals point into B.
		for i, p := range pb {
			at := p.at
			pb[i].at = func(s float64) ([2]float64, [2]float64) {
				x, n := at(s)
				return x, [2]float64{-n[0], -n[1]}
			}
		}
	}
	return append(pa, pb...)
}

// rejectSample draws n points of d: batches of candidates from s over the
// bounding box, kept in order when inside, until n are found. It panics
// when the region fills less than 1e-4 of its box (a mistake in the
// shape).
func rejectSample(d Domain, n int, s Sampler, r *rand.Rand) *tensor.Tensor {
	box := d.Bounds()
	dim := d.Dim()
	out := make([]float64, 0, n*dim)
	tried, kept := 0, 0
	for kept < n {
		// Ask for enough candidates for the remaining points at the
		// acceptance rate seen so far (with a margin).
		want := n - kept
		batch := want * 2
		if kept > 0 {
			batch = int(float64(want)*float64(tried)/float64(kept)*1.2) + 16
		}
		c := box.Sample(batch, s, r).Float64s()
		for i := 0; i < batch && kept < n; i++ {
			tried++
			x := c[i*dim : (i+1)*dim]
			if d.Contains(x) {
				out = append(out, x...)
				kept++
			}
		}
		if tried > 10000 && float64(kept) < 1e-4*float64(tried) {
			panic(fmt.Sprintf("pinn: rejection sampling kept %d of %d candidates: empty domain?", kept, tried))
		}
	}
	return tensor.New(out, n, dim)
}

// BoundarySample draws n points of the boundary of a 2-D shape, uniformly
// in arc length (stratified: point k at arc length (k + u_k)/n of the
// total, u_k uniform), with their outward unit normals; both [n, 2]. For
// a combination, the points of the operands' boundaries that are not on
// the combination's boundary (signed distance not zero) are skipped and
// redrawn.
func BoundarySample(sh Shape, n int, r *rand.Rand) (x, normal *tensor.Tensor) {
	if sh.Dim() != 2 {
		panic(fmt.Sprintf("pinn.BoundarySample: %d-D shape (2-D only; boxes of other dimensions: Box.Face)", sh.Dim()))
	}
	ps := sh.pieces()
	total := 0.0
	for _, p := range ps {
		total += p.length
	}
	b := sh.Bounds()
	tol := 1e-9 * math.Max(1, math.Max(b.Hi[0]-b.Lo[0], b.Hi[1]-b.Lo[1]))
	xs := make([]float64, 0, 2*n)
	ns := make([]float64, 0, 2*n)
	tries := 0
	for len(xs) < 2*n {
		m := n - len(xs)/2
		for k := range m {
			tries++
			a := (float64(k) + r.Float64()) / float64(m) * total
			i := 0
			for i < len(ps)-1 && a > ps[i].length {
				a -= ps[i].length
				i++
			}
			p, q := ps[i].at(math.Min(1, a/ps[i].length))
			if math.Abs(sh.SignedDistance(p[:])) > tol {
				continue // a piece of an operand inside the other
			}
			xs = append(xs, p[0], p[1])
			ns = append(ns, q[0], q[1])
		}
		if tries > 1000*n+10000 {
			panic("pinn.BoundarySample: no boundary found")
		}
	}
	return tensor.New(xs, n, 2), tensor.New(ns, n, 2)
}
