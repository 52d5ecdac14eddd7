package operator

import (
	"context"
	"slices"
	"testing"

	"github.com/sciml-go/sciml/tensor"
)

// TestResampled checks the MgNO run on its training grid through
// Resampled: on that grid it is the model itself (same bits); on a grid
// that nests it (9 of 33 points a closed axis, 8 of 32 a periodic one) the
// input reaches the model as the exact subsample and the output is the
// linear interpolation of the model's, bit for bit (with Average, the
// input is its cell averages); the model alone gives something else there
// (it is tied to its grid); and gradients pass.
func TestResampled(t *testing.T) {
	for _, c := range []struct {
		grid         string
		mode         tensor.InterpMode
		coarse, fine int
		dim, stride  int
	}{
		{"closed", tensor.InterpLinear, 9, 33, 2, 4},
		{"periodic", tensor.InterpPeriodic, 8, 32, 1, 4},
	} {
		cfg := MgNOConfig{Common: Common{Dim: c.dim, In: 1, Out: 1, Grid: c.grid, DType: "float64"}, Width: 3, Layers: 2, Levels: 2}
		m, err := NewMgNO(cfg, rng(21))
		if err != nil {
			t.Fatal(err)
		}
		coarse := slices.Repeat([]int{c.coarse}, c.dim)
		fine := slices.Repeat([]int{c.fine}, c.dim)
		r := &Resampled{Model: m, Sizes: coarse, Mode: c.mode}

		xf := tensor.RandN(rng(22), tensor.Float64, append([]int{2, 1}, fine...)...)
		// The subsample of every stride-th point, by hand.
		fv := xf.Float64s()
		var cv []float64
		nf, nc := c.fine, c.coarse
		for b := range 2 {
			if c.dim == 1 {
				for i := range nc {
					cv = append(cv, fv[b*nf+i*c.stride])
				}
				continue
			}
			for i := range nc {
				for j := range nc {
					cv = append(cv, fv[b*nf*nf+i*c.stride*nf+j*c.stride])
				}
			}
		}
		xc := tensor.FromFloat64s(tensor.Float64, cv, append([]int{2, 1}, coarse...)...)

		if got, want := r.Forward(xc).Float64s(), m.Forward(xc).Float64s(); !slices.Equal(got, want) {
			t.Errorf("%s: on the model's grid Resampled is not the model", c.grid)
		}
		want := tensor.Interpolate(m.Forward(xc), fine, c.mode)
		got := r.Forward(xf)
		if !slices.Equal(got.Shape(), want.Shape()) || !slices.Equal(got.Float64s(), want.Float64s()) {
			t.Errorf("%s: Resampled on %v is not the interpolated model output on the subsample", c.grid, fine)
		}
		direct := m.Forward(xf)
		if d := tensor.Max(tensor.Abs(tensor.Sub(direct, got))).Item(); !(d > 1e-3) {
			t.Errorf("%s: the model on %v differs from Resampled by only %g; the test does not tell them apart", c.grid, fine, d)
		}
		if to := r.ForwardTo(xc, fine); !slices.Equal(to.Float64s(), want.Float64s()) {
			t.Errorf("%s: ForwardTo the fine grid from the coarse one", c.grid)
		}
		// Infer goes to the model's Infer (here twice its Forward).
		ri := &Resampled{Model: doubledInfer{m}, Sizes: coarse, Mode: c.mode}
		want2 := tensor.Scale(want, 2)
		if got := mustInfer(t, ri, xf); !slices.Equal(got.Float64s(), want2.Float64s()) {
			t.Errorf("%s: Infer does not use the model's Infer", c.grid)
		}
		if got := mustInfer(t, r, xf); !slices.Equal(got.Float64s(), want.Float64s()) {
			t.Errorf("%s: Infer of a model without one is not Forward", c.grid)
		}
		// With Average the input reaches the model as its cell averages;
		// on the model's own grid nothing changes.
		ra := &Resampled{Model: m, Sizes: coarse, Mode: c.mode, Average: true}
		wantA := tensor.Interpolate(m.Forward(tensor.CellAverage(xf, coarse, c.mode)), fine, c.mode)
		if got := ra.Forward(xf); !slices.Equal(got.Float64s(), wantA.Float64s()) {
			t.Errorf("%s: Resampled with Average is not the interpolated model output on the cell averages", c.grid)
		}
		if d := tensor.Max(tensor.Abs(tensor.Sub(wantA, want))).Item(); !(d > 1e-3) {
			t.Errorf("%s: averaging changes the output by only %g; the test does not tell the restrictions apart", c.grid, d)
		}
		if got := mustInfer(t, ra, xf); !slices.Equal(got.Float64s(), wantA.Float64s()) {
			t.Errorf("%s: Infer with Average is not Forward", c.grid)
		}
		if got := ra.Forward(xc); !slices.Equal(got.Float64s(), m.Forward(xc).Float64s()) {
			t.Errorf("%s: with Average, on the model's grid Resampled is not the model", c.grid)
		}
	}

	// Gradients with respect to the input, through both interpolations
	// (1-D, 12 points onto the model's 6).
	cfg := MgNOConfig{Common: Common{Dim: 1, In: 1, Out: 1, Grid: "periodic", DType: "float64", Activation: "tanh"}, Width: 2, Layers: 1, Levels: 2}
	m, err := NewMgNO(cfg, rng(23))
	if err != nil {
		t.Fatal(err)
	}
	r := &Resampled{Model: m, Sizes: []int{6}, Mode: tensor.InterpPeriodic}
	x := tensor.RandN(rng(24), tensor.Float64, 1, 1, 12)
	if err := tensor.GradCheck(func(xs []*tensor.Tensor) *tensor.Tensor { return r.Forward(xs[0]) },
		[]*tensor.Tensor{x}, tensor.CheckOptions{Atol: 1e-7, Rtol: 1e-6}); err != nil {
		t.Error(err)
	}
}

// doubledInfer is an Inferencer whose Infer is twice its Forward.
type doubledInfer struct{ Operator }

func (d doubledInfer) Infer(ctx context.Context, x *tensor.Tensor) (*tensor.Tensor, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return tensor.Scale(d.Forward(x), 2), nil
}
