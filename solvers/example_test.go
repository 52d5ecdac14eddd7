package solvers_test

import (
	"context"
	"fmt"
	"math"

	"github.com/sciml-go/sciml/pde"
	"github.com/sciml-go/sciml/solvers"
)

func relErr(a, b []float64) float64 {
	num, den := 0.0, 0.0
	for i := range a {
		num += (a[i] - b[i]) * (a[i] - b[i])
		den += b[i] * b[i]
	}
	return math.Sqrt(num / den)
}

// Solve one Burgers sample of the FNO law and check it against the exact
// Cole–Hopf solution.
func ExampleBurgers_Solve() {
	p := pde.DefaultBurgers()
	p.Grid = 1024 // the FNO data use 8192
	u0, err := p.Init.Sample(pde.NewRand(2024, 0), p.Grid)
	if err != nil {
		panic(err)
	}
	sol, err := solvers.Burgers{Params: p, Times: []float64{0.5, 1}}.Solve(context.Background(), u0)
	if err != nil {
		panic(err)
	}
	exact, err := pde.ColeHopf(u0, p.Viscosity, p.Length, sol.Times, 0)
	if err != nil {
		panic(err)
	}
	for s, t := range sol.Times {
		fmt.Printf("t = %.1f: error below 1e-8: %v\n", t, relErr(sol.U[s], exact[s]) < 1e-8)
	}
	// Output:
	// t = 0.5: error below 1e-8: true
	// t = 1.0: error below 1e-8: true
}

// Draw Darcy coefficients from the FNO law and solve a batch in parallel.
func ExampleDarcy_SolveBatch() {
	p := pde.DefaultDarcy()
	p.Grid = 85 // the FNO data use 421
	var coeffs [][]float64
	for i := 0; i < 4; i++ {
		psi, err := p.Field.Sample(pde.NewRand(7, i), p.Grid)
		if err != nil {
			panic(err)
		}
		a := make([]float64, len(psi))
		p.Coefficient(a, psi)
		coeffs = append(coeffs, a)
	}
	sols, err := solvers.Darcy{Params: p}.SolveBatch(context.Background(), coeffs, nil)
	if err != nil {
		panic(err)
	}
	for i, s := range sols {
		fmt.Printf("sample %d: residual ≤ 1e-10: %v\n", i, s.Residual <= 1e-10)
	}
	// Output:
	// sample 0: residual ≤ 1e-10: true
	// sample 1: residual ≤ 1e-10: true
	// sample 2: residual ≤ 1e-10: true
	// sample 3: residual ≤ 1e-10: true
}

// Decay of a Taylor–Green vortex with the fourth-order scheme.
func ExampleNavierStokes_Solve() {
	flow := pde.TaylorGreen(1, 1, 0.01)
	p := pde.DefaultNavierStokes()
	p.Viscosity = flow.Viscosity
	p.Grid, p.StoreGrid, p.FinalTime, p.RecordInterval = 32, 16, 2, 1
	p.ForcingFunc = func(x, y float64) float64 { return 0 }
	sol, err := solvers.NavierStokes{Params: p, Scheme: solvers.ETDRK4}.Solve(context.Background(), flow.Grid(32, 0))
	if err != nil {
		panic(err)
	}
	for s, t := range sol.Times {
		fmt.Printf("t = %v: error below 1e-10: %v\n", t, relErr(sol.W[s], flow.Grid(16, t)) < 1e-10)
	}
	// Output:
	// t = 1: error below 1e-10: true
	// t = 2: error below 1e-10: true
}
