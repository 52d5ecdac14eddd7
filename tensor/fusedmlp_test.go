package tensor

import (
	"math"
	"testing"

	"github.com/sciml-go/sciml/internal/sgemm"
)

// sineMLPCase is a small sine MLP (with one bias-free layer and two
// outputs) with its data, in a dtype.
type sineMLPCase struct {
	x, y   *Tensor
	ws, bs []*Tensor
}

func newSineMLPCase(dt DType, rows int) sineMLPCase {
	widths := []int{3, 20, 16, 2}
	cv := func(t *Tensor) *Tensor { return FromFloat64s(dt, t.Float64s(), t.Shape()...) }
	c := sineMLPCase{
		x: cv(RandU(rng(300), Float64, -1, 1, rows, widths[0])),
		y: cv(RandN(rng(301), Float64, rows, widths[3])),
	}
	for l := range 3 {
		in, out := widths[l], widths[l+1]
		c.ws = append(c.ws, cv(Scale(RandN(rng(uint64(310+l)), Float64, out, in), 1/math.Sqrt(float64(in)))).SetRequiresGrad(true))
		var b *Tensor
		if l != 1 {
			b = cv(Scale(RandN(rng(uint64(320+l)), Float64, out), 0.3)).SetRequiresGrad(true)
		}
		c.bs = append(c.bs, b)
	}
	return c
}

func (c sineMLPCase) params() []*Tensor {
	var ps []*Tensor
	for l := range c.ws {
		ps = append(ps, c.ws[l])
		if c.bs[l] != nil {
			ps = append(ps, c.bs[l])
		}
	}
	return ps
}

// lossAndGrads runs loss.Backward() and returns the loss and the
// parameters' gradients (as float64).
// relDiff2 is ‖a − b‖₂/‖b‖₂.
func relDiff2(a, b []float64) float64 {
	var d, n float64
	for i := range a {
		d += (a[i] - b[i]) * (a[i] - b[i])
		n += b[i] * b[i]
	}
	return math.Sqrt(d / n)
}

func (c sineMLPCase) lossAndGrads(loss *Tensor) (float64, [][]float64) {
	for _, p := range c.params() {
		p.ZeroGrad()
	}
	loss.Backward()
	var gs [][]float64
	for _, p := range c.params() {
		gs = append(gs, p.Grad().ToFloat64s())
	}
	return loss.Item(), gs
}

// TestSineMLPMSE checks the fused step against the composition it stands
// for: in float64 (exact reference) and float32, its loss and gradients
// must be as close to the float64 values as the float32 composition's.
func TestSineMLPMSE(t *testing.T) {
	if !sgemm.Available() {
		t.Skip("internal/sgemm kernels not available: SineMLPMSE is the composition")
	}
	const omega = 3.0
	check := func(t *testing.T, rows int) {
		ref := newSineMLPCase(Float64, rows)
		l64, g64 := ref.lossAndGrads(sineMLPMSEComposed(ref.x, ref.y, ref.ws, ref.bs, omega))
		c := newSineMLPCase(Float32, rows)
		_, gc := c.lossAndGrads(sineMLPMSEComposed(c.x, c.y, c.ws, c.bs, omega))
		loss := SineMLPMSE(c.x, c.y, c.ws, c.bs, omega)
		if loss.Op() != "SineMLPMSE" {
			t.Fatalf("rows %d: recorded %q, want the fused SineMLPMSE", rows, loss.Op())
		}
		lf, gf := c.lossAndGrads(loss)
		if d := math.Abs(lf-l64) / l64; d > 1e-6 {
			t.Errorf("rows %d: loss %v, float64 composition %v (rel. %.2g)", rows, lf, l64, d)
		}
		for i := range g64 {
			ef, ec := relDiff2(gf[i], g64[i]), relDiff2(gc[i], g64[i])
			if ef > 2*ec+1e-6 || ef > 1e-4 {
				t.Errorf("rows %d: gradient %d: fused error %.3g, float32 composition %.3g", rows, i, ef, ec)
			}
		}
	}
	t.Run("real blocks", func(t *testing.T) { check(t, 2*linChunk+123) })
	t.Run("small blocks", func(t *testing.T) { withBlocks(5, 13, func() { withFusedBlock(4, func() { check(t, 71) }) }) })
}

func withFusedBlock(n int, f func()) {
	b := fusedBlock
	fusedBlock = n
	defer func() { fusedBlock = b }()
	f()
}

// TestSineMLPMSEThreads: the same bits for any number of threads, and a
// scaled loss scales the gradients.
func TestSineMLPMSEThreads(t *testing.T) {
	if !sgemm.Available() {
		t.Skip("internal/sgemm kernels not available")
	}
	defer SetThreads(Threads())
	c := newSineMLPCase(Float32, 3*linChunk+77)
	var ref [][]float64
	var refLoss float64
	for _, th := range []int{1, 2, 3} {
		SetThreads(th)
		l, gs := c.lossAndGrads(SineMLPMSE(c.x, c.y, c.ws, c.bs, 30))
		if ref == nil {
			ref, refLoss = gs, l
			continue
		}
		if l != refLoss {
			t.Errorf("%d threads: loss %v, 1 thread %v", th, l, refLoss)
		}
		for i := range gs {
			for j := range gs[i] {
				if gs[i][j] != ref[i][j] {
					t.Fatalf("%d threads: gradient %d[%d] = %v, 1 thread %v", th, i, j, gs[i][j], ref[i][j])
				}
			}
		}
	}
	_, gs := c.lossAndGrads(Scale(SineMLPMSE(c.x, c.y, c.ws, c.bs, 30), 2.5))
	for i := range gs {
		for j := range gs[i] {
			if want := float64(float32(2.5 * ref[i][j])); math.Abs(gs[i][j]-want) > 1e-6*math.Abs(want) {
				t.Fatalf("loss × 2.5: gradient %d[%d] = %v, want %v", i, j, gs[i][j], want)
			}
		}
	}
}

// TestSineMLPMSEHigherOrder: gradients of gradients through the fused op
// are the composition's (its backward rule falls back to the
// differentiable form), and inputs that require gradients get the
// composition.
func TestSineMLPMSEHigherOrder(t *testing.T) {
	withBlocks(5, 13, func() { withFusedBlock(4, func() { higherOrder(t) }) })
}

func higherOrder(t *testing.T) {
	{
		c := newSineMLPCase(Float64, 71)
		f32 := newSineMLPCase(Float32, 71)
		for _, cc := range []sineMLPCase{c, f32} {
			x := cc.x.Detach().SetRequiresGrad(true)
			if op := SineMLPMSE(x, cc.y, cc.ws, cc.bs, 2).Op(); op == "SineMLPMSE" {
				t.Errorf("%v: input requiring gradients: recorded %q, want the composition", cc.x.DType(), op)
			}
		}
		gg := func(loss *Tensor) []float64 {
			g := Grad([]*Tensor{loss}, []*Tensor{f32.ws[1]}, nil, true)[0]
			return Grad([]*Tensor{Sum(Square(g))}, []*Tensor{f32.ws[0]}, nil, false)[0].ToFloat64s()
		}
		fused := SineMLPMSE(f32.x, f32.y, f32.ws, f32.bs, 2)
		if sgemm.Available() && fused.Op() != "SineMLPMSE" {
			t.Fatalf("recorded %q", fused.Op())
		}
		want := gg(sineMLPMSEComposed(f32.x, f32.y, f32.ws, f32.bs, 2))
		if d := relDiff2(gg(fused), want); d > 1e-5 {
			t.Errorf("∂/∂w₀ ‖∂loss/∂w₁‖²: fused differs from the composition by %.3g", d)
		}
	}
}
