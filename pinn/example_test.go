package pinn_test

import (
	"context"
	"fmt"
	"log/slog"
	"math"

	"github.com/sciml-go/sciml/nn"
	"github.com/sciml-go/sciml/pinn"
	"github.com/sciml-go/sciml/tensor"
)

// Solve −u_xx = π² sin πx on [0, 1] with u(0) = u(1) = 0 (exact: sin πx).
func Example() {
	p := &pinn.Problem{
		Domain: pinn.Box{Lo: []float64{0}, Hi: []float64{1}},
		Needs:  []pinn.Partial{pinn.D(0, 0, 0)},
		Residual: func(f *pinn.Fields) []*tensor.Tensor {
			x := f.Input(0).Float64s()
			src := make([]float64, len(x))
			for i, v := range x {
				src[i] = math.Pi * math.Pi * math.Sin(math.Pi*v)
			}
			return []*tensor.Tensor{tensor.Add(f.D(0, 0, 0), tensor.New(src, len(src)))}
		},
		Conditions: []*pinn.Condition{
			pinn.Dirichlet("x=0", pinn.Points([]float64{0}), 0, nil),
			pinn.Dirichlet("x=1", pinn.Points([]float64{1}), 0, nil),
		},
	}
	net := pinn.NewMLP(pinn.MLPConfig{In: 1, Out: 1, Hidden: []int{16, 16}, Seed: 1})
	tr := pinn.NewTrainer(p, net, pinn.Config{Collocation: 64, LBFGSIters: 300, LBFGS: nn.LBFGSConfig{MaxIter: 300}})
	tr.Logger = slog.New(slog.DiscardHandler)
	if err := tr.Run(context.Background()); err != nil {
		fmt.Println(err)
		return
	}
	u := net.Forward(pinn.Points([]float64{0.5})).Item()
	fmt.Printf("u(0.5) = %.3f\n", u)
	// Output: u(0.5) = 1.000
}
