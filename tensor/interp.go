package tensor

import (
	"fmt"
	"math"
	"slices"
)

// InterpMode selects the grid convention of Interpolate.
type InterpMode uint8

const (
	// InterpLinear is (multi)linear interpolation on grids that contain
	// both ends of each axis: n points at t_j = j/(n−1) of the interval
	// (PyTorch's align_corners=True, the FNO Darcy grids). Output point i of
	// m sits at source position s = i·(n−1)/(m−1).
	InterpLinear InterpMode = iota
	// InterpPeriodic is linear interpolation on periodic grids: n points at
	// t_j = j/n of one period, the point at t = 1 being the one at t = 0.
	// Output point i of m sits at source position s = i·n/m, and the
	// neighbour of the last point is the first.
	InterpPeriodic
)

func (m InterpMode) String() string {
	switch m {
	case InterpLinear:
		return "linear"
	case InterpPeriodic:
		return "periodic"
	}
	return fmt.Sprintf("InterpMode(%d)", uint8(m))
}

// Interpolate resamples the trailing len(sizes) axes of the real tensor x
// (the spatial axes of [B, C, S₁, …, S_d]) to the given sizes by
// separable linear interpolation: along each axis of n points,
//
//	y_i = (1 − f)·x_⌊s⌋ + f·x_⌊s⌋+1,   f = s − ⌊s⌋,
//
// with s the source position of output point i under mode (see
// InterpMode). Axes whose size does not change are left alone, so equal
// sizes give x itself. Interpolation is linear in x; each axis is applied
// as a sparse matrix with two entries per row, and the gradient is the
// transposed matrix applied the same way (itself differentiable).
func Interpolate(x *Tensor, sizes []int, mode InterpMode) *Tensor {
	return resampleAxes("Interpolate", x, sizes, mode, interpMatrix)
}

// resampleAxes applies to each trailing axis of x whose size changes the
// sparse matrix matrix(n, m, mode) that takes its n points to m, as
// Interpolate and CellAverage (name, for errors and the tape) do.
func resampleAxes(name string, x *Tensor, sizes []int, mode InterpMode, matrix func(n, m int, mode InterpMode) *sparseRows) *Tensor {
	if x.dtype != Float32 && x.dtype != Float64 {
		panic(fmt.Sprintf("tensor.%s: want float32 or float64, have %v", name, x.dtype))
	}
	if len(sizes) > x.NDim() {
		panic(fmt.Sprintf("tensor.%s: %d sizes %v for shape %v", name, len(sizes), sizes, x.shape))
	}
	if mode != InterpLinear && mode != InterpPeriodic {
		panic(fmt.Sprintf("tensor.%s: unknown mode %v", name, mode))
	}
	first := x.NDim() - len(sizes)
	for d, m := range sizes {
		if m < 1 || x.shape[first+d] < 1 {
			panic(fmt.Sprintf("tensor.%s: cannot resample shape %v to sizes %v", name, x.shape, sizes))
		}
	}
	for d, m := range sizes {
		axis := first + d
		n := x.shape[axis]
		if n == m {
			continue
		}
		a := matrix(n, m, mode)
		x = sparseAxisOp(name, x, axis, a, a.transpose(n))
	}
	return x
}

// CellAverage restricts the trailing len(sizes) axes of the real tensor
// x to coarser grids by cell averages: output point i of m, at source
// position s_i (as in Interpolate under mode), gets the mean over its
// cell [s_i − h/2, s_i + h/2] (h the output spacing in source units,
// n−1 over m−1 on closed grids, n/m on periodic ones) of x's piecewise-
// linear interpolant. On closed grids the cells of the end points are
// clipped to the interval; on periodic ones they wrap. The cells tile the
// domain, so the averages keep the integral of the interpolant, and
// linear functions keep their values at interior points.
//
// Subsampling (Interpolate to a nested grid) reads a rough field — a
// piecewise-constant coefficient — at isolated points; its cell averages
// say how much of each cell each value takes. Axes grown (m > n) are
// interpolated as Interpolate does, and axes whose size does not change
// are left alone. Like Interpolate it is linear, applied as a sparse
// matrix per axis, and differentiable.
func CellAverage(x *Tensor, sizes []int, mode InterpMode) *Tensor {
	return resampleAxes("CellAverage", x, sizes, mode, func(n, m int, mode InterpMode) *sparseRows {
		if m > n {
			return interpMatrix(n, m, mode)
		}
		return cellAverageMatrix(n, m, mode)
	})
}

// hatIntegral is ∫_{−∞}^t max(0, 1 − |u|) du, the integral of the hat
// function of a grid point up to t source spacings from it.
func hatIntegral(t float64) float64 {
	switch {
	case t <= -1:
		return 0
	case t <= 0:
		return (1 + t) * (1 + t) / 2
	case t < 1:
		return 1 - (1-t)*(1-t)/2
	}
	return 1
}

// cellAverageMatrix returns the m×n matrix of CellAverage from n to
// m < n points: row i holds ∫ φ_j over cell i, divided by the cell's
// length, for the hat functions φ_j of the source points it overlaps.
func cellAverageMatrix(n, m int, mode InterpMode) *sparseRows {
	type entry struct {
		col int
		w   float64
	}
	rows := make([][]entry, m)
	k := 1
	for i := range m {
		var lo, hi float64
		if mode == InterpPeriodic {
			h := float64(n) / float64(m)
			lo, hi = float64(i)*h-h/2, float64(i)*h+h/2
		} else if m == 1 {
			lo, hi = 0, float64(n-1)
		} else {
			h := float64(n-1) / float64(m-1)
			lo, hi = max(0, float64(i)*h-h/2), min(float64(n-1), float64(i)*h+h/2)
		}
		var row []entry
		for j := int(math.Floor(lo)); j <= int(math.Ceil(hi)); j++ {
			w := (hatIntegral(hi-float64(j)) - hatIntegral(lo-float64(j))) / (hi - lo)
			c := j
			if mode == InterpPeriodic {
				c = ((j % n) + n) % n
			} else if c < 0 || c >= n {
				continue
			}
			if w == 0 {
				continue
			}
			if t := slices.IndexFunc(row, func(e entry) bool { return e.col == c }); t >= 0 {
				row[t].w += w // a cell longer than the period (m = 1)
				continue
			}
			row = append(row, entry{c, w})
		}
		rows[i] = row
		k = max(k, len(row))
	}
	s := &sparseRows{k: k, col: make([]int, m*k), w: make([]float64, m*k)}
	for i, row := range rows {
		for t, e := range row {
			s.col[i*k+t], s.w[i*k+t] = e.col, e.w
		}
	}
	return s
}

// sparseRows is a sparse matrix with k stored entries per row (ELLPACK
// form): row i has the entries (col[i·k + t], w[i·k + t]), t < k, unused
// ones with weight 0. The fixed width keeps the inner loops free of
// data-dependent branches.
type sparseRows struct {
	k   int
	col []int
	w   []float64
}

func (s *sparseRows) rows() int { return len(s.col) / s.k }

// interpMatrix returns the m×n matrix of linear interpolation from n to m
// points, two entries per row. Source positions are computed in exact
// integer arithmetic, so output points that fall on source points copy
// them (their second weight is 0).
func interpMatrix(n, m int, mode InterpMode) *sparseRows {
	s := &sparseRows{k: 2, col: make([]int, 0, 2*m), w: make([]float64, 0, 2*m)}
	for i := range m {
		num, den := 0, 1
		switch {
		case mode == InterpPeriodic:
			num, den = i*n, m
		case m > 1:
			num, den = i*(n-1), m-1
		}
		i0, f := num/den, float64(num%den)/float64(den)
		i1 := i0
		if f != 0 {
			i1 = i0 + 1
			if mode == InterpPeriodic {
				i1 %= n
			}
		}
		s.col = append(s.col, i0, i1)
		s.w = append(s.w, 1-f, f)
	}
	return s
}

// transpose returns the n×m transpose of s (without its zero entries),
// each row's entries in increasing column order.
func (s *sparseRows) transpose(n int) *sparseRows {
	count := make([]int, n)
	for e, c := range s.col {
		if s.w[e] != 0 {
			count[c]++
		}
	}
	k := max(1, slices.Max(count))
	t := &sparseRows{k: k, col: make([]int, n*k), w: make([]float64, n*k)}
	clear(count)
	for e, c := range s.col {
		if s.w[e] != 0 {
			t.col[c*k+count[c]] = e / s.k
			t.w[c*k+count[c]] = s.w[e]
			count[c]++
		}
	}
	return t
}

// sparseAxisOp applies the matrix a (m×n) along axis of x, whose size is n,
// as one recorded operation: y[…, i, …] = Σ_j a[i, j]·x[…, j, …]. at is aᵀ;
// the backward rule applies it the same way (and its backward applies a).
func sparseAxisOp(name string, x *Tensor, axis int, a, at *sparseRows) *Tensor {
	n, m := at.rows(), a.rows()
	if x.shape[axis] != n {
		panic(fmt.Sprintf("tensor.%s: axis %d of %v is not %d", name, axis, x.shape, n))
	}
	outer, inner := numel(x.shape[:axis]), numel(x.shape[axis+1:])
	shape := slices.Clone(x.shape)
	shape[axis] = m
	out := alloc(arenaOf(x), x.dtype, shape, false)
	switch y := out.data.(type) {
	case []float32:
		applyRows(y, x.Float32s(), outer, n, inner, a)
	case []float64:
		applyRows(y, x.Float64s(), outer, n, inner, a)
	}
	return record(out, name, func(g *Tensor, _ []*Tensor, _ *Tensor, _ []bool) []*Tensor {
		return []*Tensor{sparseAxisOp(name, g, axis, at, a)}
	}, x)
}

// applyRows computes y[o, i, q] = Σ_t a.w[i·k+t]·x[o, a.col[i·k+t], q] for
// x [outer, n, inner] and y [outer, m, inner]. Each output row is one unit
// of work, summed in entry order.
func applyRows[T Float](y, x []T, outer, n, inner int, a *sparseRows) {
	m, k := a.rows(), a.k
	w := make([]T, len(a.w))
	for e, v := range a.w {
		w[e] = T(v)
	}
	col := a.col
	if inner == 1 {
		parallelRange(outer*m, grain, func(lo, hi int) {
			for u := lo; u < hi; {
				o, i0 := u/m, u%m
				i1 := min(m, i0+hi-u)
				xs := x[o*n : (o+1)*n]
				ys := y[o*m+i0 : o*m+i1]
				if k == 2 {
					c, v := col[2*i0:2*i1], w[2*i0:2*i1]
					for i := range ys {
						ys[i] = v[2*i]*xs[c[2*i]] + v[2*i+1]*xs[c[2*i+1]]
					}
				} else {
					for i := range ys {
						e := (i0 + i) * k
						var s T
						for t := range k {
							s += w[e+t] * xs[col[e+t]]
						}
						ys[i] = s
					}
				}
				u += i1 - i0
			}
		})
		return
	}
	parallelRange(outer*m, max(1, grain/inner), func(lo, hi int) {
		for u := lo; u < hi; u++ {
			xs := x[(u/m)*n*inner : (u/m+1)*n*inner]
			e := (u % m) * k
			d := y[u*inner : (u+1)*inner]
			src, c := xs[col[e]*inner:(col[e]+1)*inner], w[e]
			for q := range d {
				d[q] = c * src[q]
			}
			for t := 1; t < k; t++ {
				if c = w[e+t]; c == 0 {
					continue
				}
				src := xs[col[e+t]*inner : (col[e+t]+1)*inner]
				for q := range d {
					d[q] += c * src[q]
				}
			}
		}
	})
}
