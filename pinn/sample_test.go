package pinn

import (
	"context"
	"log/slog"
	"math"
	"testing"

	"github.com/sciml-go/sciml/nn"
	"github.com/sciml-go/sciml/tensor"
)

// LHS puts exactly one point in each of the n strata of every axis.
func TestLHSStrata(t *testing.T) {
	n, d := 50, 3
	p := LHS{}.Sample(n, d, nn.NewRand(1))
	for k := range d {
		seen := make([]bool, n)
		for i := range n {
			s := int(p[i*d+k] * float64(n))
			if seen[s] {
				t.Fatalf("axis %d: stratum %d holds two points", k, s)
			}
			seen[s] = true
		}
	}
}

// The unshifted Halton sequence in bases 2, 3 starts 1/2,1/3; 1/4,2/3;
// 3/4,1/9; and a shifted one has the same discrepancy-friendly spacing:
// every interval [k/8, (k+1)/8) of axis 0 holds one of the first 8 points.
func TestHalton(t *testing.T) {
	p := Halton{NoShift: true}.Sample(3, 2, nil)
	want := []float64{0.5, 1.0 / 3, 0.25, 2.0 / 3, 0.75, 1.0 / 9}
	for i, w := range want {
		if math.Abs(p[i]-w) > 1e-15 {
			t.Fatalf("Halton[%d] = %g, want %g", i, p[i], w)
		}
	}
	q := Halton{Skip: 8}.Sample(8, 2, nn.NewRand(2))
	seen := map[int]bool{}
	for i := range 8 {
		seen[int(q[2*i]*8)] = true
	}
	if len(seen) != 8 {
		t.Errorf("8 Halton points (base 2, shifted) fill %d of 8 intervals", len(seen))
	}
}

// RAR adds the candidates with the largest residual; RAD draws a new set of
// the same size concentrated where the residual is large. The problem's
// "residual" is |x − 0.9| < 0.05 (a bump), so refined points land there.
func TestAdaptiveRefinement(t *testing.T) {
	p := &Problem{
		Domain: Box{Lo: []float64{0}, Hi: []float64{1}},
		Needs:  []Partial{D(0)},
		Residual: func(f *Fields) []*tensor.Tensor {
			x := f.Input(0).ToFloat64s()
			v := make([]float64, len(x))
			for i, xv := range x {
				if math.Abs(xv-0.9) < 0.05 {
					v[i] = 10
				}
			}
			return []*tensor.Tensor{tensor.Add(tensor.Scale(f.D(0), 0), tensor.New(v, len(v)))}
		},
	}
	net := NewMLP(MLPConfig{In: 1, Out: 1, Hidden: []int{4}, Seed: 1})
	for _, method := range []string{"rar", "rad"} {
		tr := NewTrainer(p, net, Config{Collocation: 200, Seed: 1, AdamSteps: 3,
			Adaptive: &Adaptive{Method: method, Every: 2, Add: 20, K: 2, C: 0.01}})
		tr.Logger = slog.New(slog.DiscardHandler)
		if err := tr.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		x := tr.Collocation().ToFloat64s()
		in := 0
		for _, v := range x {
			if math.Abs(v-0.9) < 0.05 {
				in++
			}
		}
		switch method {
		case "rar":
			// 200 LHS points put 20 in the bump, plus the 20 added
			if len(x) != 220 || in != 40 {
				t.Errorf("rar: %d points, %d in the bump; want 220 and 40", len(x), in)
			}
		case "rad":
			// p ∝ |r|²/mean + 0.01: mass 1/(1+0.01) in the bump
			if len(x) != 200 || in < 190 {
				t.Errorf("rad: %d points, %d in the bump; want 200 and ≥ 190", len(x), in)
			}
		}
	}
}

// Causal weights: with a residual of 1 in t < 0.5 and 0 after, the
// bins after the first half get weight exp(−ε·(sum of earlier bin losses)).
func TestCausalLoss(t *testing.T) {
	n := 8
	xs := make([]float64, 0, 2*n)
	r := make([]float64, n)
	for i := range n {
		tt := (float64(i) + 0.5) / float64(n)
		xs = append(xs, 0, tt)
		if tt < 0.5 {
			r[i] = 1
		}
	}
	x := tensor.New(xs, n, 2)
	l := causalLoss(tensor.New(r, n), x, &Causal{Axis: 1, Bins: 4, Epsilon: 0.5}).Item()
	// bins of two points: losses 1, 1, 0, 0, weights 1, e^{−0.5}, …
	want := (1 + math.Exp(-0.5)) / 4
	if math.Abs(l-want) > 1e-15 {
		t.Errorf("causal loss %.17g, want %.17g", l, want)
	}
}

// Gradient-norm balancing raises the weight of a condition whose gradient
// is small next to the residual's, and keeps it in the checkpoint.
func TestBalance(t *testing.T) {
	p := helmholtz1D(0, 1, func(float64) float64 { return 0 },
		Dirichlet("u0", Points([]float64{0}), 0, func([]float64) float64 { return 1 }))
	p.Conditions[0].Weight = 1
	net := NewMLP(MLPConfig{In: 1, Out: 1, Hidden: []int{8}, Seed: 1})
	tr := NewTrainer(p, net, Config{Collocation: 32, AdamSteps: 1, Balance: &Balance{Every: 1, Alpha: 1}})
	tr.Logger = slog.New(slog.DiscardHandler)
	_ = tr.Run(context.Background())
	w := tr.Weights()[0]
	// recompute λ̂ = max|∇L_r| / mean|∇L_c| at the initial parameters
	net2 := NewMLP(MLPConfig{In: 1, Out: 1, Hidden: []int{8}, Seed: 1})
	tr2 := NewTrainer(p, net2, Config{Collocation: 32})
	_, terms := tr2.lossTerms(tr2.xr)
	gr := tensor.Grad(terms[:1], nn.Params(net2), nil, false)
	gc := tensor.Grad(terms[1:], nn.Params(net2), nil, false)
	mr, sc, nc := 0.0, 0.0, 0
	for i := range gr {
		for j, v := range gr[i].ToFloat64s() {
			mr = max(mr, math.Abs(v))
			sc += math.Abs(gc[i].ToFloat64s()[j])
			nc++
		}
	}
	if want := mr / (sc / float64(nc)); math.Abs(w-want) > 1e-12*want {
		t.Errorf("balanced weight %.15g, want %.15g", w, want)
	}
}
