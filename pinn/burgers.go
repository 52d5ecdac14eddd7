package pinn

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/sciml-go/sciml/pde"
	"github.com/sciml-go/sciml/solvers"
	"github.com/sciml-go/sciml/tensor"
)

// BurgersRaissi returns Raissi et al.'s Burgers problem
//
//	u_t + u u_x = ν u_xx,  ν = 0.01/π,  x ∈ [−1, 1], t ∈ [0, 1],
//	u(0, x) = −sin πx,  u(t, ±1) = 0,
//
// with inputs (x, t) (axis 0 is x, axis 1 is t) and nu boundary/initial
// points: half on t = 0, a quarter on each of x = ±1, drawn uniformly
// (Raissi drew N_u = 100 of them from the reference grid).
func BurgersRaissi(nu int, r *rand.Rand) *Problem { return Burgers(0.01/math.Pi, nu, r) }

// Burgers is BurgersRaissi with the viscosity visc in place of 0.01/π.
func Burgers(visc float64, nu int, r *rand.Rand) *Problem {
	return BurgersSampled(visc, nu, Uniform{}, r)
}

// BurgersSampled is Burgers with the initial and boundary points drawn by
// s on each face: n₀ = ⌊nu/2⌋ on t = 0, then ⌊(nu − n₀)/2⌋ on x = −1 and
// the rest on x = 1. Uniform{} is Burgers (the same draws from r). LHS{}
// stratifies each face: one point in each of its n equal intervals, so no
// gap is wider than two of them (4/n₀ on t = 0), where n₀ independent
// uniform points leave gaps of order (2 ln n₀)/n₀ — with n₀ = 50 one
// around x = 0, where the shock forms, can be 0.3 wide, and the network's
// guess of −sin πx across it moves the shock (docs/results.md, Burgers).
func BurgersSampled(visc float64, nu int, s Sampler, r *rand.Rand) *Problem {
	dom := Box{Lo: []float64{-1, 0}, Hi: []float64{1, 1}}
	n0 := nu / 2
	nb := (nu - n0) / 2
	x0 := dom.Face(1, false).Sample(n0, s, r)
	xl := dom.Face(0, false).Sample(nb, s, r)
	xh := dom.Face(0, true).Sample(nu-n0-nb, s, r)
	return &Problem{
		Domain: dom,
		Needs:  []Partial{D(0), D(0, 0), D(0, 1), D(0, 0, 0)},
		Residual: func(f *Fields) []*tensor.Tensor {
			u, ux, ut, uxx := f.D(0), f.D(0, 0), f.D(0, 1), f.D(0, 0, 0)
			return []*tensor.Tensor{tensor.Sub(tensor.Add(ut, tensor.Mul(u, ux)), tensor.Scale(uxx, visc))}
		},
		Conditions: []*Condition{
			Dirichlet("initial", x0, 0, func(x []float64) float64 { return -math.Sin(math.Pi * x[0]) }),
			Dirichlet("left", xl, 0, nil),
			Dirichlet("right", xh, 0, nil),
		},
	}
}

// Reference is a solution sampled on a tensor grid: U[i·len(T)+j] is the
// value at (X[i], T[j]). Inside, when set, marks the grid points that lie
// in the domain (a shape other than a box; see Restrict): the errors are
// taken over those only. P, when set, holds the points of U instead (any
// number of inputs, [len(U), In]; see PointReference), and X and T are
// unused.
type Reference struct {
	X, T   []float64
	U      []float64
	Inside []bool
	P      *tensor.Tensor
}

// PointReference samples f at the points p ([N, In], float64).
func PointReference(p *tensor.Tensor, f func(x []float64) float64) *Reference {
	return &Reference{P: p, U: targetOf(p, f).Float64s()}
}

// Points returns the points of U: P, or the grid points (x, t) as
// [len(X)·len(T), 2].
func (r *Reference) Points() *tensor.Tensor {
	if r.P != nil {
		return r.P
	}
	p := make([]float64, 0, 2*len(r.X)*len(r.T))
	for _, x := range r.X {
		for _, t := range r.T {
			p = append(p, x, t)
		}
	}
	return tensor.New(p, len(r.X)*len(r.T), 2)
}

// Errors returns the relative L2 error ‖u − ref‖₂/‖ref‖₂, the relative mean
// absolute error Σ|u − ref|/Σ|ref| (rMAE) and the relative RMSE (which is
// the relative L2 error; PINNsFormer's rRMSE) of the network's first
// output on the grid.
func (r *Reference) Errors(net Net) (relL2, rMAE float64) {
	x := castTo(r.Points(), paramDType(net))
	u := net.Forward(x).ToFloat64s()
	var num, den, an, ad float64
	_, out := net.Dims()
	for i, v := range r.U {
		if r.Inside != nil && !r.Inside[i] {
			continue
		}
		d := u[i*out] - v
		num += d * d
		den += v * v
		an += math.Abs(d)
		ad += math.Abs(v)
	}
	return math.Sqrt(num / den), an / ad
}

// BurgersReference solves Raissi's Burgers problem with the periodic
// pseudo-spectral ETDRK4 solver (solvers.Burgers) and samples it at the
// given points: −sin πx on [−1, 1] is odd and 2-periodic, the periodic
// solution stays odd, so it vanishes at x = ±1 and equals the Dirichlet
// solution. The solver works on [0, 2) with u0(y) = sin πy, y = x + 1. grid
// is the number of Fourier points on the period (≥ 4096 resolves the shock
// at ν = 0.01/π), dt the time step; xs must lie on the grid (x = −1 + 2i/grid).
func BurgersReference(ctx context.Context, grid int, dt float64, xs, ts []float64) (*Reference, error) {
	return BurgersReferenceVisc(ctx, 0.01/math.Pi, grid, dt, xs, ts)
}

// BurgersReferenceVisc is BurgersReference for the viscosity visc (the
// problem Burgers(visc, …)).
func BurgersReferenceVisc(ctx context.Context, visc float64, grid int, dt float64, xs, ts []float64) (*Reference, error) {
	u0 := make([]float64, grid)
	for i := range u0 {
		u0[i] = math.Sin(math.Pi * 2 * float64(i) / float64(grid))
	}
	var times []float64
	for _, t := range ts {
		if t > 0 {
			times = append(times, t)
		}
	}
	p := pde.DefaultBurgers()
	p.Viscosity = visc
	p.Length = 2
	p.FinalTime = times[len(times)-1]
	p.Grid = grid
	sol, err := solvers.Burgers{Params: p, TimeStep: dt, Times: times}.Solve(ctx, u0)
	if err != nil {
		return nil, fmt.Errorf("pinn: Burgers reference: %w", err)
	}
	ref := &Reference{X: xs, T: ts, U: make([]float64, len(xs)*len(ts))}
	for i, x := range xs {
		k := (x + 1) * float64(grid) / 2
		ki := int(math.Round(k))
		if math.Abs(k-float64(ki)) > 1e-9 {
			return nil, fmt.Errorf("pinn: Burgers reference: x = %g is not on the %d-point grid", x, grid)
		}
		ki %= grid
		s := 0
		for j, t := range ts {
			if t <= 0 {
				ref.U[i*len(ts)+j] = u0[ki]
				continue
			}
			ref.U[i*len(ts)+j] = sol.U[s][ki]
			s++
		}
	}
	return ref, nil
}

// RaissiGrid returns Raissi's evaluation grid: 256 x in [−1, 1] spaced 2/256
// (x = 1 is the same point as −1 on the period, and both are 0) and
// t = 0, 0.01, …, 0.99.
func RaissiGrid() (xs, ts []float64) {
	for i := range 257 {
		xs = append(xs, -1+2*float64(i)/256)
	}
	for j := range 100 {
		ts = append(ts, float64(j)/100)
	}
	return xs, ts
}
