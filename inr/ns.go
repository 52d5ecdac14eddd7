package inr

import (
	"context"
	"fmt"

	"github.com/sciml-go/sciml/pde"
	"github.com/sciml-go/sciml/solvers"
)

// NavierStokesSnapshot returns a vorticity snapshot w(·, T) of the FNO
// paper's first Navier–Stokes regime (ν = 1e-3, forcing
// 0.1(sin 2π(x+y) + cos 2π(x+y)), w0 from the paper's Gaussian random
// field) on an n×n periodic grid, solved by solvers.NavierStokes with
// ETDRK4 at the final time T (10 when 0). The initial field is drawn with
// pde.NewRand(seed, 0).
func NavierStokesSnapshot(ctx context.Context, n int, finalTime float64, seed uint64) (Field, error) {
	if finalTime == 0 {
		finalTime = 10
	}
	p := pde.DefaultNavierStokes()
	p.Grid, p.StoreGrid = n, n
	p.FinalTime, p.RecordInterval = finalTime, finalTime
	if err := p.Validate(); err != nil {
		return Field{}, fmt.Errorf("inr: navier-stokes: %w", err)
	}
	w0, err := p.Init.Sample(pde.NewRand(seed, 0), n)
	if err != nil {
		return Field{}, fmt.Errorf("inr: navier-stokes: %w", err)
	}
	sol, err := solvers.NavierStokes{Params: p, Scheme: solvers.ETDRK4}.Solve(ctx, w0)
	if err != nil {
		return Field{}, fmt.Errorf("inr: navier-stokes: %w", err)
	}
	return Field{Shape: []int{n, n}, Channels: 1, Data: sol.W[len(sol.W)-1]}, nil
}
