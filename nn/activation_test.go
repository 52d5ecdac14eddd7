package nn

import (
	"math"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/sciml-go/sciml/tensor"
)

// catalogueNames is the catalogue of REFERENCE.md plus the plain
// activations; the registry must hold exactly these (and the aliases).
var catalogueNames = []string{
	"identity", "relu", "leaky_relu", "prelu", "tanh", "sigmoid",
	"gelu", "gelu_tanh", "silu", "mish", "elu", "selu", "softplus",
	"glu", "reglu", "geglu", "swiglu",
	"snake", "sine", "finer", "gaussian", "sinc", "gabor", "wavelet",
	"pau", "cauchy", "sau", "tempered_sigmoid", "apa", "aglu",
	"xatlu", "xgelu", "xsilu", "polyrelu", "polynorm", "helu",
	"kan", "fourier_kan", "chebyshev",
}

func mustAct(t *testing.T, spec string, opts ...Option) Activation {
	t.Helper()
	s, err := ParseActivation(spec)
	if err != nil {
		t.Fatalf("%s: %v", spec, err)
	}
	a, err := NewActivation(s, opts...)
	if err != nil {
		t.Fatalf("%s: %v", spec, err)
	}
	return a
}

// xs64 are test points away from every kink (0, −0.05, PAU's |x|).
var xs64 = []float64{-2.3, -1.1, -0.37, 0.21, 0.83, 1.7}

func xTensor(scale float64) *tensor.Tensor {
	v := make([]float64, len(xs64))
	for i, x := range xs64 {
		v[i] = x * scale
	}
	return tensor.FromFloat64s(tensor.Float64, v, 2, 3)
}

// inputScale shrinks the inputs of the high-frequency activations.
func inputScale(name string) float64 {
	switch name {
	case "sine", "finer", "gaussian":
		return 0.03
	}
	return 1
}

func TestActivationRegistry(t *testing.T) {
	var want []string
	want = append(want, catalogueNames...)
	for a := range activationAliases {
		want = append(want, a)
	}
	slices.Sort(want)
	if got := ActivationNames(); !slices.Equal(got, want) {
		t.Fatalf("ActivationNames() = %v\nwant %v", got, want)
	}
	for _, name := range ActivationNames() {
		a, err := NewActivation(ActivationSpec{Name: name}, f64)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if n := activationAliases[name]; n != "" {
			if a.Name() != n {
				t.Errorf("alias %s builds %s", name, a.Name())
			}
			continue
		}
		if a.Name() != name {
			t.Errorf("%s: Name() = %s", name, a.Name())
		}
		x := tensor.Reshape(xTensor(1), 3, 2)
		y := a.Forward(x)
		wantShape := []int{3, 2}
		switch name {
		case "glu", "reglu", "geglu", "swiglu":
			wantShape = []int{3, 1}
		}
		if !slices.Equal(y.Shape(), wantShape) {
			t.Errorf("%s: output shape %v, want %v", name, y.Shape(), wantShape)
		}
		if name == "gabor" {
			if y.DType() != tensor.Complex128 {
				t.Errorf("gabor: dtype %v", y.DType())
			}
		} else if y.DType() != tensor.Float64 {
			t.Errorf("%s: dtype %v", name, y.DType())
		}
		// The spec round-trips.
		b, err := NewActivation(a.Spec(), f64)
		if err != nil {
			t.Fatalf("%s: rebuild from %v: %v", name, a.Spec(), err)
		}
		if b.Spec().String() != a.Spec().String() {
			t.Errorf("%s: spec %v rebuilt as %v", name, a.Spec(), b.Spec())
		}
		ns, _, err := ActivationParams(name)
		if err != nil || len(ns) != len(a.Spec().Params) {
			t.Errorf("%s: ActivationParams %v, %v; spec %v", name, ns, err, a.Spec())
		}
	}
	if _, err := NewActivation(ActivationSpec{Name: "snak"}); err == nil || !strings.Contains(err.Error(), `"snak"`) || !strings.Contains(err.Error(), "snake") {
		t.Errorf("unknown name: %v", err)
	}
	if _, err := NewActivation(ActivationSpec{Name: "snake", Params: map[string]float64{"b": 1}}); err == nil || !strings.Contains(err.Error(), `unknown parameter "b"`) || !strings.Contains(err.Error(), "parameters: a, learnable") {
		t.Errorf("unknown parameter: %v", err)
	}
	for _, c := range []struct {
		spec map[string]float64
		msg  string
	}{
		{map[string]float64{"a": 0}, "a = 0: must be nonzero"},
		{map[string]float64{"learnable": 2}, "must be a boolean"},
		{map[string]float64{"channels": 1.5}, "must be an integer"},
		{map[string]float64{"channels": 3}, "channels > 1 needs learnable: true"},
		{map[string]float64{"fewbit": 5}, "1 to 4 bits"},
		{map[string]float64{"a": math.NaN()}, "not a finite number"},
		{map[string]float64{"fewbit": 2, "learnable": 1}, "fewbit needs fixed parameters"},
	} {
		if _, err := NewActivation(ActivationSpec{Name: "snake", Params: c.spec}); err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%v: error %v, want %q", c.spec, err, c.msg)
		}
	}
}

func phi(x float64) float64  { return 0.5 * math.Erfc(-x/math.Sqrt2) }
func sigm(x float64) float64 { return 1 / (1 + math.Exp(-x)) }
func relu(x float64) float64 { return max(x, 0) }
func gelu(x float64) float64 { return x * phi(x) }
func silu(x float64) float64 { return x * sigm(x) }

// activationRefs are direct float64 formulas of every elementwise
// activation at its defaults (and some variants).
var activationRefs = map[string]func(float64) float64{
	"identity":   func(x float64) float64 { return x },
	"relu":       relu,
	"leaky_relu": func(x float64) float64 { return max(x, 0.01*x) },
	"prelu":      func(x float64) float64 { return max(x, 0.25*x) },
	"tanh":       math.Tanh,
	"sigmoid":    sigm,
	"gelu":       gelu,
	"gelu_tanh": func(x float64) float64 {
		return 0.5 * x * (1 + math.Tanh(math.Sqrt(2/math.Pi)*(x+0.044715*x*x*x)))
	},
	"silu": silu,
	"mish": func(x float64) float64 { return x * math.Tanh(math.Log1p(math.Exp(x))) },
	"elu": func(x float64) float64 {
		if x > 0 {
			return x
		}
		return math.Exp(x) - 1
	},
	"selu": func(x float64) float64 {
		if x > 0 {
			return SELULambda * x
		}
		return SELULambda * SELUAlpha * (math.Exp(x) - 1)
	},
	"softplus": func(x float64) float64 { return math.Log1p(math.Exp(x)) },
	"snake":    func(x float64) float64 { return x + math.Pow(math.Sin(x), 2) },
	"sine":     func(x float64) float64 { return math.Sin(30 * x) },
	"finer":    func(x float64) float64 { return math.Sin(30 * (math.Abs(x) + 1) * x) },
	"gaussian": func(x float64) float64 { return math.Exp(-900 * x * x) },
	"sinc":     func(x float64) float64 { return math.Sin(math.Pi*x) / (math.Pi * x) },
	"wavelet":  func(x float64) float64 { return math.Sin(x) + math.Cos(x) },
	"pau": func(x float64) float64 {
		p, q := 0.0, 1.0
		for j, a := range PAUNumeratorInit {
			p += a * math.Pow(x, float64(j))
		}
		for k, b := range PAUDenominatorInit {
			q += math.Abs(b) * math.Pow(math.Abs(x), float64(k+1))
		}
		return p / q
	},
	"cauchy": func(x float64) float64 { return (x + 1) / (x*x + 1) },
	"sau": func(x float64) float64 {
		// 0.01x + 0.99·(x/2 + x/2·erf(x/√2) + e^(−x²/2)/√(2π)), the paper's form
		return 0.01*x + 0.99*(x/2+x/2*math.Erf(x/math.Sqrt2)+math.Exp(-x*x/2)/math.Sqrt(2*math.Pi))
	},
	"tempered_sigmoid": math.Tanh, // 2σ(2x) − 1
	"apa":              sigm,      // λ = κ = 1
	"aglu":             silu,
	"xatlu":            func(x float64) float64 { return x * (math.Atan(x)/math.Pi + 0.5) },
	"xgelu":            gelu,
	"xsilu":            silu,
	"polyrelu": func(x float64) float64 {
		r := relu(x)
		return (r + r*r + r*r*r) / 3
	},
	"helu":        relu,
	"kan":         silu,
	"fourier_kan": math.Sin,
	"chebyshev":   math.Tanh,
	// variants
	"{name: snake, a: 0.5}":         func(x float64) float64 { return x + math.Pow(math.Sin(0.5*x), 2)/0.5 },
	"{name: silu, beta: 2}":         func(x float64) float64 { return x * sigm(2*x) },
	"{name: softplus, beta: 2}":     func(x float64) float64 { return math.Log1p(math.Exp(2*x)) / 2 },
	"{name: elu, alpha: 0.5}":       func(x float64) float64 { return max(x, 0) + min(0.5*(math.Exp(x)-1), 0) },
	"{name: leaky_relu, slope: .2}": func(x float64) float64 { return max(x, 0.2*x) },
	"{name: sinc, omega: 1}":        func(x float64) float64 { return math.Sin(x) / x },
	"{name: xgelu, alpha: 0.3}":     func(x float64) float64 { return x * (1.6*phi(x) - 0.3) },
	"{name: apa, lambda: 2, kappa: 0.5}": func(x float64) float64 {
		return math.Pow(2*math.Exp(-0.5*x)+1, -0.5)
	},
	"{name: tempered_sigmoid, scale: 1, temperature: 1, offset: 0}": sigm,
	"{name: sau, alpha: 0.2, sigma: 0.5}": func(x float64) float64 {
		// E[LeakyReLU_0.2(x + 0.5Z)]
		return 0.2*x + 0.8*(x*phi(x/0.5)+0.5*math.Exp(-x*x/0.5)/math.Sqrt(2*math.Pi))
	},
	"{name: sine, omega0: 1}":    math.Sin,
	"{name: gaussian, s: 1}":     func(x float64) float64 { return math.Exp(-x * x) },
	"{name: helu, threshold: 1}": relu,
}

func TestActivationValues(t *testing.T) {
	for spec, ref := range activationRefs {
		for _, learn := range []bool{false, true} {
			a := mustAct(t, spec, f64)
			if learn {
				e, _ := lookupActivation(a.Name(), 0)
				if e.learnable < 0 {
					continue
				}
				s := a.Spec()
				s.Params["learnable"] = 1 - s.Params["learnable"]
				var err error
				if a, err = NewActivation(s, f64); err != nil {
					t.Fatal(err)
				}
			}
			name := a.Name()
			x := xTensor(inputScale(name))
			want := make([]float64, x.Numel())
			for i, v := range x.Float64s() {
				want[i] = ref(v)
			}
			closeTo(t, spec+" learnable="+a.Spec().String(), a.Forward(x).Float64s(), want, 1e-14)
			// float32 through the same kernels
			a32, err := NewActivation(a.Spec())
			if err != nil {
				t.Fatal(err)
			}
			x32 := tensor.Zeros(tensor.Float32, 2, 3)
			x32.CopyFrom(tensor.FromFloat64s(tensor.Float32, x.Float64s(), 2, 3))
			closeTo(t, spec+" float32", a32.Forward(x32).ToFloat64s(), want, 2e-6)
		}
	}
	// Every elementwise activation has a reference.
	for _, e := range activationCatalogue {
		if _, ok := activationRefs[e.name]; !ok && e.elementwise {
			t.Errorf("no reference values for %s", e.name)
		}
	}
}

func at(t *testing.T, spec string, x float64) float64 {
	t.Helper()
	return mustAct(t, spec, f64).Forward(tensor.FromFloat64s(tensor.Float64, []float64{x}, 1)).Item()
}

func TestActivationKnownValues(t *testing.T) {
	for _, c := range []struct {
		spec      string
		x, want   float64
		tolerance float64
	}{
		{"gelu", 1, 0.8413447460685429, 1e-16},
		{"gelu_tanh", 1, 0.8411919906082768, 1e-16},
		{"selu", 1, 1.0507009873554805, 1e-16},
		{"selu", -1, 1.0507009873554805 * 1.6732632423543772 * (math.Exp(-1) - 1), 4e-16},
		{"{name: snake, a: 0.5}", 1, 1 + math.Pow(math.Sin(0.5), 2)/0.5, 1e-16},
		{"silu", 1, 0.7310585786300049, 1e-16},
		{"mish", 1, 0.8650983882673103, 1e-16},
		{"sinc", 0, 1, 0},
		{"sinc", 1, 0, 1e-16},
		{"softplus", 0, math.Ln2, 1e-16},
		{"softplus", -800, 0, 0},
		{"softplus", 800, 800, 0},
		{"silu", -800, 0, 0},
		{"apa", -800, 0, 0},
		{"aglu", 800, 800, 0},
	} {
		if got := at(t, c.spec, c.x); math.Abs(got-c.want) > c.tolerance*max(1, math.Abs(c.want)) || math.IsNaN(got) {
			t.Errorf("%s(%v) = %.17g, want %.17g", c.spec, c.x, got, c.want)
		}
	}
}

// TestPAUInit: PAU starts as the published rational fit of LeakyReLU
// (slope 0.01). On [−3, 3] its largest deviation is a_0 = 0.0336, at 0.
func TestPAUInit(t *testing.T) {
	a := mustAct(t, "pau", f64)
	n := 6001
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = -3 + 6*float64(i)/float64(n-1)
	}
	y := a.Forward(tensor.FromFloat64s(tensor.Float64, xs, n)).Float64s()
	worst, where := 0.0, 0.0
	for i, x := range xs {
		if e := math.Abs(y[i] - max(x, 0.01*x)); e > worst {
			worst, where = e, x
		}
	}
	t.Logf("PAU init vs LeakyReLU(0.01) on [-3, 3]: max error %.6f at x = %.3f", worst, where)
	if worst > 0.0336 || worst < 0.0335 {
		t.Errorf("max error %v at %v, want 0.03356 (a_0)", worst, where)
	}
	if nn := CountParams(a); nn != 10 {
		t.Errorf("PAU has %d parameters, want 10", nn)
	}
}

// withParams runs f with the learnable tensors of a replaced by ps (so
// that GradGradCheck can differentiate with respect to its copies).
func withParams(a Activation, ps []*tensor.Tensor, f func() *tensor.Tensor) *tensor.Tensor {
	act := a.(*activation)
	saved := make([]*tensor.Tensor, len(act.params))
	for i, c := range act.params {
		saved[i], c.t = c.t, ps[i]
	}
	defer func() {
		for i, c := range act.params {
			c.t = saved[i]
		}
	}()
	return f()
}

// gradSpecs are the activations whose derivatives are checked, with their
// learnable variants.
func gradSpecs() []string {
	var out []string
	for _, e := range activationCatalogue {
		switch e.name {
		case "helu", "finer":
			continue // surrogates: TestSurrogates
		}
		out = append(out, e.name)
		if e.learnable >= 0 {
			out = append(out, "{name: "+e.name+", learnable: "+map[bool]string{true: "false", false: "true"}[e.learnable == 1]+"}")
		}
	}
	return append(out,
		"{name: finer, exact: true}",
		"{name: prelu, channels: 3}",
		"{name: snake, a: 0.7, learnable: true, channels: 3}",
		"{name: kan, channels: 3}",
		"{name: fourier_kan, channels: 3, terms: 3}",
		"{name: chebyshev, channels: 3, degree: 4}",
		"{name: glu, axis: 0}",
		"{name: polynorm, axis: 0}",
		"{name: sinc, omega: 2.5}",
		"{name: gaussian, s: 1.3, learnable: true}",
	)
}

// perturbParams moves learnable values off their special initial points
// (zeros, PAU's near-zero denominator coefficients) so that the checks
// see generic values.
func perturbParams(a Activation) {
	for i, p := range Params(a) {
		v := p.Float64s()
		for j := range v {
			v[j] += 0.1 + 0.05*float64((i+j)%4)
		}
	}
}

func TestActivationGradients(t *testing.T) {
	for _, spec := range gradSpecs() {
		a := mustAct(t, spec, f64)
		perturbParams(a)
		x := xTensor(inputScale(a.Name()))
		if a.Name() == "gabor" {
			x = tensor.Scale(x, 0.05)
		}
		switch a.Name() {
		case "glu", "reglu", "geglu", "swiglu":
			// the split axis needs an even size
			x = tensor.FromFloat64s(tensor.Float64, append(slices.Clone(xs64), 0.4, -0.9), 2, 4)
			if strings.Contains(spec, "axis: 0") {
				x = tensor.Reshape(x, 4, 2)
			}
		}
		xs := append([]*tensor.Tensor{x}, Params(a)...)
		f := func(in []*tensor.Tensor) *tensor.Tensor {
			return withParams(a, in[1:], func() *tensor.Tensor { return a.Forward(in[0]) })
		}
		gradCheck(t, spec, f, xs...)
		// (piecewise-linear ones: the second derivatives vanish, checked too)
		gradGradCheck(t, spec, f, xs...)
	}
	// Complex input to the Gabor wavelet.
	a := mustAct(t, "{name: gabor, omega0: 3, s0: 2}", f64)
	z := tensor.Complex(tensor.Scale(xTensor(1), 0.3), tensor.Scale(randT(9, 2, 3), 0.2))
	gradCheck(t, "gabor complex", func(in []*tensor.Tensor) *tensor.Tensor { return a.Forward(in[0]) }, z)
	zs := z.Complex128s()
	got := a.Forward(z).Complex128s()
	for i, v := range zs {
		want := complexExp(complex(0, 3)*v - complex(4*(real(v)*real(v)+imag(v)*imag(v)), 0))
		if d := got[i] - want; math.Hypot(real(d), imag(d)) > 1e-14 {
			t.Errorf("gabor(%v) = %v, want %v", v, got[i], want)
		}
	}
}

func complexExp(z complex128) complex128 {
	e := math.Exp(real(z))
	return complex(e*math.Cos(imag(z)), e*math.Sin(imag(z)))
}

// TestActivationThirdDerivatives checks ∂³/∂x³ of the fused smooth
// kernels (a PDE residual with u_xx, differentiated for the parameters).
func TestActivationThirdDerivatives(t *testing.T) {
	for _, spec := range []string{"gelu", "silu", "softplus", "{name: sine, omega0: 2}", "{name: snake, a: 0.7}",
		"{name: gaussian, s: 1.2}", "sinc", "selu", "elu", "sigmoid", "mish", "gelu_tanh", "xgelu", "sau", "apa", "kan"} {
		a := mustAct(t, spec, f64)
		x := xTensor(1)
		gradGradCheck(t, spec+" (third order)", func(in []*tensor.Tensor) *tensor.Tensor {
			return tensor.Grad1(a.Forward(in[0]), in[0], true)
		}, x)
	}
}

// TestSmoothDerivativeTowers compares the k-th derivative kernels with
// finite differences of the (k−1)-th, up to order 8.
func TestSmoothDerivativeTowers(t *testing.T) {
	fns := []*smoothFn{sigmoidFn, softplusFn, siluFn, normCDFFn, geluFn, gaussReLUFn, sinFn, snakeFn, gaussFn, sincFn, eluFn(0.7, 1.3)}
	pts := []float64{-7.5, -3.1, -1.2, -0.4, 0.3, 0.9, 2.2, 4.7, 1.99, 2.01, -1e-9}
	for _, f := range fns {
		for k := 1; k <= 8; k++ {
			for _, u := range pts {
				if f.name == "ELU" && math.Abs(u) < 1e-3 {
					continue
				}
				const h = 1e-5
				fd := (f.d(k-1, u+h) - f.d(k-1, u-h)) / (2 * h)
				got := f.d(k, u)
				scale := 1.0
				for j := 0; j <= k; j++ {
					scale = max(scale, math.Abs(f.d(j, u)))
				}
				if math.Abs(got-fd) > 1e-6*scale*math.Pow(4, float64(k)) {
					t.Errorf("%s^(%d)(%v) = %.12g, finite differences %.12g", f.name, k, u, got, fd)
				}
			}
		}
	}
	mustPanic(t, "order too high", func() { sinFn.apply(xTensor(1), 1, 1, 0, maxDeriv+1) })
}

func TestSurrogates(t *testing.T) {
	// HeLU: ReLU forward; the gradient passes where x > −0.05.
	h := mustAct(t, "helu", f64)
	x := tensor.FromFloat64s(tensor.Float64, []float64{-0.3, -0.06, -0.04, -0.01, 0.02, 0.5}, 6).SetRequiresGrad(true)
	y := h.Forward(x)
	closeTo(t, "helu forward", y.Float64s(), []float64{0, 0, 0, 0, 0.02, 0.5}, 0)
	closeTo(t, "helu gradient", tensor.Grad1(y, x, false).Float64s(), []float64{0, 0, 1, 1, 1, 1}, 0)
	h2 := mustAct(t, "{name: helu, threshold: 0.2}", f64)
	closeTo(t, "helu threshold 0.2", tensor.Grad1(h2.Forward(x), x, false).Float64s(), []float64{0, 1, 1, 1, 1, 1}, 0)
	// The second derivative of the surrogate is zero.
	g := tensor.Grad1(h.Forward(x), x, true)
	if g.RequiresGrad() {
		closeTo(t, "helu second derivative", tensor.Grad1(g, x, false).Float64s(), make([]float64, 6), 0)
	}

	// FINER: sin(ω0(|x|+1)x) with |x|+1 detached: the gradient is
	// ω0(|x|+1)·cos(ω0(|x|+1)x), not the exact ω0(2|x|+1)·cos(…).
	for _, exact := range []bool{false, true} {
		spec := "{name: finer, omega0: 3}"
		if exact {
			spec = "{name: finer, omega0: 3, exact: true}"
		}
		f := mustAct(t, spec, f64)
		xv := []float64{-1.3, -0.2, 0.4, 1.1}
		x := tensor.FromFloat64s(tensor.Float64, xv, 4).SetRequiresGrad(true)
		y := f.Forward(x)
		d := tensor.Grad1(y, x, true)
		dd := tensor.Grad1(d, x, false)
		want := make([]float64, 4)
		want2 := make([]float64, 4)
		for i, v := range xv {
			s := math.Abs(v) + 1
			arg := 3 * s * v
			if exact {
				sg := math.Copysign(1, v)
				du := 3 * (2*math.Abs(v) + 1)
				want[i] = du * math.Cos(arg)
				want2[i] = -du*du*math.Sin(arg) + 3*2*sg*math.Cos(arg)
			} else {
				want[i] = 3 * s * math.Cos(arg)
				want2[i] = -9 * s * s * math.Sin(arg)
			}
		}
		closeTo(t, spec+" gradient", d.Float64s(), want, 1e-14)
		closeTo(t, spec+" second derivative", dd.Float64s(), want2, 1e-13)
	}
}

func TestGLUAndPolyNormAxes(t *testing.T) {
	x := randT(5, 4, 6)
	v := x.Float64s()
	for _, c := range []struct {
		spec string
		gate func(float64) float64
	}{{"glu", sigm}, {"reglu", relu}, {"geglu", gelu}, {"swiglu", silu}} {
		// last axis: halves of width 3
		y := mustAct(t, c.spec, f64).Forward(x)
		if !slices.Equal(y.Shape(), []int{4, 3}) {
			t.Fatalf("%s shape %v", c.spec, y.Shape())
		}
		var want []float64
		for r := range 4 {
			for j := range 3 {
				want = append(want, v[r*6+j]*c.gate(v[r*6+3+j]))
			}
		}
		closeTo(t, c.spec, y.Float64s(), want, 1e-15)
		// axis 0: halves of 2 rows
		y0 := mustAct(t, "{name: "+c.spec+", axis: 0}", f64).Forward(x)
		if !slices.Equal(y0.Shape(), []int{2, 6}) {
			t.Fatalf("%s axis 0 shape %v", c.spec, y0.Shape())
		}
		want = want[:0]
		for r := range 2 {
			for j := range 6 {
				want = append(want, v[r*6+j]*c.gate(v[(r+2)*6+j]))
			}
		}
		closeTo(t, c.spec+" axis 0", y0.Float64s(), want, 1e-15)
	}
	mustPanic(t, "odd axis", func() { mustAct(t, "glu", f64).Forward(randT(1, 3, 5)) })

	for _, axis := range []int{-1, 0} {
		p := mustAct(t, map[int]string{-1: "polynorm", 0: "{name: polynorm, axis: 0}"}[axis], f64)
		perturbParams(p)
		w, b := p.(*activation).params[0].t.Float64s(), p.(*activation).params[1].t.Float64s()[0]
		y := p.Forward(x).Float64s()
		for r := range 4 {
			for j := range 6 {
				// the normalisation runs over the other index
				rms := func(pw float64) float64 {
					s := 0.0
					n := 6
					if axis == 0 {
						n = 4
					}
					for i := range n {
						e := v[r*6+i]
						if axis == 0 {
							e = v[i*6+j]
						}
						s += math.Pow(e, 2*pw)
					}
					return math.Sqrt(s/float64(n) + 1e-6)
				}
				e := v[r*6+j]
				want := b
				for i := 1; i <= 3; i++ {
					want += w[i-1] * math.Pow(e, float64(i)) / rms(float64(i))
				}
				if d := y[r*6+j] - want; math.Abs(d) > 1e-13 {
					t.Fatalf("polynorm axis %d [%d,%d] = %v, want %v", axis, r, j, y[r*6+j], want)
				}
			}
		}
	}
}

func TestActivationChannels(t *testing.T) {
	a := mustAct(t, "{name: prelu, channels: 3}", f64)
	np := NamedParams(a)
	if len(np) != 1 || np[0].Name != "a" || !slices.Equal(np[0].Tensor.Shape(), []int{3}) {
		t.Fatalf("params %v", np)
	}
	np[0].Tensor.CopyFrom(tensor.FromFloat64s(tensor.Float64, []float64{0.1, 0.2, 0.3}, 3))
	x := randT(3, 2, 3, 4) // [B, C, L], channels on axis 1
	y := a.Forward(x).Float64s()
	for i, v := range x.Float64s() {
		c := (i / 4) % 3
		if want := max(v, []float64{0.1, 0.2, 0.3}[c]*v); y[i] != want {
			t.Fatalf("prelu channel %d: %v, want %v", c, y[i], want)
		}
	}
	mustPanic(t, "channel mismatch", func() { a.Forward(randT(1, 2, 4)) })
	mustPanic(t, "dtype mismatch", func() { a.Forward(tensor.Zeros(tensor.Float32, 2, 3)) })
	// axis −1
	b := mustAct(t, "{name: snake, channels: 4, axis: -1, learnable: true}")
	if got := b.Forward(tensor.Zeros(tensor.Float32, 2, 3, 4)).Shape(); !slices.Equal(got, []int{2, 3, 4}) {
		t.Fatalf("shape %v", got)
	}
	// State dicts see the parameters.
	m := Sequential{NewLinear(2, 3, WithSeed(1), f64), mustAct(t, "{name: snake, learnable: true, channels: 3}", f64)}
	sd := StateDict(m)
	if _, ok := sd["1.a"]; !ok || CountParams(m) != 9+3 {
		t.Fatalf("state dict keys %v, %d params", sd, CountParams(m))
	}
	if CountParams(mustAct(t, "snake")) != 0 {
		t.Fatal("fixed snake has parameters")
	}
}

// TestActivationDocs: docs/activations.md has a row for every activation
// that names each of its parameters.
func TestActivationDocs(t *testing.T) {
	b, err := os.ReadFile("../docs/activations.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "| `") {
			name := strings.SplitN(line[3:], "`", 2)[0]
			rows[name] = line
		}
	}
	for _, e := range activationCatalogue {
		row, ok := rows[e.name]
		if !ok {
			t.Errorf("docs/activations.md: no row for %s", e.name)
			continue
		}
		for _, p := range e.params {
			if !strings.Contains(row, "`"+p.name+"`") {
				t.Errorf("docs/activations.md: row %s does not name parameter %s", e.name, p.name)
			}
		}
	}
	for alias := range activationAliases {
		if !strings.Contains(string(b), "alias `"+alias+"`") {
			t.Errorf("docs/activations.md: alias %s not mentioned", alias)
		}
	}
}
