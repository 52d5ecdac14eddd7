package solvers

import (
	"fmt"
	"math"
)

// This file holds the geometric multigrid preconditioner of the Darcy
// solver: a hierarchy of grids obtained by dropping every other node, bilinear
// interpolation P between them, restriction R = Pᵀ and Galerkin coarse
// operators A_c = Pᵀ A P (9-point stencils), symmetric Gauss–Seidel smoothing
// and a dense Cholesky solve on the coarsest grid. The V-cycle is a symmetric
// positive definite operator, so it can precondition conjugate gradients.

// mgLevel is one grid of the hierarchy with m×m unknowns (interior nodes).
type mgLevel struct {
	m int
	// st[9*p+s] is the coupling of unknown p with its neighbour at offset
	// (s/3−1, s%3−1) in (x, y); s = 4 is the diagonal.
	st []float64
	// five-point fine level: diagonal and east/north couplings (negative).
	five          bool
	diag, ce, cn  []float64
	x, b, r       []float64
	coarseW       [][2]int // per 1-D fine index: coarse index pair (−1 = none)
	coarseWeights [][2]float64
}

type multigrid struct {
	levels []*mgLevel
	chol   []float64 // Cholesky factor of the coarsest operator (dense, row-major)
	nc     int
}

// coarsenMap returns, for each of the nf fine 1-D interior indices, the (at
// most two) coarse indices it is interpolated from and their weights; the
// coarse grid has nf/2 points (fine odd indices p are coarse (p−1)/2).
func coarsenMap(nf int) (int, [][2]int, [][2]float64) {
	nc := nf / 2
	idx := make([][2]int, nf)
	w := make([][2]float64, nf)
	for p := 0; p < nf; p++ {
		if p%2 == 1 {
			idx[p] = [2]int{(p - 1) / 2, -1}
			w[p] = [2]float64{1, 0}
			continue
		}
		a, b := p/2-1, p/2
		idx[p] = [2]int{-1, -1}
		if a >= 0 && a < nc {
			idx[p][0] = a
			w[p][0] = 0.5
		}
		if b < nc {
			idx[p][1] = b
			w[p][1] = 0.5
		}
	}
	return nc, idx, w
}

// newMultigrid allocates a hierarchy for m×m fine unknowns.
func newMultigrid(m int) *multigrid {
	g := &multigrid{}
	size := m
	for {
		l := &mgLevel{m: size}
		n := size * size
		l.x, l.b, l.r = make([]float64, n), make([]float64, n), make([]float64, n)
		if len(g.levels) == 0 {
			l.five = true
			l.diag, l.ce, l.cn = make([]float64, n), make([]float64, n), make([]float64, n)
		} else {
			l.st = make([]float64, 9*n)
		}
		g.levels = append(g.levels, l)
		if size <= 5 {
			break
		}
		var nc int
		nc, l.coarseW, l.coarseWeights = coarsenMap(size)
		size = nc
	}
	g.nc = size * size
	g.chol = make([]float64, g.nc*g.nc)
	return g
}

// setFine installs the fine 5-point operator from node coefficients a on the
// (m+2)×(m+2) node grid: A u = Σ_faces k_f (u_P − u_nb), with k_f the
// arithmetic or harmonic mean of the two nodal coefficients of the face.
func (g *multigrid) setFine(a []float64, harmonic bool) {
	l := g.levels[0]
	m := l.m
	n := m + 2
	face := func(p, q float64) float64 {
		if harmonic {
			return 2 * p * q / (p + q)
		}
		return 0.5 * (p + q)
	}
	for i := 0; i < m; i++ {
		for j := 0; j < m; j++ {
			I, J := i+1, j+1
			aP := a[I*n+J]
			kE := face(aP, a[(I+1)*n+J])
			kW := face(aP, a[(I-1)*n+J])
			kN := face(aP, a[I*n+J+1])
			kS := face(aP, a[I*n+J-1])
			p := i*m + j
			l.diag[p] = kE + kW + kN + kS
			l.ce[p] = -kE // coupling to (i+1, j); zero on the boundary
			l.cn[p] = -kN // coupling to (i, j+1)
			if i == m-1 {
				l.ce[p] = 0
			}
			if j == m-1 {
				l.cn[p] = 0
			}
		}
	}
	for k := 1; k < len(g.levels); k++ {
		g.galerkin(k)
	}
	g.factorCoarsest()
}

// fineStencil returns the 9-point stencil of unknown (i, j) of level l.
func (l *mgLevel) stencil(i, j int, s *[9]float64) {
	m := l.m
	p := i*m + j
	if !l.five {
		copy(s[:], l.st[9*p:9*p+9])
		return
	}
	*s = [9]float64{}
	s[4] = l.diag[p]
	s[7] = l.ce[p] // (+1, 0)
	s[5] = l.cn[p] // (0, +1)
	if i > 0 {
		s[1] = l.ce[p-m] // (−1, 0)
	}
	if j > 0 {
		s[3] = l.cn[p-1] // (0, −1)
	}
}

// galerkin forms level k's operator as Pᵀ A P from level k−1:
// A_c(Q, R) = Σ_{p,o} P(p,Q) A(p, p+o) P(p+o, R), looping over the fine
// points p, their stencil offsets o and the (one or two per axis) coarse
// points each fine point interpolates from.
func (g *multigrid) galerkin(k int) {
	f, c := g.levels[k-1], g.levels[k]
	mf, mc := f.m, c.m
	clear(c.st)
	idx, w := f.coarseW, f.coarseWeights
	cnt := make([]int, mf)
	for p := range cnt {
		// Compact the (index, weight) pairs to the front.
		if idx[p][0] < 0 {
			idx[p][0], idx[p][1] = idx[p][1], -1
			w[p][0], w[p][1] = w[p][1], 0
		}
		if idx[p][0] >= 0 {
			cnt[p]++
		}
		if idx[p][1] >= 0 {
			cnt[p]++
		}
	}
	var s [9]float64
	for i := 0; i < mf; i++ {
		for j := 0; j < mf; j++ {
			f.stencil(i, j, &s)
			for o := 0; o < 9; o++ {
				v := s[o]
				if v == 0 {
					continue
				}
				ii, jj := i+o/3-1, j+o%3-1
				if ii < 0 || jj < 0 || ii >= mf || jj >= mf {
					continue
				}
				for a := 0; a < cnt[i]; a++ {
					qi, wa := idx[i][a], w[i][a]*v
					for b := 0; b < cnt[j]; b++ {
						qj, wab := idx[j][b], wa*w[j][b]
						row := c.st[9*(qi*mc+qj):]
						for a2 := 0; a2 < cnt[ii]; a2++ {
							ri, wr := idx[ii][a2], wab*w[ii][a2]
							base := 3 * (ri - qi + 1)
							for b2 := 0; b2 < cnt[jj]; b2++ {
								row[base+idx[jj][b2]-qj+1] += wr * w[jj][b2]
							}
						}
					}
				}
			}
		}
	}
}

// factorCoarsest computes the dense Cholesky factor of the coarsest operator.
func (g *multigrid) factorCoarsest() {
	l := g.levels[len(g.levels)-1]
	m, n := l.m, g.nc
	A := g.chol
	clear(A)
	var s [9]float64
	for i := 0; i < m; i++ {
		for j := 0; j < m; j++ {
			l.stencil(i, j, &s)
			p := i*m + j
			for o := 0; o < 9; o++ {
				ii, jj := i+o/3-1, j+o%3-1
				if ii < 0 || jj < 0 || ii >= m || jj >= m {
					continue
				}
				A[p*n+ii*m+jj] = s[o]
			}
		}
	}
	for j := 0; j < n; j++ {
		d := A[j*n+j]
		for k := 0; k < j; k++ {
			d -= A[j*n+k] * A[j*n+k]
		}
		if d <= 0 {
			panic(fmt.Sprintf("solvers: multigrid coarsest operator (%d×%d) not positive definite", n, n))
		}
		d = math.Sqrt(d)
		A[j*n+j] = d
		for i := j + 1; i < n; i++ {
			v := A[i*n+j]
			for k := 0; k < j; k++ {
				v -= A[i*n+k] * A[j*n+k]
			}
			A[i*n+j] = v / d
		}
	}
}

// solveCoarsest solves the coarsest system l.x = A⁻¹ l.b.
func (g *multigrid) solveCoarsest() {
	l := g.levels[len(g.levels)-1]
	n, L, x := g.nc, g.chol, l.x
	copy(x, l.b)
	for i := 0; i < n; i++ {
		v := x[i]
		for k := 0; k < i; k++ {
			v -= L[i*n+k] * x[k]
		}
		x[i] = v / L[i*n+i]
	}
	for i := n - 1; i >= 0; i-- {
		v := x[i]
		for k := i + 1; k < n; k++ {
			v -= L[k*n+i] * x[k]
		}
		x[i] = v / L[i*n+i]
	}
}

// gs performs one Gauss–Seidel sweep on level l, lexicographic forward or
// backward.
func (l *mgLevel) gs(backward bool) {
	m := l.m
	x, b := l.x, l.b
	if l.five {
		diag, ce, cn := l.diag, l.ce, l.cn
		row := func(i int) {
			base := i * m
			if !backward {
				for j := 0; j < m; j++ {
					l.fivePoint(i, j, base+j, x, b, diag, ce, cn)
				}
			} else {
				for j := m - 1; j >= 0; j-- {
					l.fivePoint(i, j, base+j, x, b, diag, ce, cn)
				}
			}
		}
		if !backward {
			for i := 0; i < m; i++ {
				row(i)
			}
		} else {
			for i := m - 1; i >= 0; i-- {
				row(i)
			}
		}
		return
	}
	st := l.st
	update := func(i, j int) {
		p := i*m + j
		s := st[9*p : 9*p+9 : 9*p+9]
		v := b[p]
		if i > 0 {
			q := p - m
			if j > 0 {
				v -= s[0] * x[q-1]
			}
			v -= s[1] * x[q]
			if j < m-1 {
				v -= s[2] * x[q+1]
			}
		}
		if j > 0 {
			v -= s[3] * x[p-1]
		}
		if j < m-1 {
			v -= s[5] * x[p+1]
		}
		if i < m-1 {
			q := p + m
			if j > 0 {
				v -= s[6] * x[q-1]
			}
			v -= s[7] * x[q]
			if j < m-1 {
				v -= s[8] * x[q+1]
			}
		}
		x[p] = v / s[4]
	}
	if !backward {
		for i := 0; i < m; i++ {
			for j := 0; j < m; j++ {
				update(i, j)
			}
		}
	} else {
		for i := m - 1; i >= 0; i-- {
			for j := m - 1; j >= 0; j-- {
				update(i, j)
			}
		}
	}
}

func (l *mgLevel) fivePoint(i, j, p int, x, b, diag, ce, cn []float64) {
	m := l.m
	v := b[p]
	if i < m-1 {
		v -= ce[p] * x[p+m]
	}
	if i > 0 {
		v -= ce[p-m] * x[p-m]
	}
	if j < m-1 {
		v -= cn[p] * x[p+1]
	}
	if j > 0 {
		v -= cn[p-1] * x[p-1]
	}
	x[p] = v / diag[p]
}

// apply computes y = A x on level l.
func (l *mgLevel) apply(y, x []float64) {
	m := l.m
	if l.five {
		diag, ce, cn := l.diag, l.ce, l.cn
		for i := 0; i < m; i++ {
			base := i * m
			d, e, nn := diag[base:base+m], ce[base:base+m], cn[base:base+m]
			xr, yr := x[base:base+m], y[base:base+m]
			for j := range yr {
				v := d[j] * xr[j]
				if j < m-1 {
					v += nn[j] * xr[j+1]
				}
				if j > 0 {
					v += nn[j-1] * xr[j-1]
				}
				yr[j] = v
			}
			if i < m-1 {
				xs := x[base+m : base+2*m]
				for j := range yr {
					yr[j] += e[j] * xs[j]
				}
			}
			if i > 0 {
				xs, es := x[base-m:base], ce[base-m:base]
				for j := range yr {
					yr[j] += es[j] * xs[j]
				}
			}
		}
		return
	}
	st := l.st
	for i := 0; i < m; i++ {
		for j := 0; j < m; j++ {
			p := i*m + j
			s := st[9*p : 9*p+9 : 9*p+9]
			v := s[4] * x[p]
			if j > 0 {
				v += s[3] * x[p-1]
			}
			if j < m-1 {
				v += s[5] * x[p+1]
			}
			if i > 0 {
				q := p - m
				v += s[1] * x[q]
				if j > 0 {
					v += s[0] * x[q-1]
				}
				if j < m-1 {
					v += s[2] * x[q+1]
				}
			}
			if i < m-1 {
				q := p + m
				v += s[7] * x[q]
				if j > 0 {
					v += s[6] * x[q-1]
				}
				if j < m-1 {
					v += s[8] * x[q+1]
				}
			}
			y[p] = v
		}
	}
}

// restrict computes c.b = Pᵀ f.r.
func restrict(f, c *mgLevel) {
	mf, mc := f.m, c.m
	idx, w := f.coarseW, f.coarseWeights
	clear(c.b)
	for i := 0; i < mf; i++ {
		for a := 0; a < 2; a++ {
			qi := idx[i][a]
			if qi < 0 {
				continue
			}
			wi := w[i][a]
			for j := 0; j < mf; j++ {
				v := wi * f.r[i*mf+j]
				for b := 0; b < 2; b++ {
					if qj := idx[j][b]; qj >= 0 {
						c.b[qi*mc+qj] += v * w[j][b]
					}
				}
			}
		}
	}
}

// prolongAdd adds P c.x to f.x.
func prolongAdd(f, c *mgLevel) {
	mf, mc := f.m, c.m
	idx, w := f.coarseW, f.coarseWeights
	for i := 0; i < mf; i++ {
		for a := 0; a < 2; a++ {
			qi := idx[i][a]
			if qi < 0 {
				continue
			}
			wi := w[i][a]
			for j := 0; j < mf; j++ {
				v := 0.0
				for b := 0; b < 2; b++ {
					if qj := idx[j][b]; qj >= 0 {
						v += w[j][b] * c.x[qi*mc+qj]
					}
				}
				f.x[i*mf+j] += wi * v
			}
		}
	}
}

// vcycle runs one symmetric V(1,1) cycle from zero initial guess on level k
// (levels[k].b holds the right-hand side, the result is left in levels[k].x).
func (g *multigrid) vcycle(k int) {
	if k == len(g.levels)-1 {
		g.solveCoarsest()
		return
	}
	l := g.levels[k]
	clear(l.x)
	l.gs(false)
	l.apply(l.r, l.x)
	for p := range l.r {
		l.r[p] = l.b[p] - l.r[p]
	}
	restrict(l, g.levels[k+1])
	g.vcycle(k + 1)
	prolongAdd(l, g.levels[k+1])
	l.gs(true)
}

// precondition sets z = M⁻¹ r with one V-cycle.
func (g *multigrid) precondition(z, r []float64) {
	l := g.levels[0]
	copy(l.b, r)
	g.vcycle(0)
	copy(z, l.x)
}
