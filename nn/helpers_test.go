package nn

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/sciml-go/sciml/tensor"
)

func rng(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 7)) }

func randT(seed uint64, shape ...int) *tensor.Tensor {
	return tensor.RandN(rng(seed), tensor.Float64, shape...)
}

func gradCheck(t *testing.T, name string, f func(xs []*tensor.Tensor) *tensor.Tensor, xs ...*tensor.Tensor) {
	t.Helper()
	if err := tensor.GradCheck(f, xs, tensor.CheckOptions{}); err != nil {
		t.Errorf("%s: %v", name, err)
	}
}

func gradGradCheck(t *testing.T, name string, f func(xs []*tensor.Tensor) *tensor.Tensor, xs ...*tensor.Tensor) {
	t.Helper()
	if err := tensor.GradGradCheck(f, xs, tensor.CheckOptions{Atol: 1e-4, Rtol: 1e-3}); err != nil {
		t.Errorf("%s (second order): %v", name, err)
	}
}

// closeTo fails when got and want differ by more than tol·(1+|want|) anywhere.
func closeTo(t *testing.T, name string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", name, len(got), len(want))
	}
	for i := range want {
		if math.IsNaN(got[i]) || math.Abs(got[i]-want[i]) > tol*(1+math.Abs(want[i])) {
			t.Fatalf("%s: element %d = %.12g, want %.12g (tol %g)", name, i, got[i], want[i], tol)
		}
	}
}

func mustPanic(t *testing.T, name string, f func()) {
	t.Helper()
	defer func() {
		if recover() == nil {
			t.Errorf("%s: no panic", name)
		}
	}()
	f()
}
