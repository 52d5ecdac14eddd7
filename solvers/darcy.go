package solvers

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/sciml-go/sciml/pde"
)

// Darcy solves −∇·(a∇u) = f on (0,1)² with u = g on the boundary by the
// 5-point finite-difference scheme on the node grid of Params (see the
// package documentation), with conjugate gradients preconditioned by one
// geometric multigrid V-cycle per iteration.
type Darcy struct {
	// Params is the problem; Params.Grid, Params.Forcing,
	// Params.BoundaryValue and Params.Averaging are used by the solver.
	Params pde.Darcy
	// Tolerance is the relative residual ‖f − A u‖₂/‖f‖₂ at which CG stops.
	// Default (0) 1e-10.
	Tolerance float64
	// MaxIterations bounds the CG iterations. Default (0) 500.
	MaxIterations int
	// Workers is the number of samples solved in parallel by SolveBatch.
	// Default (0) GOMAXPROCS.
	Workers int
}

// DarcySolution is the result of one Darcy solve.
type DarcySolution struct {
	// U holds the solution on the Grid×Grid nodes, U[i*Grid+j] = u(x_i, y_j),
	// boundary nodes included.
	U []float64
	// Iterations is the number of preconditioned CG iterations.
	Iterations int
	// Residual is the final relative residual ‖f − A u‖₂/‖f‖₂ of the
	// discrete system, recomputed from u.
	Residual float64
}

func (d Darcy) tol() float64 {
	if d.Tolerance > 0 {
		return d.Tolerance
	}
	return 1e-10
}

func (d Darcy) maxIter() int {
	if d.MaxIterations > 0 {
		return d.MaxIterations
	}
	return 500
}

// darcyWork is the reusable state of one worker.
type darcyWork struct {
	mg               *multigrid
	x, r, z, p, q, f []float64
}

func newDarcyWork(n int) *darcyWork {
	m := n - 2
	k := m * m
	return &darcyWork{
		mg: newMultigrid(m),
		x:  make([]float64, k), r: make([]float64, k), z: make([]float64, k),
		p: make([]float64, k), q: make([]float64, k), f: make([]float64, k),
	}
}

// Solve solves the problem for the nodal coefficient a (Grid×Grid values,
// a[i*Grid+j] = a(x_i, y_j), boundary nodes included) and the constant
// forcing Params.Forcing.
func (d Darcy) Solve(ctx context.Context, a []float64) (DarcySolution, error) {
	return d.SolveForcing(ctx, a, nil)
}

// SolveForcing is Solve with a nodal forcing f (Grid×Grid values; the
// boundary values are ignored). f == nil means the constant Params.Forcing.
func (d Darcy) SolveForcing(ctx context.Context, a, f []float64) (DarcySolution, error) {
	if err := d.check(a, f); err != nil {
		return DarcySolution{}, err
	}
	return d.solve(ctx, newDarcyWork(d.Params.Grid), a, f)
}

func (d Darcy) check(a, f []float64) error {
	p := d.Params
	if p.Grid < 3 {
		return fmt.Errorf("solvers.Darcy: grid must have at least 3 nodes per axis, got %d", p.Grid)
	}
	if p.Averaging != pde.Arithmetic && p.Averaging != pde.Harmonic {
		return fmt.Errorf("solvers.Darcy: unknown face averaging %v", p.Averaging)
	}
	n := p.Grid
	if len(a) != n*n {
		return fmt.Errorf("solvers.Darcy: coefficient has %d values, want %d×%d = %d", len(a), n, n, n*n)
	}
	if f != nil && len(f) != n*n {
		return fmt.Errorf("solvers.Darcy: forcing has %d values, want %d×%d = %d", len(f), n, n, n*n)
	}
	for i, v := range a {
		if !(v > 0) || math.IsInf(v, 0) {
			return fmt.Errorf("solvers.Darcy: coefficient at node (%d, %d) is %v; it must be positive and finite", i/n, i%n, v)
		}
	}
	return nil
}

func (d Darcy) solve(ctx context.Context, w *darcyWork, a, f []float64) (DarcySolution, error) {
	p := d.Params
	n := p.Grid
	m := n - 2
	h := 1 / float64(n-1)
	// The system is scaled by h²: Σ k_f (u_P − u_nb) = h² f_P.
	b := w.f
	for i := 0; i < m; i++ {
		for j := 0; j < m; j++ {
			v := p.Forcing
			if f != nil {
				v = f[(i+1)*n+j+1]
			}
			b[i*m+j] = h * h * v
		}
	}
	w.mg.setFine(a, p.Averaging == pde.Harmonic)
	it, res, err := d.pcg(ctx, w, b)
	u := make([]float64, n*n)
	for i := range u {
		u[i] = p.BoundaryValue
	}
	for i := 0; i < m; i++ {
		for j := 0; j < m; j++ {
			u[(i+1)*n+j+1] += w.x[i*m+j]
		}
	}
	return DarcySolution{U: u, Iterations: it, Residual: res}, err
}

func dot(x, y []float64) float64 {
	s := 0.0
	for i, v := range x {
		s += v * y[i]
	}
	return s
}

// pcg solves A x = b (level-0 operator of w.mg) from x = 0.
func (d Darcy) pcg(ctx context.Context, w *darcyWork, b []float64) (int, float64, error) {
	A := w.mg.levels[0]
	x, r, z, p, q := w.x, w.r, w.z, w.p, w.q
	clear(x)
	copy(r, b)
	bn := math.Sqrt(dot(b, b))
	if bn == 0 {
		return 0, 0, nil
	}
	tol := d.tol()
	w.mg.precondition(z, r)
	copy(p, z)
	rz := dot(r, z)
	maxIt := d.maxIter()
	it := 0
	for ; it < maxIt; it++ {
		if it%8 == 0 {
			if err := ctx.Err(); err != nil {
				return it, math.NaN(), err
			}
		}
		A.apply(q, p)
		alpha := rz / dot(p, q)
		for i := range x {
			x[i] += alpha * p[i]
			r[i] -= alpha * q[i]
		}
		if math.Sqrt(dot(r, r)) <= tol*bn {
			// The recurrence's residual drifts from b − A x by round-off;
			// accept only when the true residual meets the tolerance too.
			// Otherwise restart from the true residual (the iterate is kept).
			if d.trueResidual(w, b, bn) <= tol || it+1 >= maxIt {
				it++
				break
			}
			for i, v := range b {
				r[i] = v - q[i]
			}
			w.mg.precondition(z, r)
			copy(p, z)
			rz = dot(r, z)
			continue
		}
		w.mg.precondition(z, r)
		rzNew := dot(r, z)
		beta := rzNew / rz
		rz = rzNew
		for i := range p {
			p[i] = z[i] + beta*p[i]
		}
	}
	res := d.trueResidual(w, b, bn)
	if res > tol {
		return it, res, fmt.Errorf("solvers.Darcy: CG did not reach relative residual %g in %d iterations (residual %g)", tol, it, res)
	}
	return it, res, nil
}

// trueResidual returns ‖b − A x‖/‖b‖ for the iterate w.x, leaving A x in w.q.
func (d Darcy) trueResidual(w *darcyWork, b []float64, bn float64) float64 {
	q := w.q
	w.mg.levels[0].apply(q, w.x)
	s := 0.0
	for i, v := range b {
		e := v - q[i]
		s += e * e
	}
	return math.Sqrt(s) / bn
}

// SolveBatch solves the problem for each coefficient in coeffs, in parallel
// over samples on Workers goroutines. Results are in input order and do not
// depend on the number of workers. progress (may be nil) is called after
// each finished sample.
func (d Darcy) SolveBatch(ctx context.Context, coeffs [][]float64, progress Progress) ([]DarcySolution, error) {
	for i, a := range coeffs {
		if err := d.check(a, nil); err != nil {
			return nil, fmt.Errorf("sample %d: %w", i, err)
		}
	}
	out := make([]DarcySolution, len(coeffs))
	err := runBatch(ctx, len(coeffs), d.Workers,
		func() *darcyWork { return newDarcyWork(d.Params.Grid) },
		func(ctx context.Context, w *darcyWork, i int) error {
			s, err := d.solve(ctx, w, coeffs[i], nil)
			if err != nil {
				return fmt.Errorf("sample %d: %w", i, err)
			}
			out[i] = s
			return nil
		}, progress)
	if err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return out, err
		}
		return nil, err
	}
	return out, nil
}
