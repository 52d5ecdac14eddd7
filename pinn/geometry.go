package pinn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/sciml-go/sciml/tensor"
)

// Domain is a region of ℝ^d where collocation points are drawn: a Box (in
// any dimension), a shape built from simple ones (Disk, Polygon) by Union,
// Intersection and Difference, or the space-time cylinder TimeSpace over
// any of them. Points of a shape other than a box are drawn by rejection:
// candidates from the Sampler over the bounding box, kept when inside.
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
// draws n points of the boundary (uniformly in arc length for 2-D shapes,
// in area for the faces of a 3-D box) with their outward unit normals,
// both [n, Dim].
type Shape interface {
	Domain
	// SignedDistance is negative inside, positive outside and zero on the
	// boundary (exact for Box, Disk and Polygon; for combinations, the
	// usual min/max bound, exact in sign).
	SignedDistance(x []float64) float64
	// pieces returns the boundary as parametrised pieces, for sampling.
	pieces() []boundaryPiece
}

// boundaryPiece is a piece of the boundary of a shape in d dimensions
// (a curve when d = 2, a face of a box): at writes the point with
// coordinates s ∈ [0, 1] and rest ∈ [0, 1)^{d−2} on the piece, and its
// outward normal, into x and n; measure is its length (area, …).
type boundaryPiece struct {
	measure float64
	at      func(s float64, rest, x, n []float64)
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

// pieces returns the four edges of a rectangle (counter-clockwise from
// the lower-left corner), and the 2·Dim faces of a box of another
// dimension (axis 0 low, axis 0 high, axis 1 low, …; the two end points
// of an interval, each of measure 1), each face measured by the product
// of its extents.
func (b Box) pieces() []boundaryPiece {
	if b.Dim() == 2 {
		x0, y0, x1, y1 := b.Lo[0], b.Lo[1], b.Hi[0], b.Hi[1]
		return segments([][2]float64{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}})
	}
	dim := b.Dim()
	var out []boundaryPiece
	for a := range dim {
		var free []int
		area := 1.0
		for k := range dim {
			if k != a {
				free = append(free, k)
				area *= b.Hi[k] - b.Lo[k]
			}
		}
		for _, hi := range []bool{false, true} {
			side, sign := b.Lo[a], -1.0
			if hi {
				side, sign = b.Hi[a], 1
			}
			out = append(out, boundaryPiece{measure: area, at: func(s float64, rest, x, n []float64) {
				clear(n)
				x[a], n[a] = side, sign
				for j, k := range free {
					u := s
					if j > 0 {
						u = rest[j-1]
					}
					x[k] = b.Lo[k] + u*(b.Hi[k]-b.Lo[k])
				}
			}})
		}
	}
	return out
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
		nx, ny := dy/l, -dx/l // right of the direction: outward for CCW
		out = append(out, boundaryPiece{measure: l, at: func(s float64, _, x, n []float64) {
			x[0], x[1] = a[0]+s*dx, a[1]+s*dy
			n[0], n[1] = nx, ny
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
	return []boundaryPiece{{measure: 2 * math.Pi * c.Radius, at: func(s float64, _, x, n []float64) {
		sn, cs := math.Sincos(2 * math.Pi * s)
		x[0], x[1] = c.Center[0]+c.Radius*cs, c.Center[1]+c.Radius*sn
		n[0], n[1] = cs, sn
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
			pb[i].at = func(s float64, rest, x, n []float64) {
				at(s, rest, x, n)
				for k := range n {
					n[k] = -n[k]
				}
			}
		}
	}
	return append(pa, pb...)
}

// rejectSample draws n points of d: batches of candidates from s over the
// bounding box, kept in order when inside, until n are found (for a Grid,
// the points of the box's n-point grid that are inside). It panics
// when the region fills less than 1e-4 of its box (a mistake in the
// shape).
func rejectSample(d Domain, n int, s Sampler, r *rand.Rand) *tensor.Tensor {
	box := d.Bounds()
	dim := d.Dim()
	if _, ok := s.(Grid); ok {
		// the bounding box's grid points inside the region
		c := box.Sample(n, s, r).Float64s()
		var out []float64
		for i := range n {
			if x := c[i*dim : (i+1)*dim]; d.Contains(x) {
				out = append(out, x...)
			}
		}
		if len(out) == 0 {
			panic(fmt.Sprintf("pinn: no point of the %d-point grid lies in the domain", n))
		}
		return tensor.New(out, len(out)/dim, dim)
	}
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

// BoundarySample draws n points of the boundary of a shape with their
// outward unit normals, both [n, Dim]: uniformly in arc length for a 2-D
// shape, in area for a box of 3 or more dimensions, half at each end of
// an interval. It is stratified along the boundary (point k at measure
// (k + u_k)/n of the total, u_k uniform; the other coordinates of a face
// uniform). For a combination, the points of the operands' boundaries
// that are not on the combination's boundary (signed distance not zero)
// are skipped and redrawn.
func BoundarySample(sh Shape, n int, r *rand.Rand) (x, normal *tensor.Tensor) {
	dim := sh.Dim()
	ps := sh.pieces()
	total := 0.0
	for _, p := range ps {
		total += p.measure
	}
	if !(total > 0) {
		panic(fmt.Sprintf("pinn.BoundarySample: boundary of measure %g", total))
	}
	b := sh.Bounds()
	ext := 1.0
	for k := range dim {
		ext = math.Max(ext, b.Hi[k]-b.Lo[k])
	}
	tol := 1e-9 * ext
	xs := make([]float64, 0, dim*n)
	ns := make([]float64, 0, dim*n)
	p, q := make([]float64, dim), make([]float64, dim)
	rest := make([]float64, max(dim-2, 0))
	tries := 0
	for len(xs) < dim*n {
		m := n - len(xs)/dim
		for k := range m {
			tries++
			a := (float64(k) + r.Float64()) / float64(m) * total
			i := 0
			for i < len(ps)-1 && a > ps[i].measure {
				a -= ps[i].measure
				i++
			}
			for j := range rest {
				rest[j] = r.Float64()
			}
			s := 0.0
			if ps[i].measure > 0 {
				s = math.Min(1, a/ps[i].measure)
			}
			ps[i].at(s, rest, p, q)
			if math.Abs(sh.SignedDistance(p)) > tol {
				continue // a piece of an operand inside the other
			}
			xs = append(xs, p...)
			ns = append(ns, q...)
		}
		if tries > 1000*n+10000 {
			panic("pinn.BoundarySample: no boundary found")
		}
	}
	return tensor.New(xs, n, dim), tensor.New(ns, n, dim)
}

// TimeSpace is the space-time cylinder Space × [T0, T1] of a
// time-dependent problem, with time as the last axis (inputs (x, t) or
// (x, y, t)). Space is any Shape: an interval, a rectangle, a 3-D box, a
// disk, a plate with a hole. Its interior points are drawn by Sample, the
// initial slice Space × {T0} by Initial, and the lateral boundary
// ∂Space × [T0, T1] (where boundary conditions hold) by Lateral.
type TimeSpace struct {
	Space  Shape
	T0, T1 float64
}

// Dim returns the space dimension plus one.
func (ts TimeSpace) Dim() int { return ts.Space.Dim() + 1 }

// TimeAxis returns the index of the time axis (the last).
func (ts TimeSpace) TimeAxis() int { return ts.Space.Dim() }

// Contains reports whether x[:d] lies in Space and T0 ≤ x[d] ≤ T1.
func (ts TimeSpace) Contains(x []float64) bool {
	d := ts.Space.Dim()
	return x[d] >= ts.T0 && x[d] <= ts.T1 && ts.Space.Contains(x[:d])
}

// Bounds returns Space's bounding box times [T0, T1].
func (ts TimeSpace) Bounds() Box {
	b := ts.Space.Bounds()
	return Box{Lo: append(slices.Clone(b.Lo), ts.T0), Hi: append(slices.Clone(b.Hi), ts.T1)}
}

// Sample draws n points of the cylinder: directly with s when Space is a
// Box (the cylinder is then a box), by rejection from the bounding box
// otherwise.
func (ts TimeSpace) Sample(n int, s Sampler, r *rand.Rand) *tensor.Tensor {
	if _, ok := ts.Space.(Box); ok {
		return ts.Bounds().Sample(n, s, r)
	}
	return rejectSample(ts, n, s, r)
}

// Initial returns n points of the initial slice Space × {T0} drawn with
// s, [n, Dim].
func (ts TimeSpace) Initial(n int, s Sampler, r *rand.Rand) *tensor.Tensor {
	return appendTime(ts.Space.Sample(n, s, r), ts.T0)
}

// Lateral returns n points of the lateral boundary ∂Space × [T0, T1]
// with their outward normals (n_space, 0), both [n, Dim]: the space
// points from BoundarySample, the times a Latin hypercube of [T0, T1]
// (one per stratum of width (T1 − T0)/n, in random order).
func (ts TimeSpace) Lateral(n int, r *rand.Rand) (x, normal *tensor.Tensor) {
	xs, ns := BoundarySample(ts.Space, n, r)
	t := make([]float64, n)
	for i, k := range r.Perm(n) {
		t[i] = ts.T0 + (ts.T1-ts.T0)*(float64(k)+r.Float64())/float64(n)
	}
	x = appendTime(xs, 0)
	xd, d := x.Float64s(), ts.Dim()
	for i := range n {
		xd[i*d+d-1] = t[i]
	}
	return x, appendTime(ns, 0)
}

// appendTime returns the points x ([n, d]) with a last column t.
func appendTime(x *tensor.Tensor, t float64) *tensor.Tensor {
	n, d := x.Dim(0), x.Dim(1)
	xs := x.ToFloat64s()
	out := make([]float64, 0, n*(d+1))
	for i := range n {
		out = append(append(out, xs[i*d:(i+1)*d]...), t)
	}
	return tensor.New(out, n, d+1)
}
