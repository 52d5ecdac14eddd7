package solvers

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"

	"github.com/sciml-go/sciml/internal/fft"
	"github.com/sciml-go/sciml/pde"
)

// Burgers solves the periodic viscous Burgers equation of Params by the
// Fourier pseudo-spectral method with 2/3-rule dealiasing and fourth-order
// exponential time differencing (ETDRK4, see the package documentation).
type Burgers struct {
	// Params is the problem (viscosity, domain length, final time).
	Params pde.Burgers
	// TimeStep is the largest time step; each interval between snapshot
	// times is split into equal steps no longer than it. Default (0) 1e-3,
	// which reaches a relative L2 error ≈ 1e-10 against Cole–Hopf for the
	// FNO law (ν = 0.1, T = 1).
	TimeStep float64
	// Times are the snapshot times in (0, FinalTime], increasing. Empty
	// means {Params.FinalTime}.
	Times []float64
	// ContourPoints is the number of points of the Kassam–Trefethen contour
	// integrals. Default (0) 64.
	ContourPoints int
	// Workers is the number of samples solved in parallel by SolveBatch.
	// Default (0) GOMAXPROCS.
	Workers int
}

// BurgersSolution holds the snapshots of one Burgers solve.
type BurgersSolution struct {
	// Times are the snapshot times.
	Times []float64
	// U[s] holds u(x_i, Times[s]) at the grid points x_i = iL/n.
	U [][]float64
}

func (b Burgers) times() []float64 {
	if len(b.Times) == 0 {
		return []float64{b.Params.FinalTime}
	}
	return b.Times
}

func (b Burgers) check(n int) error {
	p := b.Params
	if !(p.Viscosity > 0) || math.IsInf(p.Viscosity, 0) || !(p.Length > 0) || math.IsInf(p.Length, 0) {
		return fmt.Errorf("solvers.Burgers: viscosity and length must be positive and finite, got %v and %v", p.Viscosity, p.Length)
	}
	if n < 4 || n%2 != 0 {
		return fmt.Errorf("solvers.Burgers: grid must be even and at least 4, got %d points", n)
	}
	if n != p.Grid {
		return fmt.Errorf("solvers.Burgers: u0 has %d points, Params.Grid is %d", n, p.Grid)
	}
	if b.TimeStep < 0 || math.IsNaN(b.TimeStep) {
		return fmt.Errorf("solvers.Burgers: time step must be positive, got %v", b.TimeStep)
	}
	ts := b.times()
	if !sort.Float64sAreSorted(ts) || !(ts[0] > 0) {
		return fmt.Errorf("solvers.Burgers: snapshot times must be positive and increasing, got %v", ts)
	}
	for i := 1; i < len(ts); i++ {
		if ts[i] == ts[i-1] {
			return fmt.Errorf("solvers.Burgers: repeated snapshot time %v", ts[i])
		}
	}
	if math.IsInf(ts[len(ts)-1], 0) {
		return errors.New("solvers.Burgers: infinite snapshot time")
	}
	return nil
}

// burgersWork is the reusable state of one worker: spectral buffers and a
// cache of ETDRK4 coefficients per step size.
type burgersWork struct {
	n                          int
	L, kd                      []float64 // linear symbol −ν k², derivative wave numbers k
	mask                       []float64 // 2/3 rule
	v, a, b, c, na, nb, nc, nv []complex128
	tmp                        []complex128
	u                          []float64
	coefs                      map[float64]*etdCoefficients
	contour                    int
}

func newBurgersWork(p pde.Burgers, n, contour int) *burgersWork {
	h := n/2 + 1
	w := &burgersWork{n: n, contour: contour, coefs: map[float64]*etdCoefficients{},
		L: make([]float64, h), kd: make([]float64, h), mask: make([]float64, h),
		u: make([]float64, n)}
	for _, p := range []*[]complex128{&w.v, &w.a, &w.b, &w.c, &w.na, &w.nb, &w.nc, &w.nv, &w.tmp} {
		*p = make([]complex128, h)
	}
	for k := 0; k < h; k++ {
		kk := 2 * math.Pi * float64(k) / p.Length
		w.L[k] = -p.Viscosity * kk * kk
		if 2*k != n {
			w.kd[k] = kk
		}
		if 3*k <= n { // |k| ≤ n/3: products of kept modes alias only onto removed ones
			w.mask[k] = 1
		}
	}
	return w
}

// nonlinear sets out = −(ik/2)·P·FFT((IFFT(P v))²), P the dealiasing mask.
func (w *burgersWork) nonlinear(out, v []complex128) {
	n := w.n
	for k, m := range w.mask {
		w.tmp[k] = v[k] * complex(m, 0)
	}
	fft.IRFFT64(w.u, w.tmp, []int{n}, 1)
	for i, x := range w.u {
		w.u[i] = x * x
	}
	fft.RFFT64(w.tmp, w.u, []int{n}, 1)
	for k, m := range w.mask {
		out[k] = w.tmp[k] * complex(0, -0.5*w.kd[k]*m)
	}
}

// step advances w.v by one ETDRK4 step with coefficients c.
func (w *burgersWork) step(c *etdCoefficients) {
	v, a, b, cc := w.v, w.a, w.b, w.c
	w.nonlinear(w.nv, v)
	for k := range v {
		a[k] = complex(c.e2[k], 0)*v[k] + complex(c.q[k], 0)*w.nv[k]
	}
	w.nonlinear(w.na, a)
	for k := range v {
		b[k] = complex(c.e2[k], 0)*v[k] + complex(c.q[k], 0)*w.na[k]
	}
	w.nonlinear(w.nb, b)
	for k := range v {
		cc[k] = complex(c.e2[k], 0)*a[k] + complex(c.q[k], 0)*(2*w.nb[k]-w.nv[k])
	}
	w.nonlinear(w.nc, cc)
	for k := range v {
		v[k] = complex(c.e[k], 0)*v[k] + complex(c.f1[k], 0)*w.nv[k] +
			complex(2*c.f2[k], 0)*(w.na[k]+w.nb[k]) + complex(c.f3[k], 0)*w.nc[k]
	}
}

func (w *burgersWork) coefficients(h float64) *etdCoefficients {
	c, ok := w.coefs[h]
	if !ok {
		if len(w.coefs) > 8 {
			clear(w.coefs)
		}
		c = newETDCoefficients(w.L, h, w.contour)
		w.coefs[h] = c
	}
	return c
}

func (b Burgers) dt() float64 {
	if b.TimeStep > 0 {
		return b.TimeStep
	}
	return 1e-3
}

// Solve integrates from the initial values u0 (len(u0) = Params.Grid = n,
// u0[i] = u0(iL/n)) and returns the snapshots at Times.
func (b Burgers) Solve(ctx context.Context, u0 []float64) (BurgersSolution, error) {
	if err := b.check(len(u0)); err != nil {
		return BurgersSolution{}, err
	}
	return b.solve(ctx, newBurgersWork(b.Params, len(u0), b.ContourPoints), u0)
}

func (b Burgers) solve(ctx context.Context, w *burgersWork, u0 []float64) (BurgersSolution, error) {
	n := w.n
	for i, v := range u0 {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return BurgersSolution{}, fmt.Errorf("solvers.Burgers: u0[%d] = %v", i, v)
		}
	}
	fft.RFFT64(w.v, u0, []int{n}, 1)
	ts := b.times()
	sol := BurgersSolution{Times: append([]float64(nil), ts...), U: make([][]float64, len(ts))}
	t := 0.0
	for s, ts := range ts {
		steps := int(math.Ceil((ts-t)/b.dt() - 1e-9))
		steps = max(steps, 1)
		c := w.coefficients((ts - t) / float64(steps))
		for j := 0; j < steps; j++ {
			if j%64 == 0 {
				if err := ctx.Err(); err != nil {
					return sol, err
				}
			}
			w.step(c)
		}
		t = ts
		u := make([]float64, n)
		fft.IRFFT64(u, w.v, []int{n}, 1)
		for _, x := range u {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return sol, fmt.Errorf("solvers.Burgers: solution blew up before t = %v (reduce the time step)", ts)
			}
		}
		sol.U[s] = u
	}
	return sol, nil
}

// SolveBatch solves every initial condition of u0s (all of one grid size) in
// parallel over samples. Results are in input order and independent of the
// number of workers.
func (b Burgers) SolveBatch(ctx context.Context, u0s [][]float64, progress Progress) ([]BurgersSolution, error) {
	if len(u0s) == 0 {
		return nil, nil
	}
	n := len(u0s[0])
	for i, u := range u0s {
		if len(u) != n {
			return nil, fmt.Errorf("solvers.Burgers: sample %d has %d points, sample 0 has %d", i, len(u), n)
		}
	}
	if err := b.check(n); err != nil {
		return nil, err
	}
	out := make([]BurgersSolution, len(u0s))
	err := runBatch(ctx, len(u0s), b.Workers,
		func() *burgersWork { return newBurgersWork(b.Params, n, b.ContourPoints) },
		func(ctx context.Context, w *burgersWork, i int) error {
			s, err := b.solve(ctx, w, u0s[i])
			if err != nil {
				return fmt.Errorf("sample %d: %w", i, err)
			}
			out[i] = s
			return nil
		}, progress)
	return out, err
}
