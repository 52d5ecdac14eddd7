package pde_test

import (
	"fmt"

	"github.com/sciml-go/sciml/pde"
)

// Per-sample seeding: sample i of a dataset is drawn from NewRand(seed, i),
// so it is the same whatever worker, shard or run produces it.
func ExampleGRF_Sample() {
	const seed = 42
	g := pde.NavierStokesGRF()
	w0, err := g.Sample(pde.NewRand(seed, 3), 64)
	if err != nil {
		panic(err)
	}
	again, _ := g.Sample(pde.NewRand(seed, 3), 64)
	fmt.Println(len(w0), w0[100] == again[100])
	// Output: 4096 true
}

func ExampleBurgers_Validate() {
	p := pde.DefaultBurgers()
	p.Viscosity = -1
	p.Grid = 0
	fmt.Println(p.Validate())
	// Output:
	// pde.Burgers: viscosity must be positive and finite, got -1
	// grid must have at least 4 points, got 0
}
