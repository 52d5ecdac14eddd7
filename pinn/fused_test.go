package pinn

import (
	"math"
	"runtime"
	"testing"

	"github.com/sciml-go/sciml/nn"
	"github.com/sciml-go/sciml/tensor"
)

// burgersLossGrads evaluates the Burgers loss (residual and conditions) of
// m at x in the given mode and returns its value and parameter gradients.
func burgersLossGrads(m *MLP, p *Problem, x *tensor.Tensor, mode Mode) (float64, [][]float64) {
	nn.ZeroGrad(m)
	l, _ := ProblemLoss(p, m, x, mode)
	l.Backward()
	var gs [][]float64
	for _, q := range nn.Params(m) {
		gs = append(gs, q.Grad().Clone().Float64s())
	}
	return l.Item(), gs
}

// closeGrads reports the first entry where a and b differ by more than
// tol relative to the largest entry of that gradient.
func closeGrads(t *testing.T, what string, a, b [][]float64, tol float64) {
	t.Helper()
	for i := range a {
		scale := 0.0
		for _, v := range a[i] {
			scale = max(scale, math.Abs(v))
		}
		for j := range a[i] {
			if math.Abs(a[i][j]-b[i][j]) > tol*scale {
				t.Fatalf("%s: gradient of parameter %d[%d]: %.17g vs %.17g (scale %g)", what, i, j, a[i][j], b[i][j], scale)
			}
		}
	}
}

// The fused Taylor kernels (internal/taylor) agree with nested autodiff and
// with the unfused Taylor operations on the Burgers loss of Raissi's 8×20
// tanh network — value and every parameter gradient to 1e-12 — with
// non-zero biases so every term of the forward and backward rules counts.
func TestFusedMatchesNested(t *testing.T) {
	p := BurgersRaissi(100, nn.NewRand(2))
	m := NewMLP(MLPConfig{In: 2, Out: 1, Hidden: []int{20, 20, 20, 20, 20, 20, 20, 20}, Seed: 7})
	r := nn.NewRand(3)
	for _, l := range m.Layers {
		for j, bd := 0, l.Bias.Float64s(); j < len(bd); j++ {
			bd[j] = 0.2 * r.NormFloat64()
		}
	}
	x := p.Domain.Sample(1000, LHS{}, nn.NewRand(4))
	ln, gn := burgersLossGrads(m, p, x, Nested)
	lf, gf := burgersLossGrads(m, p, x, Taylor)
	if math.Abs(ln-lf) > 1e-12*math.Abs(ln) {
		t.Errorf("loss: nested %.17g fused %.17g", ln, lf)
	}
	closeGrads(t, "fused vs nested", gn, gf, 1e-12)

	unfused := *m
	unfused.Act.fused = 0
	lu, gu := burgersLossGrads(&unfused, p, x, Taylor)
	if math.Abs(lu-lf) > 1e-13*math.Abs(lu) {
		t.Errorf("loss: unfused %.17g fused %.17g", lu, lf)
	}
	closeGrads(t, "fused vs unfused", gu, gf, 1e-12)
}

// A Trainer step on the fused path is bitwise the same for any GOMAXPROCS.
func TestFusedDeterministic(t *testing.T) {
	step := func(procs int) []float64 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		p := BurgersRaissi(100, nn.NewRand(1))
		m := NewMLP(MLPConfig{In: 2, Out: 1, Hidden: []int{20, 20, 20}, Seed: 1})
		tr := NewTrainer(p, m, Config{Collocation: 3000, Mode: Taylor, AdamSteps: 10})
		tr.StepAdam()
		tr.StepAdam()
		var out []float64
		for _, q := range nn.Params(m) {
			out = append(out, q.Float64s()...)
		}
		return append(out, tr.LastLoss)
	}
	want := step(1)
	for _, procs := range []int{2, 3, 5} {
		got := step(procs)
		for i := range want {
			if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
				t.Fatalf("GOMAXPROCS %d: entry %d is %.17g, with 1 it is %.17g", procs, i, got[i], want[i])
			}
		}
	}
}
