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

// A time-dependent problem on a curved domain: the heat equation
// u_t = Δu on the cylinder disk × [0, ½], with u given on the lateral
// boundary and at t = 0 (exact: e^{−2t} sin x sin y).
func ExampleTimeSpace() {
	exact := func(p []float64) float64 { return math.Exp(-2*p[2]) * math.Sin(p[0]) * math.Sin(p[1]) }
	dom := pinn.TimeSpace{Space: pinn.Disk{Radius: 1}, T0: 0, T1: 0.5} // inputs (x, y, t)
	r := nn.NewRand(1)
	side, _ := dom.Lateral(200, r) // points of ∂disk × [0, ½] (and their normals)
	initial := dom.Initial(150, pinn.Halton{}, r)
	p := &pinn.Problem{
		Domain: dom,
		Needs:  []pinn.Partial{pinn.D(0, 2), pinn.D(0, 0, 0), pinn.D(0, 1, 1)},
		Residual: func(f *pinn.Fields) []*tensor.Tensor {
			ut, uxx, uyy := f.D(0, 2), f.D(0, 0, 0), f.D(0, 1, 1)
			return []*tensor.Tensor{tensor.Sub(ut, tensor.Add(uxx, uyy))}
		},
		Conditions: []*pinn.Condition{
			pinn.Dirichlet("lateral", side, 0, exact),
			pinn.Dirichlet("initial", initial, 0, exact),
		},
	}
	net := pinn.NewMLP(pinn.MLPConfig{In: 3, Out: 1, Hidden: []int{16, 16}, Seed: 3})
	tr := pinn.NewTrainer(p, net, pinn.Config{Collocation: 200, Sampler: pinn.Sobol{}, Seed: 1,
		LBFGSIters: 400, LBFGS: nn.LBFGSConfig{MaxIter: 400}})
	tr.Logger = slog.New(slog.DiscardHandler)
	if err := tr.Run(context.Background()); err != nil {
		fmt.Println(err)
		return
	}
	x := dom.Sample(400, pinn.Halton{}, nn.NewRand(99))
	u, xs := net.Forward(x).Float64s(), x.Float64s()
	var e, s float64
	for i := range 400 {
		v := exact(xs[3*i : 3*i+3])
		e += (u[i] - v) * (u[i] - v)
		s += v * v
	}
	fmt.Println("relative L2 error below 1%:", math.Sqrt(e/s) < 0.01)
	// Output: relative L2 error below 1%: true
}
