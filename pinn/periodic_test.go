package pinn

import (
	"math"
	"testing"

	"github.com/sciml-go/sciml/nn"
	"github.com/sciml-go/sciml/tensor"
)

// taylorVsNested checks that the Taylor path and nested autodiff agree, on
// net at x, on every partial of needs, on a loss built from them and on
// the loss's parameter gradients, to 1e-10.
func taylorVsNested(t *testing.T, name string, net Net, x *tensor.Tensor, needs []Partial) {
	t.Helper()
	if !taylorCapable(net, x.DType(), needs) {
		t.Fatalf("%s: not Taylor-capable", name)
	}
	params := nn.Params(net)
	run := func(mode Mode) (float64, [][]float64, [][]float64) {
		nn.ZeroGrad(net)
		f := Eval(net, x, needs, mode)
		if (mode == Nested) != f.nested {
			t.Fatalf("%s: mode %d took the other path", name, mode)
		}
		var l *tensor.Tensor
		var vals [][]float64
		for i, p := range needs {
			d := f.D(p.Out, p.Axes...)
			vals = append(vals, d.Clone().Float64s())
			term := tensor.Mean(tensor.Square(tensor.AddScalar(tensor.Mul(d, f.D(0)), float64(i)*0.1)))
			if l == nil {
				l = term
			} else {
				l = tensor.Add(l, term)
			}
		}
		l.Backward()
		var gs [][]float64
		for _, p := range params {
			gs = append(gs, p.Grad().Clone().Float64s())
		}
		return l.Item(), vals, gs
	}
	ln, vn, gn := run(Nested)
	lt, vt, gt := run(Taylor)
	if math.Abs(ln-lt) > 1e-10*math.Abs(ln) {
		t.Errorf("%s: loss nested %.17g taylor %.17g", name, ln, lt)
	}
	for i := range vn {
		for j := range vn[i] {
			if math.Abs(vn[i][j]-vt[i][j]) > 1e-10*(1+math.Abs(vn[i][j])) {
				t.Fatalf("%s: partial %v at %d: nested %g taylor %g", name, needs[i], j, vn[i][j], vt[i][j])
			}
		}
	}
	for i := range gn {
		for j := range gn[i] {
			if math.Abs(gn[i][j]-gt[i][j]) > 1e-10*(1+math.Abs(gn[i][j])) {
				t.Fatalf("%s: grad of param %d[%d]: nested %g taylor %g", name, i, j, gn[i][j], gt[i][j])
			}
		}
	}
}

func periodicMLP(act Activation, ff int, pe ...PeriodicEmbedding) *MLP {
	m := NewMLP(MLPConfig{In: 3, Out: 2, Hidden: []int{7, 6}, Activation: act, Seed: 2,
		FourierFeatures: ff, FourierScale: 0.3, Periodic: pe})
	for _, l := range m.Layers {
		bd := l.Bias.Float64s()
		for j := range bd {
			bd[j] = 0.05 * float64(j-2)
		}
	}
	return m
}

var allNeeds = []Partial{D(0), D(1), D(0, 0), D(1, 2), D(0, 1), D(0, 0, 0), D(1, 0, 2), D(0, 2, 1), D(1, 1, 1), D(0, 2, 2)}

// The periodic embedding: the network has In inputs, its first layer sees
// the embedded width, and the Taylor streams through the embedding (alone,
// on two axes, and followed by Fourier features) equal nested autodiff.
func TestPeriodicEmbeddingTaylor(t *testing.T) {
	x := Box{Lo: []float64{-1, 0, -2}, Hi: []float64{1, 1, 2}}.Sample(23, LHS{}, nn.NewRand(5))
	one := PeriodicEmbedding{Axis: 0, Period: 2, Harmonics: 3}
	two := PeriodicEmbedding{Axis: 2, Period: 1.5, Harmonics: 2}
	for _, c := range []struct {
		name string
		m    *MLP
		w    int
	}{
		{"tanh, x periodic", periodicMLP(Tanh, 0, one), 2 + 6},
		{"sin, x and z periodic", periodicMLP(Sin, 0, one, two), 1 + 6 + 4},
		{"tanh, periodic then Fourier", periodicMLP(Tanh, 4, one), 8},
		{"tanh, input box and periodic", func() *MLP {
			m := NewMLP(MLPConfig{In: 3, Out: 2, Hidden: []int{7, 6}, Seed: 2, Periodic: []PeriodicEmbedding{one},
				InputLo: []float64{5, 0.2, -3}, InputHi: []float64{9, 0.7, 1}})
			if m.Center[0] != 0 || m.Scale[0] != 1 || math.Abs(m.Center[1]-0.45) > 1e-15 || math.Abs(m.Scale[1]-4) > 1e-14 || m.Scale[2] != 0.5 {
				t.Errorf("input map %v, %v", m.Center, m.Scale)
			}
			return m
		}(), 8},
		{"sin, input box, Fourier", func() *MLP {
			return NewMLP(MLPConfig{In: 3, Out: 2, Hidden: []int{7, 6}, Seed: 2, Activation: Sin, FourierFeatures: 3, FourierScale: 0.4,
				InputLo: []float64{-2, 0, 1}, InputHi: []float64{1, 0.5, 4}})
		}(), 3},
	} {
		if in, out := c.m.Dims(); in != 3 || out != 2 {
			t.Errorf("%s: dims %d → %d", c.name, in, out)
		}
		first := c.m.Layers[0].In
		if c.m.Fourier != nil {
			first = c.m.Fourier.Dim(1)
		}
		if first != c.w {
			t.Errorf("%s: embedded width %d, want %d", c.name, first, c.w)
		}
		taylorVsNested(t, c.name, c.m, x, allNeeds)
	}
}

// The embedded network is exactly periodic along its axis (values and
// derivatives), and its derivatives through the embedding match
// Richardson-extrapolated central differences of Forward.
func TestPeriodicEmbeddingExact(t *testing.T) {
	const P = 2 * math.Pi
	m := NewMLP(MLPConfig{In: 2, Out: 1, Hidden: []int{16, 16}, Seed: 7,
		Periodic: []PeriodicEmbedding{{Axis: 0, Period: P, Harmonics: 4}}})
	pts := []float64{0, 0.3, 1.1, 0.7, 4.0, 0.1, P - 1e-3, 0.9}
	n := len(pts) / 2
	shift := func(d float64) *tensor.Tensor {
		s := append([]float64(nil), pts...)
		for i := range n {
			s[2*i] += d
		}
		return tensor.New(s, n, 2)
	}
	needs := []Partial{D(0), D(0, 0), D(0, 1), D(0, 0, 0), D(0, 0, 1), D(0, 1, 1)}
	f0 := Eval(m, shift(0), needs, Taylor)
	for _, d := range []float64{P, -P, 3 * P} {
		f1 := Eval(m, shift(d), needs, Taylor)
		for _, p := range needs {
			a, b := f0.D(0, p.Axes...).Float64s(), f1.D(0, p.Axes...).Float64s()
			for i := range a {
				if math.Abs(a[i]-b[i]) > 1e-12*(1+math.Abs(a[i])) {
					t.Errorf("partial %v at point %d: %g, shifted by %g: %g", p, i, a[i], d, b[i])
				}
			}
		}
	}
	// finite differences of Forward along x, t and mixed
	u := func(x, tt float64) float64 { return m.Forward(tensor.New([]float64{x, tt}, 1, 2)).Item() }
	rich := func(g func(h float64) float64, h float64) float64 { return (4*g(h/2) - g(h)) / 3 }
	for i := range n {
		x, tt := pts[2*i], pts[2*i+1]
		fd := map[string]float64{
			D(0, 0).key():    rich(func(h float64) float64 { return (u(x+h, tt) - u(x-h, tt)) / (2 * h) }, 1e-3),
			D(0, 1).key():    rich(func(h float64) float64 { return (u(x, tt+h) - u(x, tt-h)) / (2 * h) }, 1e-3),
			D(0, 0, 0).key(): rich(func(h float64) float64 { return (u(x+h, tt) - 2*u(x, tt) + u(x-h, tt)) / (h * h) }, 1e-2),
			D(0, 1, 1).key(): rich(func(h float64) float64 { return (u(x, tt+h) - 2*u(x, tt) + u(x, tt-h)) / (h * h) }, 1e-2),
			D(0, 0, 1).key(): rich(func(h float64) float64 {
				return (u(x+h, tt+h) - u(x+h, tt-h) - u(x-h, tt+h) + u(x-h, tt-h)) / (4 * h * h)
			}, 1e-2),
		}
		for _, p := range needs[1:] {
			got := f0.D(0, p.Axes...).Float64s()[i]
			if want := fd[p.key()]; math.Abs(got-want) > 1e-6*(1+math.Abs(want)) {
				t.Errorf("partial %v at (%g, %g): %g, finite differences %g", p, x, tt, got, want)
			}
		}
	}
	// the x-derivative is not that of the raw input: the embedding's chain
	// rule matters (an MLP on raw x with the same first layer differs)
	if v := f0.D(0, 0, 0).Float64s(); v[0] == 0 {
		t.Error("u_xx vanishes identically")
	}
}

// NewMLP rejects a bad embedding.
func TestPeriodicEmbeddingInvalid(t *testing.T) {
	for _, pe := range [][]PeriodicEmbedding{
		{{Axis: 2, Period: 1, Harmonics: 1}},
		{{Axis: 0, Period: 0, Harmonics: 1}},
		{{Axis: 0, Period: 1, Harmonics: 0}},
		{{Axis: 0, Period: 1, Harmonics: 1}, {Axis: 0, Period: 2, Harmonics: 1}},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%v: no panic", pe)
				}
			}()
			NewMLP(MLPConfig{In: 2, Out: 1, Hidden: []int{4}, Periodic: pe})
		}()
	}
}

// A Constrained MLP takes the Taylor path, and its partials (product rule
// with nested derivatives of G and M) and parameter gradients equal nested
// autodiff of G + M ⊙ v: with a per-output and a shared M, with and
// without G, around a periodic MLP.
func TestConstrainedTaylor(t *testing.T) {
	x := Box{Lo: []float64{-1, 0, -2}, Hi: []float64{1, 1, 2}}.Sample(19, LHS{}, nn.NewRand(9))
	col := func(x *tensor.Tensor, i int) *tensor.Tensor { return tensor.IndexSelect(x, 1, []int{i}) }
	base := func(x *tensor.Tensor) *tensor.Tensor {
		g := tensor.Mul(tensor.Sin(col(x, 0)), tensor.Exp(tensor.Scale(col(x, 2), 0.3)))
		return tensor.Concat(1, g, tensor.Square(col(x, 1)))
	}
	shared := func(x *tensor.Tensor) *tensor.Tensor { // x(1 − x)·t²
		xx := col(x, 0)
		return tensor.Mul(tensor.Mul(xx, tensor.AddScalar(tensor.Neg(xx), 1)), tensor.Square(col(x, 1)))
	}
	perOut := func(x *tensor.Tensor) *tensor.Tensor {
		return tensor.Concat(1, col(x, 1), tensor.Tanh(tensor.Mul(col(x, 0), col(x, 2))))
	}
	for _, c := range []struct {
		name        string
		base, scale func(*tensor.Tensor) *tensor.Tensor
		pe          []PeriodicEmbedding
	}{
		{"G and shared M", base, shared, nil},
		{"per-output M, no G", nil, perOut, nil},
		{"G, per-output M, periodic", base, perOut, []PeriodicEmbedding{{Axis: 2, Period: 4, Harmonics: 2}}},
	} {
		net := &Constrained{Net: periodicMLP(Tanh, 0, c.pe...), Base: c.base, Scale: c.scale}
		taylorVsNested(t, c.name, net, x, allNeeds)
		// Forward is G + M ⊙ v
		v, u := net.Net.Forward(x).Float64s(), net.Forward(x).Float64s()
		m := c.scale(x)
		for i := range u {
			mi := m.Float64s()[i/2*m.Dim(1)+min(i%2, m.Dim(1)-1)]
			want := mi * v[i]
			if c.base != nil {
				want += c.base(x).Float64s()[i]
			}
			if math.Abs(u[i]-want) > 1e-14 {
				t.Fatalf("%s: Forward[%d] = %g, want %g", c.name, i, u[i], want)
			}
		}
	}
}
