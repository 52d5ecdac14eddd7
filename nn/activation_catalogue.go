package nn

import (
	"fmt"
	"math"

	"github.com/sciml-go/sciml/tensor"
)

// activationAliases maps accepted alternative names to catalogue names.
var activationAliases = map[string]string{
	"swish": "silu",
	"sin":   "sine",
	"gauss": "gaussian",
}

// SELU's constants (Klambauer et al. 2017): selu(x) = λ·x for x > 0 and
// λ·α·(eˣ − 1) otherwise.
const (
	// SELULambda is SELU's scale λ.
	SELULambda = 1.0507009873554805
	// SELUAlpha is SELU's α.
	SELUAlpha = 1.6732632423543772
)

// PAU's initial coefficients: the "pade_optimized_leakyrelu"
// initialisation of Molina et al. (2020), a rational fit of LeakyReLU
// (slope 0.01) — numerator a_0…a_5 and denominator b_1…b_4 of
// (Σ a_j x^j)/(1 + Σ |b_k|·|x|^k).
var (
	// PAUNumeratorInit holds a_0…a_5.
	PAUNumeratorInit = []float64{3.35583603e-02, 5.05000375e-01, 1.65343934e+00, 2.01001052e+00, 9.31901999e-01, 1.52424124e-01}
	// PAUDenominatorInit holds b_1…b_4.
	PAUDenominatorInit = []float64{3.30847488e-06, 3.98021568e+00, 5.12471206e-07, 3.01830109e-01}
)

// gelu's tanh form constant √(2/π).
var sqrt2OverPi = math.Sqrt(2 / math.Pi)

func lp(name string, def float64, check func(float64) string) actParam {
	return actParam{name: name, def: def, kind: realParam, learn: true, check: check}
}

func rp(name string, def float64, check func(float64) string) actParam {
	return actParam{name: name, def: def, kind: realParam, check: check}
}

func ip(name string, def float64, check func(float64) string) actParam {
	return actParam{name: name, def: def, kind: intParam, check: check}
}

// plain builds a parameter-free elementwise entry whose forward is f.
func plain(name string, f func(x *tensor.Tensor) *tensor.Tensor) *actEntry {
	return &actEntry{name: name, learnable: -1, elementwise: true,
		build: func(*actBuilder) func(*tensor.Tensor) *tensor.Tensor { return f }}
}

// activationCatalogue lists every activation NewActivation builds. The
// formulas, defaults and sources are in docs/activations.md.
var activationCatalogue = []*actEntry{
	{name: "identity", learnable: -1,
		build: func(*actBuilder) func(*tensor.Tensor) *tensor.Tensor {
			return func(x *tensor.Tensor) *tensor.Tensor { return x }
		}},
	plain("relu", tensor.ReLU),
	{name: "leaky_relu", learnable: -1, elementwise: true,
		params: []actParam{rp("slope", 0.01, nil)},
		build: func(b *actBuilder) func(*tensor.Tensor) *tensor.Tensor {
			s := b.f("slope")
			return func(x *tensor.Tensor) *tensor.Tensor { return leaky(x, s) }
		}},
	{name: "prelu", learnable: 1, elementwise: true, perChannel: true,
		params: []actParam{lp("a", 0.25, nil)},
		build: func(b *actBuilder) func(*tensor.Tensor) *tensor.Tensor {
			a := b.p("a")
			return func(x *tensor.Tensor) *tensor.Tensor {
				if a.fixed() {
					return leaky(x, a.c)
				}
				return tensor.Where(tensor.Step(x), x, mulP(x, a))
			}
		}},
	plain("tanh", tensor.Tanh),
	plain("sigmoid", tensor.Sigmoid),
	plain("gelu", geluFn.of),
	plain("gelu_tanh", geluTanh),
	{name: "silu", learnable: 0, elementwise: true, perChannel: true,
		params: []actParam{lp("beta", 1, nonzero)},
		build: func(b *actBuilder) func(*tensor.Tensor) *tensor.Tensor {
			beta := b.p("beta")
			return func(x *tensor.Tensor) *tensor.Tensor {
				if beta.fixed() {
					return siluFn.apply(x, 1/beta.c, beta.c, 0, 0)
				}
				return tensor.Mul(x, sigmoidFn.of(mulP(x, beta)))
			}
		}},
	plain("mish", mish),
	{name: "elu", learnable: -1, elementwise: true,
		params: []actParam{rp("alpha", 1, nil)},
		build: func(b *actBuilder) func(*tensor.Tensor) *tensor.Tensor {
			f := eluFn(b.f("alpha"), 1)
			return f.of
		}},
	plain("selu", eluFn(SELUAlpha, SELULambda).of),
	{name: "softplus", learnable: 0, elementwise: true, perChannel: true,
		params: []actParam{lp("beta", 1, nonzero)},
		build: func(b *actBuilder) func(*tensor.Tensor) *tensor.Tensor {
			beta := b.p("beta")
			return func(x *tensor.Tensor) *tensor.Tensor {
				if beta.fixed() {
					return softplusFn.apply(x, 1/beta.c, beta.c, 0, 0)
				}
				return divP(softplusFn.of(mulP(x, beta)), beta)
			}
		}},
	gluEntry("glu", tensor.Sigmoid),
	gluEntry("reglu", tensor.ReLU),
	gluEntry("geglu", geluFn.of),
	gluEntry("swiglu", siluFn.of),
	{name: "snake", learnable: 0, elementwise: true, perChannel: true,
		params: []actParam{lp("a", 1, nonzero)},
		build: func(b *actBuilder) func(*tensor.Tensor) *tensor.Tensor {
			a := b.p("a")
			return func(x *tensor.Tensor) *tensor.Tensor {
				if a.fixed() {
					return snakeFn.apply(x, 1/a.c, a.c, 0, 0)
				}
				s := tensor.Sin(mulP(x, a))
				return tensor.Add(x, divP(tensor.Mul(s, s), a))
			}
		}},
	{name: "sine", learnable: 0, elementwise: true, perChannel: true,
		params: []actParam{lp("omega0", 30, nil)},
		build: func(b *actBuilder) func(*tensor.Tensor) *tensor.Tensor {
			w := b.p("omega0")
			return func(x *tensor.Tensor) *tensor.Tensor { return smooth(sinFn, x, pv{c: 1}, w) }
		}},
	{name: "finer", learnable: 0, elementwise: true, perChannel: true,
		params: []actParam{lp("omega0", 30, nil), {name: "exact", kind: boolParam}},
		build: func(b *actBuilder) func(*tensor.Tensor) *tensor.Tensor {
			w := b.p("omega0")
			exact := b.f("exact") == 1
			if exact && w.fixed() {
				// One fused kernel with its exact derivative tower.
				f := finerFn(w.c)
				return func(x *tensor.Tensor) *tensor.Tensor { return f.of(x) }
			}
			return func(x *tensor.Tensor) *tensor.Tensor {
				// sin(ω0·(|x|+1)·x); the factor |x|+1 is a constant for
				// autodiff unless exact is set (FINER's reference code
				// computes it under torch.no_grad).
				var scale *tensor.Tensor
				if exact {
					scale = tensor.AddScalar(tensor.Abs(x), 1)
				} else {
					scale = constMap(x, "FinerScale", func(v float64) float64 { return math.Abs(v) + 1 })
				}
				return tensor.Sin(mulP(tensor.Mul(x, scale), w))
			}
		}},
	{name: "gaussian", learnable: 0, elementwise: true, perChannel: true,
		params: []actParam{lp("s", 30, nil)},
		build: func(b *actBuilder) func(*tensor.Tensor) *tensor.Tensor {
			s := b.p("s")
			return func(x *tensor.Tensor) *tensor.Tensor { return smooth(gaussFn, x, pv{c: 1}, s) }
		}},
	{name: "sinc", learnable: 0, elementwise: true, perChannel: true,
		params: []actParam{lp("omega", math.Pi, nonzero)},
		build: func(b *actBuilder) func(*tensor.Tensor) *tensor.Tensor {
			w := b.p("omega")
			return func(x *tensor.Tensor) *tensor.Tensor { return smooth(sincFn, x, pv{c: 1}, w) }
		}},
	{name: "gabor", learnable: 0,
		params: []actParam{lp("omega0", 20, nil), lp("s0", 30, nil)},
		build: func(b *actBuilder) func(*tensor.Tensor) *tensor.Tensor {
			w, s := b.p("omega0"), b.p("s0")
			return func(x *tensor.Tensor) *tensor.Tensor { return gabor(x, w, s) }
		}},
	{name: "wavelet", learnable: 1, elementwise: true, perChannel: true,
		params: []actParam{lp("w1", 1, nil), lp("w2", 1, nil)},
		build: func(b *actBuilder) func(*tensor.Tensor) *tensor.Tensor {
			w1, w2 := b.p("w1"), b.p("w2")
			return func(x *tensor.Tensor) *tensor.Tensor {
				return tensor.Add(mulP(tensor.Sin(x), w1), mulP(tensor.Cos(x), w2))
			}
		}},
	{name: "pau", learnable: 1, elementwise: true,
		build: func(b *actBuilder) func(*tensor.Tensor) *tensor.Tensor {
			num := b.vec("numerator", PAUNumeratorInit)
			den := b.vec("denominator", PAUDenominatorInit)
			return func(x *tensor.Tensor) *tensor.Tensor { return pau(x, num, den) }
		}},
	{name: "cauchy", learnable: 1, elementwise: true, perChannel: true,
		params: []actParam{lp("lambda1", 1, nil), lp("lambda2", 1, nil), lp("d", 1, nonzero)},
		build: func(b *actBuilder) func(*tensor.Tensor) *tensor.Tensor {
			l1, l2, d := b.p("lambda1"), b.p("lambda2"), b.p("d")
			return func(x *tensor.Tensor) *tensor.Tensor {
				num := addP(mulP(x, l1), l2)
				var den *tensor.Tensor
				if d.fixed() {
					den = tensor.AddScalar(tensor.Square(x), d.c*d.c)
				} else {
					den = tensor.Add(tensor.Square(x), tensor.Square(d.on(x)))
				}
				return tensor.Div(num, den)
			}
		}},
	{name: "sau", learnable: 1, elementwise: true, perChannel: true,
		params: []actParam{lp("alpha", 0.01, nil), lp("sigma", 1, positive)},
		build: func(b *actBuilder) func(*tensor.Tensor) *tensor.Tensor {
			al, sg := b.p("alpha"), b.p("sigma")
			return func(x *tensor.Tensor) *tensor.Tensor {
				// αx + (1−α)·σ·h(x/σ), h(u) = uΦ(u) + φ(u)
				if al.fixed() && sg.fixed() {
					return tensor.Add(tensor.Scale(x, al.c), gaussReLUFn.apply(x, (1-al.c)*sg.c, 1/sg.c, 0, 0))
				}
				s := sg.on(x)
				h := gaussReLUFn.of(tensor.Div(x, s))
				a := al.on(x)
				return tensor.Add(mulP(x, al), tensor.Mul(tensor.Mul(tensor.AddScalar(tensor.Neg(a), 1), s), h))
			}
		}},
	{name: "tempered_sigmoid", learnable: 0, elementwise: true, perChannel: true,
		params: []actParam{lp("scale", 2, nil), lp("temperature", 2, nil), lp("offset", 1, nil)},
		build: func(b *actBuilder) func(*tensor.Tensor) *tensor.Tensor {
			s, t, o := b.p("scale"), b.p("temperature"), b.p("offset")
			return func(x *tensor.Tensor) *tensor.Tensor {
				y := smooth(sigmoidFn, x, s, t)
				if o.fixed() {
					return tensor.AddScalar(y, -o.c)
				}
				return tensor.Sub(y, o.on(x))
			}
		}},
	apaEntry("apa", false),
	apaEntry("aglu", true),
	xgateEntry("xatlu", func(x *tensor.Tensor) *tensor.Tensor {
		return tensor.AddScalar(tensor.Scale(atan(x), 1/math.Pi), 0.5)
	}),
	xgateEntry("xgelu", normCDFFn.of),
	xgateEntry("xsilu", sigmoidFn.of),
	{name: "polyrelu", learnable: 1, elementwise: true,
		build: func(b *actBuilder) func(*tensor.Tensor) *tensor.Tensor {
			w := b.vec("weight", []float64{1. / 3, 1. / 3, 1. / 3})
			bias := b.vec("bias", []float64{0})
			return func(x *tensor.Tensor) *tensor.Tensor {
				r := tensor.ReLU(x)
				acc := mulP(r, w[2])
				acc = tensor.Mul(addP(acc, w[1]), r)
				acc = tensor.Mul(addP(acc, w[0]), r)
				return addP(acc, bias[0])
			}
		}},
	{name: "polynorm", learnable: 1,
		params: []actParam{ip("axis", -1, nil), rp("eps", 1e-6, positive)},
		build: func(b *actBuilder) func(*tensor.Tensor) *tensor.Tensor {
			w := b.vec("weight", []float64{1. / 3, 1. / 3, 1. / 3})
			bias := b.vec("bias", []float64{0})
			axis, eps := b.n("axis"), b.f("eps")
			return func(x *tensor.Tensor) *tensor.Tensor {
				ax := []int{axis}
				norm := func(u *tensor.Tensor) *tensor.Tensor {
					ms := tensor.MeanAxes(tensor.Square(u), ax, true)
					return tensor.Div(u, tensor.Sqrt(tensor.AddScalar(ms, eps)))
				}
				x2 := tensor.Square(x)
				y := mulP(norm(x), w[0])
				y = tensor.Add(y, mulP(norm(x2), w[1]))
				y = tensor.Add(y, mulP(norm(tensor.Mul(x2, x)), w[2]))
				return addP(y, bias[0])
			}
		}},
	{name: "helu", learnable: -1, elementwise: true,
		params: []actParam{rp("threshold", 0.05, atLeast(0))},
		build: func(b *actBuilder) func(*tensor.Tensor) *tensor.Tensor {
			t := b.f("threshold")
			return func(x *tensor.Tensor) *tensor.Tensor { return helu(x, t) }
		}},
	{name: "kan", learnable: 1, elementwise: true, perChannel: true,
		params: []actParam{ip("grid", 5, atLeast(1)), ip("order", 3, kanOrder), rp("lo", -1, nil), rp("hi", 1, nil)},
		build: func(b *actBuilder) func(*tensor.Tensor) *tensor.Tensor {
			g, k, lo, hi := b.n("grid"), b.n("order"), b.f("lo"), b.f("hi")
			wb := b.hidden("base_weight", 1)
			coef := b.coef("coef", make([]float64, g+k), g+k)
			return func(x *tensor.Tensor) *tensor.Tensor {
				basis := bsplineBasis(x, lo, (hi-lo)/float64(g), g, k, k)
				s := tensor.SumAxes(tensor.Mul(basis, coef(x)), []int{x.NDim()}, false)
				return tensor.Add(mulP(siluFn.of(x), wb), s)
			}
		}},
	{name: "fourier_kan", learnable: 1, elementwise: true, perChannel: true,
		params: []actParam{ip("terms", 5, atLeast(1))},
		build: func(b *actBuilder) func(*tensor.Tensor) *tensor.Tensor {
			n := b.n("terms")
			sinInit := make([]float64, n)
			sinInit[0] = 1
			cs := b.coef("cos", make([]float64, n), n)
			sn := b.coef("sin", sinInit, n)
			return func(x *tensor.Tensor) *tensor.Tensor {
				arg := fourierArg(x, n)
				y := tensor.Add(tensor.Mul(tensor.Cos(arg), cs(x)), tensor.Mul(tensor.Sin(arg), sn(x)))
				return tensor.SumAxes(y, []int{x.NDim()}, false)
			}
		}},
	{name: "chebyshev", learnable: 1, elementwise: true, perChannel: true,
		params: []actParam{ip("degree", 5, atLeast(1))},
		build: func(b *actBuilder) func(*tensor.Tensor) *tensor.Tensor {
			d := b.n("degree")
			init := make([]float64, d+1)
			init[1] = 1
			c := b.coef("coef", init, d+1)
			return func(x *tensor.Tensor) *tensor.Tensor {
				t := chebyshevBasis(tensor.Tanh(x), d)
				return tensor.SumAxes(tensor.Mul(t, c(x)), []int{x.NDim()}, false)
			}
		}},
}

func kanOrder(v float64) string {
	if v < 0 || v > maxSplineOrder {
		return fmt.Sprintf("must be between 0 and %d", maxSplineOrder)
	}
	return ""
}

// coef returns a per-channel coefficient vector of n entries as a function
// of the input: a learnable tensor [channels, n] (initialised to init) or
// the fixed init, shaped to broadcast against x's shape plus a trailing
// axis of n.
func (b *actBuilder) coef(name string, init []float64, n int) func(x *tensor.Tensor) *tensor.Tensor {
	if !b.learn {
		return func(x *tensor.Tensor) *tensor.Tensor { return tensor.FromFloat64s(x.DType(), init, n) }
	}
	cell := b.declare(name, init, b.channels, n)
	axis, act := b.axis, b.e.name
	return func(x *tensor.Tensor) *tensor.Tensor {
		t := cell.t
		if t.Dim(0) == 1 {
			return tensor.Reshape(t, n)
		}
		return channelView(t, x, axis, act)
	}
}

// hidden returns a scalar parameter that is not set from the spec (it
// starts at init): learnable per channel when the switch is on, the
// constant init otherwise.
func (b *actBuilder) hidden(name string, init float64) pv {
	if !b.learn {
		return pv{c: init}
	}
	return pv{c: init, cell: b.declare(name, []float64{init}, b.channels), idx: -1, axis: b.axis, act: b.e.name}
}

// leaky returns x for x > 0 and s·x otherwise, fused.
func leaky(x *tensor.Tensor, s float64) *tensor.Tensor {
	return fused(x, "LeakyReLU", func(v float64) float64 {
		if v > 0 {
			return v
		}
		return s * v
	}, func(x *tensor.Tensor) *tensor.Tensor {
		return constMap(x, "LeakyReLUSlope", func(v float64) float64 {
			if v > 0 {
				return 1
			}
			return s
		})
	})
}

// helu is ReLU in the forward pass whose backward passes the gradient
// where x > −t (a surrogate: the true derivative is [x > 0]).
func helu(x *tensor.Tensor, t float64) *tensor.Tensor {
	return fused(x, "HeLU", func(v float64) float64 { return max(v, 0) }, func(x *tensor.Tensor) *tensor.Tensor {
		return constMap(x, "HeLUMask", func(v float64) float64 { return b2f(v > -t) })
	})
}

// geluTanh is GELU's tanh form 0.5x(1 + tanh(√(2/π)(x + 0.044715x³))),
// fused, with the exact derivative composed from tensor operations.
func geluTanh(x *tensor.Tensor) *tensor.Tensor {
	const k = 0.044715
	return fused(x, "GELUTanh", func(v float64) float64 {
		return 0.5 * v * (1 + math.Tanh(sqrt2OverPi*(v+k*v*v*v)))
	}, func(x *tensor.Tensor) *tensor.Tensor {
		x2 := tensor.Square(x)
		t := tensor.Tanh(tensor.Scale(tensor.Mul(x, tensor.AddScalar(tensor.Scale(x2, k), 1)), sqrt2OverPi))
		a := tensor.Scale(tensor.AddScalar(t, 1), 0.5)
		sech2 := tensor.AddScalar(tensor.Neg(tensor.Square(t)), 1)
		du := tensor.Scale(tensor.AddScalar(tensor.Scale(x2, 3*k), 1), 0.5*sqrt2OverPi)
		return tensor.Add(a, tensor.Mul(tensor.Mul(x, sech2), du))
	})
}

// mish is x·tanh(softplus x), fused, with the exact derivative
// tanh(sp) + x·(1 − tanh²(sp))·σ(x) composed from tensor operations.
func mish(x *tensor.Tensor) *tensor.Tensor {
	return fused(x, "Mish", func(v float64) float64 { return v * math.Tanh(sigD(-1, v)) }, func(x *tensor.Tensor) *tensor.Tensor {
		t := tensor.Tanh(softplusFn.of(x))
		sech2 := tensor.AddScalar(tensor.Neg(tensor.Square(t)), 1)
		return tensor.Add(t, tensor.Mul(tensor.Mul(x, sech2), sigmoidFn.of(x)))
	})
}

// gluEntry builds a gated linear unit: the axis is split in halves a
// (value) and b (gate), and the result is a ⊙ gate(b).
func gluEntry(name string, gate func(*tensor.Tensor) *tensor.Tensor) *actEntry {
	return &actEntry{name: name, learnable: -1,
		params: []actParam{ip("axis", -1, nil)},
		build: func(b *actBuilder) func(*tensor.Tensor) *tensor.Tensor {
			axis := b.n("axis")
			return func(x *tensor.Tensor) *tensor.Tensor {
				ax := axis
				if ax < 0 {
					ax += x.NDim()
				}
				if ax < 0 || ax >= x.NDim() || x.Dim(ax)%2 != 0 {
					panic(fmt.Sprintf("nn.Activation(%s): axis %d of input shape %v does not split in halves", name, axis, x.Shape()))
				}
				h := tensor.Chunk(x, ax, 2)
				return tensor.Mul(h[0], gate(h[1]))
			}
		}}
}

// gabor is WIRE's complex Gabor wavelet exp(iω0·z − |s0·z|²) of a real or
// complex z; the result is complex.
func gabor(x *tensor.Tensor, w, s pv) *tensor.Tensor {
	var re, im *tensor.Tensor
	if x.DType().IsComplex() {
		re, im = tensor.Real(x), tensor.Imag(x)
	} else {
		re = x
	}
	abs2 := tensor.Square(re)
	if im != nil {
		abs2 = tensor.Add(abs2, tensor.Square(im))
	}
	var argRe *tensor.Tensor
	if s.fixed() {
		argRe = tensor.Scale(abs2, -s.c*s.c)
	} else {
		argRe = tensor.Neg(tensor.Mul(abs2, tensor.Square(s.on(re))))
	}
	if im != nil {
		argRe = tensor.Sub(argRe, mulP(im, w))
	}
	return tensor.Exp(tensor.Complex(argRe, mulP(re, w)))
}

// pau is the safe Padé activation unit P(x)/(1 + Σ_k |b_k|·|x|^k),
// composed from tensor operations (Horner's scheme).
func pau(x *tensor.Tensor, num, den []pv) *tensor.Tensor {
	n := len(num) - 1
	p := mulP(x, num[n])
	for j := n - 1; j >= 1; j-- {
		p = tensor.Mul(addP(p, num[j]), x)
	}
	p = addP(p, num[0])
	absDen := make([]pv, len(den))
	if den[0].fixed() {
		for i, d := range den {
			absDen[i] = pv{c: math.Abs(d.c)}
		}
	} else {
		a := &paramCell{t: tensor.Abs(den[0].cell.t)}
		for i, d := range den {
			absDen[i] = pv{cell: a, idx: i, act: d.act}
		}
	}
	ax := tensor.Abs(x)
	m := len(den) - 1
	q := mulP(ax, absDen[m])
	for k := m - 1; k >= 0; k-- {
		q = tensor.Mul(addP(q, absDen[k]), ax)
	}
	return tensor.Div(p, tensor.AddScalar(q, 1))
}

// apaEntry builds APA (λe^(−κz) + 1)^(−1/λ) or, with gated, AGLU z·APA(z),
// computed as exp(−softplus(ln λ − κz)/λ) with λ clamped to ≥ 1e-4 as in
// the reference code.
func apaEntry(name string, gated bool) *actEntry {
	return &actEntry{name: name, learnable: 1, elementwise: true, perChannel: true,
		params: []actParam{lp("lambda", 1, positive), lp("kappa", 1, nil)},
		build: func(b *actBuilder) func(*tensor.Tensor) *tensor.Tensor {
			l, k := b.p("lambda"), b.p("kappa")
			return func(x *tensor.Tensor) *tensor.Tensor {
				var y *tensor.Tensor
				if l.fixed() && k.fixed() {
					lc := max(l.c, 1e-4)
					y = tensor.Exp(softplusFn.apply(x, -1/lc, -k.c, math.Log(lc), 0))
				} else {
					lt := clampMin(l.on(x), 1e-4)
					u := tensor.Sub(tensor.Log(lt), mulP(x, k))
					y = tensor.Exp(tensor.Neg(tensor.Div(softplusFn.of(u), lt)))
				}
				if gated {
					y = tensor.Mul(x, y)
				}
				return y
			}
		}}
}

// xgateEntry builds the expanded gating x·((1 + 2α)·g(x) − α).
func xgateEntry(name string, g func(*tensor.Tensor) *tensor.Tensor) *actEntry {
	return &actEntry{name: name, learnable: 1, elementwise: true, perChannel: true,
		params: []actParam{lp("alpha", 0, nil)},
		build: func(b *actBuilder) func(*tensor.Tensor) *tensor.Tensor {
			a := b.p("alpha")
			return func(x *tensor.Tensor) *tensor.Tensor {
				gx := g(x)
				if a.fixed() {
					return tensor.Mul(x, tensor.AddScalar(tensor.Scale(gx, 1+2*a.c), -a.c))
				}
				return tensor.Mul(x, tensor.Add(gx, tensor.Mul(a.on(x), tensor.AddScalar(tensor.Scale(gx, 2), -1))))
			}
		}}
}
