package pinn

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/sciml-go/sciml/tensor"
)

// Sampler draws n points in the unit cube [0, 1)^dim, row-major [n·dim]
// (Grid includes the far faces: [0, 1]^dim).
type Sampler interface {
	Sample(n, dim int, r *rand.Rand) []float64
}

// Uniform draws independent uniform points.
type Uniform struct{}

// Sample draws n·dim independent U(0, 1) numbers.
func (Uniform) Sample(n, dim int, r *rand.Rand) []float64 {
	p := make([]float64, n*dim)
	for i := range p {
		p[i] = r.Float64()
	}
	return p
}

// LHS is Latin hypercube sampling: along every axis each of the n strata
// [k/n, (k+1)/n) holds exactly one point, at a uniform position inside it,
// with the strata of different axes matched by independent random
// permutations (McKay et al. 1979; pyDOE's lhs, which Raissi's data used).
type LHS struct{}

// Sample draws a Latin hypercube of n points.
func (LHS) Sample(n, dim int, r *rand.Rand) []float64 {
	p := make([]float64, n*dim)
	for d := range dim {
		perm := r.Perm(n)
		for i := range n {
			p[i*dim+d] = (float64(perm[i]) + r.Float64()) / float64(n)
		}
	}
	return p
}

// Halton is the Halton sequence with the first dim primes as bases,
// skipping its first Skip points (Skip 0 means 1, dropping the origin) and
// shifted by a random vector modulo 1 (Cranley–Patterson rotation) so that
// different seeds give different point sets with the same low discrepancy.
// Set NoShift to get the plain sequence.
type Halton struct {
	Skip    int
	NoShift bool
}

var primes = []int{2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53}

// radicalInverse reflects the base-b digits of i about the radix point.
func radicalInverse(i, b int) float64 {
	f, r := 1.0, 0.0
	for i > 0 {
		f /= float64(b)
		r += f * float64(i%b)
		i /= b
	}
	return r
}

// Sample returns points Skip … Skip+n−1 of the Halton sequence.
func (h Halton) Sample(n, dim int, r *rand.Rand) []float64 {
	if dim > len(primes) {
		panic(fmt.Sprintf("pinn.Halton: dimension %d > %d", dim, len(primes)))
	}
	skip := h.Skip
	if skip == 0 {
		skip = 1
	}
	shift := make([]float64, dim)
	if !h.NoShift {
		for d := range shift {
			shift[d] = r.Float64()
		}
	}
	p := make([]float64, n*dim)
	for i := range n {
		for d := range dim {
			v := radicalInverse(skip+i, primes[d]) + shift[d]
			if v >= 1 {
				v--
			}
			p[i*dim+d] = v
		}
	}
	return p
}

// Grid is the regular tensor grid: Sizes[k] equispaced values along axis
// k, both ends included (numpy's linspace; PINNsFormer trains on the
// 101 × 101 grid of its domain), listed with the last axis fastest. A
// single value on an axis sits at the middle. Without Sizes, every axis
// gets m = n^{1/dim} values, which must be a whole number. The grid is
// deterministic: resampling draws the same points. On a shape other than
// a box, the points of the bounding box's grid inside it are kept (fewer
// than n).
type Grid struct {
	Sizes []int
}

// Points returns the number of grid points, Π Sizes (0 without Sizes).
func (g Grid) Points() int {
	if len(g.Sizes) == 0 {
		return 0
	}
	n := 1
	for _, s := range g.Sizes {
		n *= s
	}
	return n
}

// sizes returns the points per axis for n points in dim dimensions.
func (g Grid) sizes(n, dim int) []int {
	if len(g.Sizes) != 0 {
		if len(g.Sizes) != dim || g.Points() != n {
			panic(fmt.Sprintf("pinn.Grid: grid %v for %d points in %d dimensions", g.Sizes, n, dim))
		}
		return g.Sizes
	}
	m := int(math.Round(math.Pow(float64(n), 1/float64(dim))))
	if p := math.Pow(float64(m), float64(dim)); p != float64(n) {
		panic(fmt.Sprintf("pinn.Grid: %d points are not a %d-D square grid (give Sizes)", n, dim))
	}
	s := make([]int, dim)
	for k := range s {
		s[k] = m
	}
	return s
}

// Sample returns the n grid points in [0, 1]^dim (r is not used).
func (g Grid) Sample(n, dim int, _ *rand.Rand) []float64 {
	sz := g.sizes(n, dim)
	p := make([]float64, n*dim)
	idx := make([]int, dim)
	for i := range n {
		for k := range dim {
			v := 0.5
			if sz[k] > 1 {
				v = float64(idx[k]) / float64(sz[k]-1)
			}
			p[i*dim+k] = v
		}
		for k := dim - 1; k >= 0; k-- { // odometer, last axis fastest
			if idx[k]++; idx[k] < sz[k] {
				break
			}
			idx[k] = 0
		}
	}
	return p
}

// SamplerByName returns "uniform", "lhs", "halton", "sobol" or "grid"
// (Grid without sizes).
func SamplerByName(name string) (Sampler, error) {
	switch name {
	case "uniform", "random":
		return Uniform{}, nil
	case "lhs", "":
		return LHS{}, nil
	case "halton":
		return Halton{}, nil
	case "sobol":
		return Sobol{}, nil
	case "grid":
		return Grid{}, nil
	}
	return nil, fmt.Errorf("pinn: unknown sampler %q (want uniform, lhs, halton, sobol or grid)", name)
}

// Box is the axis-aligned box ∏_d [Lo_d, Hi_d]: an interval, a rectangle,
// a space-time slab (time is just another axis). An axis with Lo = Hi is
// fixed, which is how faces are described (see Face).
type Box struct {
	Lo, Hi []float64
}

// Dim returns the number of axes.
func (b Box) Dim() int { return len(b.Lo) }

// Face returns the face of b where axis is fixed at Lo (hi false) or Hi.
func (b Box) Face(axis int, hi bool) Box {
	f := Box{Lo: append([]float64(nil), b.Lo...), Hi: append([]float64(nil), b.Hi...)}
	if hi {
		f.Lo[axis] = b.Hi[axis]
	} else {
		f.Hi[axis] = b.Lo[axis]
	}
	return f
}

// Contains reports whether x lies in the closed box.
func (b Box) Contains(x []float64) bool {
	for d, v := range x {
		if v < b.Lo[d] || v > b.Hi[d] {
			return false
		}
	}
	return true
}

// Sample draws n points of b with s, as a float64 tensor [n, Dim].
func (b Box) Sample(n int, s Sampler, r *rand.Rand) *tensor.Tensor {
	d := b.Dim()
	p := s.Sample(n, d, r)
	for i := range n {
		for k := range d {
			p[i*d+k] = b.Lo[k] + (b.Hi[k]-b.Lo[k])*p[i*d+k]
		}
	}
	return tensor.New(p, n, d)
}

// Points returns the given rows as a float64 tensor [len(rows), dim].
func Points(rows ...[]float64) *tensor.Tensor {
	if len(rows) == 0 {
		panic("pinn.Points: no points")
	}
	d := len(rows[0])
	p := make([]float64, 0, len(rows)*d)
	for _, r := range rows {
		if len(r) != d {
			panic(fmt.Sprintf("pinn.Points: rows of lengths %d and %d", d, len(r)))
		}
		p = append(p, r...)
	}
	return tensor.New(p, len(rows), d)
}
