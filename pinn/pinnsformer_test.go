package pinn

import (
	"context"
	"math"
	"testing"

	"github.com/sciml-go/sciml/nn"
	"github.com/sciml-go/sciml/tensor"
)

// The published configuration (d_out 1, d_hidden 512, d_model 32, N 1,
// 2 heads, d_ff 256) has 453,561 parameters, as PyTorch counts the
// reference module, with its layout of names.
func TestPINNsFormerParamCount(t *testing.T) {
	m := NewPINNsFormer(PINNsFormerConfig{In: 2, Out: 1})
	if n := nn.CountParams(m); n != 453561 {
		t.Fatalf("%d parameters, want 453561", n)
	}
	per := map[string]int{}
	for _, p := range nn.NamedParams(m) {
		per[p.Name] = p.Tensor.Numel()
	}
	for name, n := range map[string]int{
		"linear_emb.weight": 64, "encoder.layers.0.attn.in_proj_weight": 3072,
		"encoder.layers.0.attn.out_proj.bias": 32, "encoder.layers.0.ff.linear.2.weight": 65536,
		"decoder.layers.0.act1.w1": 1, "decoder.act.w2": 1, "linear_out.2.weight": 262144, "linear_out.4.bias": 1,
	} {
		if per[name] != n {
			t.Errorf("%s: %d entries, want %d (names %v)", name, per[name], n, len(per))
		}
	}
}

func tinyPINNsFormer(seed uint64, dt float64) *PINNsFormer {
	return smallPINNsFormer(seed, dt, 4, 5, 6)
}

func smallPINNsFormer(seed uint64, dt float64, dModel, dFF, dHidden int) *PINNsFormer {
	m := NewPINNsFormer(PINNsFormerConfig{In: 2, Out: 1, K: 3, Dt: dt, DModel: dModel, Heads: 2, DFF: dFF, DHidden: dHidden, Seed: seed})
	// move the wavelet weights off their initial 1 so that w1 ≠ w2 is tested
	r := nn.NewRand(seed + 7)
	for _, p := range nn.NamedParams(m) {
		if p.Tensor.Numel() == 1 {
			p.Tensor.Float64s()[0] = 0.5 + r.Float64()
		}
	}
	return m
}

// fdPartial returns the central difference of f along axes[0] (first
// order) or of the second derivative along axes[0], axes[1] at p, with
// one Richardson extrapolation step (error O(h⁴)): the tiny networks have
// large fourth derivatives.
func fdPartial(f func(x, t float64) float64, p [2]float64, axes []int, h float64) float64 {
	return (4*fdCentral(f, p, axes, h/2) - fdCentral(f, p, axes, h)) / 3
}

func fdCentral(f func(x, t float64) float64, p [2]float64, axes []int, h float64) float64 {
	at := func(dx [2]float64) float64 { return f(p[0]+dx[0], p[1]+dx[1]) }
	switch len(axes) {
	case 1:
		var e [2]float64
		e[axes[0]] = h
		return (at(e) - at([2]float64{-e[0], -e[1]})) / (2 * h)
	default:
		var ea, eb [2]float64
		ea[axes[0]], eb[axes[1]] = h, h
		pp := at([2]float64{ea[0] + eb[0], ea[1] + eb[1]})
		pm := at([2]float64{ea[0] - eb[0], ea[1] - eb[1]})
		mp := at([2]float64{-ea[0] + eb[0], -ea[1] + eb[1]})
		mm := at([2]float64{-ea[0] - eb[0], -ea[1] - eb[1]})
		return (pp - pm - mp + mm) / (4 * h * h)
	}
}

// u_x, u_t, u_xx, u_tt and u_xt of the field u(x, t) = Forward (first
// token, all tokens moving with t) through the attention agree with
// finite differences of the network.
func TestPINNsFormerDerivatives(t *testing.T) {
	m := tinyPINNsFormer(3, 0.05)
	pts := [][2]float64{{0.3, 0.1}, {-0.7, 0.8}, {1.2, -0.4}}
	x := Points(pts[0][:], pts[1][:], pts[2][:])
	u := func(a, b float64) float64 { return m.Forward(tensor.New([]float64{a, b}, 1, 2)).Item() }
	f := Eval(m, x, nil, Auto)
	for _, c := range []struct {
		axes []int
		h    float64
	}{{[]int{0}, 1e-4}, {[]int{1}, 1e-4}, {[]int{0, 0}, 1e-3}, {[]int{1, 1}, 1e-3}, {[]int{0, 1}, 1e-3}} {
		got := f.D(0, c.axes...).Float64s()
		for i, p := range pts {
			want := fdPartial(u, p, c.axes, c.h)
			if math.Abs(got[i]-want) > 1e-6*(1+math.Abs(want)) {
				t.Errorf("∂%v at %v: autodiff %.10g, finite differences %.10g", c.axes, p, got[i], want)
			}
			if c.axes[0] == 0 && len(c.axes) == 1 && math.Abs(got[i]) < 1e-3 {
				t.Errorf("degenerate test: u_x ≈ 0 at %v", p)
			}
		}
	}
	if v := f.D(0).Float64s(); math.Abs(v[1]-u(pts[1][0], pts[1][1])) > 1e-14 {
		t.Errorf("u %g, Forward %g", v[1], u(pts[1][0], pts[1][1]))
	}
}

// Over token rows, the derivative is ∂/∂s_i Σ_j u_j (PyTorch's grad of
// the summed predictions with respect to the sequence input): compare
// with finite differences that move one token of one sequence.
func TestPINNsFormerTokenDerivatives(t *testing.T) {
	m := tinyPINNsFormer(4, 0.05)
	x := Points([]float64{0.3, 0.1}, []float64{-0.7, 0.8})
	s := m.Expand(x)
	if got := m.Sequence(s).Float64s(); math.Abs(got[3]-m.Forward(x).Float64s()[1]) > 1e-14 {
		t.Fatalf("token 0 of sequence 1 is %g, Forward gives %g", got[3], m.Forward(x).Float64s()[1])
	}
	base := s.ToFloat64s()
	sumSeq := func(row, axis int, d float64) float64 {
		v := append([]float64(nil), base...)
		v[row*2+axis] += d
		y := m.Sequence(tensor.New(v, len(v)/2, 2)).Float64s()
		q := row / m.K
		return y[q*m.K] + y[q*m.K+1] + y[q*m.K+2]
	}
	f := Eval(m.Tokens(), s, nil, Nested)
	const h = 1e-5
	for _, axis := range []int{0, 1} {
		got := f.D(0, axis).Float64s()
		for row := range s.Dim(0) {
			want := (sumSeq(row, axis, h) - sumSeq(row, axis, -h)) / (2 * h)
			if math.Abs(got[row]-want) > 1e-7*(1+math.Abs(want)) {
				t.Errorf("token row %d axis %d: autodiff %.10g, finite differences %.10g", row, axis, got[row], want)
			}
		}
	}
	// the pseudo-sequence is (x, t + iΔt)
	if v := s.Float64s(); v[0] != 0.3 || v[1] != 0.1 || v[4] != 0.3 || math.Abs(v[5]-0.2) > 1e-15 || v[7] != 0.8 {
		t.Errorf("pseudo-sequence %v", v)
	}
}

// GradCheck of the published loss (residual on every token, conditions as
// in the paper) with respect to all parameters, for first-order
// (convection, periodic) and second-order (wave: u_tt, u_xx, u_t) terms.
func TestPINNsFormerLossGradCheck(t *testing.T) {
	conv, _ := Convection(3, 2, 2)
	wave, _ := Wave(2, 2)
	for name, p := range map[string]*Problem{"convection": conv, "wave": wave} {
		m := smallPINNsFormer(5, 0.1, 2, 3, 3)
		x := Points([]float64{0.4, 0.3}, []float64{1.1, 0.7})
		loss := func([]*tensor.Tensor) *tensor.Tensor {
			l, _ := ProblemLoss(p, m, x, Auto)
			return l
		}
		if err := tensor.GradCheck(loss, nn.Params(m), tensor.CheckOptions{}); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// The loss terms are those of the paper: the residual is the mean over
// every token, a condition with a target is taken at the first token, a
// homogeneous one over every token.
func TestPINNsFormerLossTerms(t *testing.T) {
	m := tinyPINNsFormer(6, 0.1)
	p, _ := Wave(3, 3)
	x := Points([]float64{0.4, 0.3}, []float64{0.9, 0.6})
	names, terms := m.LossTerms(p, x, nil)
	want := []string{"residual", "initial", "initial_velocity", "left", "right"}
	for i, n := range want {
		if names[i] != n {
			t.Fatalf("names %v, want %v", names, want)
		}
	}
	// residual by hand: u_tt − 4u_xx over the 6 token rows
	f := Eval(m.Tokens(), m.Expand(x), nil, Nested)
	r := tensor.Sub(f.D(0, 1, 1), tensor.Scale(f.D(0, 0, 0), 4))
	if got, want := terms[0].Item(), tensor.Mean(tensor.Square(r)).Item(); math.Abs(got-want) > 1e-14*want {
		t.Errorf("residual %g, want %g", got, want)
	}
	// initial condition at the first tokens only
	u0 := m.Forward(p.Conditions[0].X)
	d := tensor.Sub(tensor.Reshape(u0, 3), p.Conditions[0].Target)
	if got, want := terms[1].Item(), tensor.Mean(tensor.Square(d)).Item(); math.Abs(got-want) > 1e-14*want {
		t.Errorf("initial %g, want %g", got, want)
	}
	// u = 0 at x = 0 on every token
	ul := m.Sequence(m.Expand(p.Conditions[2].X))
	if got, want := terms[3].Item(), tensor.Mean(tensor.Square(ul)).Item(); math.Abs(got-want) > 1e-14*want {
		t.Errorf("left %g, want %g", got, want)
	}
	// and the Trainer uses these terms
	tr := NewTrainer(p, m, Config{Collocation: 2})
	tr.SetCollocation(x)
	l, vals := tr.Loss()
	sum := 0.0
	for _, v := range terms {
		sum += v.Item()
	}
	if math.Abs(l.Item()-sum) > 1e-14*sum || vals["initial"] != terms[1].Item() {
		t.Errorf("trainer loss %g, terms sum %g", l.Item(), sum)
	}
}

// A few L-BFGS iterations of a small PINNsFormer decrease the convection
// loss (the training path end to end).
func TestPINNsFormerTrains(t *testing.T) {
	p, _ := Convection(1, 16, 8)
	m := NewPINNsFormer(PINNsFormerConfig{In: 2, Out: 1, DModel: 8, DFF: 16, DHidden: 16, Seed: 1})
	tr := NewTrainer(p, m, Config{Collocation: 64, LBFGSIters: 20, LBFGS: nn.LBFGSConfig{MaxIter: 20}, LogEvery: 1000})
	l0, _ := tr.Loss()
	v0 := l0.Item()
	if err := tr.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !(tr.LastLoss < 0.5*v0) {
		t.Errorf("loss %g → %g", v0, tr.LastLoss)
	}
}

// Wavelet agrees with the catalogue's "wavelet" (w1·sin z + w2·cos z) and
// its first and second derivatives with finite differences, with respect
// to z and both weights.
func TestWavelet(t *testing.T) {
	z := tensor.RandN(nn.NewRand(1), tensor.Float64, 3, 4)
	w := NewWavelet(tensor.Float64)
	w.W1.Float64s()[0], w.W2.Float64s()[0] = 0.7, -1.3
	ref, err := nn.NewActivation(nn.ActivationSpec{Name: "wavelet", Params: map[string]float64{"w1": 0.7, "w2": -1.3}}, nn.WithDType(tensor.Float64))
	if err != nil {
		t.Fatal(err)
	}
	got, want := w.Forward(z).Float64s(), ref.Forward(z).Float64s()
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-15 {
			t.Fatalf("element %d: %g, catalogue %g", i, got[i], want[i])
		}
	}
	f := func(xs []*tensor.Tensor) *tensor.Tensor {
		return (&Wavelet{W1: xs[1], W2: xs[2]}).Forward(xs[0])
	}
	xs := []*tensor.Tensor{z, w.W1, w.W2}
	if err := tensor.GradCheck(f, xs, tensor.CheckOptions{}); err != nil {
		t.Error(err)
	}
	if err := tensor.GradGradCheck(f, xs, tensor.CheckOptions{}); err != nil {
		t.Error(err)
	}
	z32 := tensor.FromFloat64s(tensor.Float32, z.ToFloat64s(), 3, 4)
	w32 := NewWavelet(tensor.Float32)
	if v := w32.Forward(z32).Float32s()[5]; math.Abs(float64(v)-(math.Sin(z.Float64s()[5])+math.Cos(z.Float64s()[5]))) > 1e-6 {
		t.Errorf("float32: %g", v)
	}
}
