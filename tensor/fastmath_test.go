package tensor

import (
	"math"
	"testing"
)

// TestFloat32Transcendentals checks the float32 Sin, Cos, Tanh, Exp and
// Sigmoid ops against float64 math over dense samples: the error is at
// most 0.98 ulp (trigonometric) or 0.50001 ulp (the others) of the exact
// value. The kernels themselves are tested in internal/vmath.
func TestFloat32Transcendentals(t *testing.T) {
	ops := []struct {
		name string
		f    func(*Tensor) *Tensor
		ref  func(float64) float64
		r    float64
		tol  float64
	}{
		{"Sin", Sin, math.Sin, 1e4, 0.98},
		{"Cos", Cos, math.Cos, 1e4, 0.98},
		{"Tanh", Tanh, math.Tanh, 10, 0.50001},
		{"Exp", Exp, math.Exp, 88, 0.50001},
		{"Sigmoid", Sigmoid, func(v float64) float64 { return 1 / (1 + math.Exp(-v)) }, 100, 0.50001},
	}
	n := 1 << 17
	for _, op := range ops {
		xs := make([]float32, n)
		for i := range xs {
			xs[i] = float32(op.r * (2*float64(i)/float64(n-1) - 1))
		}
		y := op.f(New(xs, n)).Float32s()
		for i, x := range xs {
			want := op.ref(float64(x))
			w := float32(want)
			ulp := float64(math.Nextafter32(w, float32(math.Inf(1)))) - float64(w)
			if w == float32(math.Inf(1)) {
				continue
			}
			if e := math.Abs(float64(y[i])-want) / ulp; !(e <= op.tol) {
				t.Fatalf("%s(%g) = %g, want %g (%.4f ulp)", op.name, x, y[i], want, e)
			}
		}
	}
}

// TestSinDerivatives checks derivatives of orders 1–4 of sin(ω·x) (taken
// through the fused sinQ/mulSinQ chain) against ω^k·sin(ω·x + k·π/2).
func TestSinDerivatives(t *testing.T) {
	for _, dt := range []DType{Float64, Float32} {
		xs := []float64{-2.1, -0.3, 0, 0.7, 1.9}
		x := FromFloat64s(dt, xs, len(xs)).SetRequiresGrad(true)
		const w = 2.5
		y := sinQ(x, "SinScaled", w, 0)
		tol := 1e-12
		if dt == Float32 {
			tol = 2e-6
		}
		d := y
		for k := 1; k <= 4; k++ {
			d = Grad1(d, x, true)
			for i, v := range xs {
				want := math.Pow(w, float64(k)) * math.Sin(w*v+float64(k)*math.Pi/2)
				if got := d.At(i); math.Abs(got-want) > tol*math.Pow(w, float64(k)) {
					t.Fatalf("%v: d^%d/dx^%d sin(%g·x) at %g = %v, want %v", dt, k, k, w, v, got, want)
				}
			}
		}
	}
	x := randT(95, 3, 4)
	checkBoth(t, "sinQ", func(xs []*Tensor) *Tensor { return sinQ(xs[0], "SinScaled", 1.7, 0) }, x)
	checkBoth(t, "cosQ", func(xs []*Tensor) *Tensor { return sinQ(xs[0], "CosScaled", -0.6, 1) }, x)
	checkBoth(t, "mulSinQ", func(xs []*Tensor) *Tensor { return mulSinQ(xs[0], xs[1], 0.8, 1.3, 3) }, randT(96, 5), randT(97, 5))
}

// TestFloat32GradientsMatchFloat64 runs the fused float32 backward of Sin,
// Cos, Tanh, Exp and Sigmoid against the float64 path.
func TestFloat32GradientsMatchFloat64(t *testing.T) {
	for name, f := range map[string]func(*Tensor) *Tensor{"Sin": Sin, "Cos": Cos, "Tanh": Tanh, "Exp": Exp, "Sigmoid": Sigmoid} {
		x64 := randT(98, 257)
		x32 := FromFloat64s(Float32, x64.Float64s(), 257)
		g64 := Grad1(f(x64.SetRequiresGrad(true)), x64, false).Float64s()
		g32 := Grad1(f(x32.SetRequiresGrad(true)), x32, false).Float32s()
		for i := range g64 {
			if math.Abs(float64(g32[i])-g64[i]) > 4e-7*(1+math.Abs(g64[i])) {
				t.Fatalf("%s: float32 gradient %v, float64 %v", name, g32[i], g64[i])
			}
		}
	}
}
