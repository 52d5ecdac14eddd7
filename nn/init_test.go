package nn

import (
	"math"
	"slices"
	"testing"

	"github.com/sciml-go/sciml/tensor"
)

// moments returns the sample mean, variance (about zero-mean truth: the
// second moment) and the largest |x|.
func moments(x []float64) (mean, m2, maxAbs float64) {
	for _, v := range x {
		mean += v
		m2 += v * v
		maxAbs = max(maxAbs, math.Abs(v))
	}
	n := float64(len(x))
	return mean / n, m2 / n, maxAbs
}

// checkUniform tests that x looks like U(−b, b): inside the bounds,
// reaching close to them, with mean 0 and second moment b²/3 to within
// five standard errors.
func checkUniform(t *testing.T, name string, x []float64, b float64) {
	t.Helper()
	n := float64(len(x))
	mean, m2, maxAbs := moments(x)
	if maxAbs > b*(1+1e-6) {
		t.Errorf("%s: |x| reaches %g beyond bound %g", name, maxAbs, b)
	}
	if maxAbs < b*(1-20/n) {
		t.Errorf("%s: max |x| = %g, far below bound %g", name, maxAbs, b)
	}
	if se := b / math.Sqrt(3*n); math.Abs(mean) > 5*se {
		t.Errorf("%s: mean %g (standard error %g)", name, mean, se)
	}
	// Var(x²) = b⁴/5 − b⁴/9 = 4b⁴/45.
	if se := math.Sqrt(4 * math.Pow(b, 4) / 45 / n); math.Abs(m2-b*b/3) > 5*se {
		t.Errorf("%s: second moment %g, want %g ± %g", name, m2, b*b/3, 5*se)
	}
}

// checkNormal tests mean 0 and standard deviation std to five standard
// errors.
func checkNormal(t *testing.T, name string, x []float64, std float64) {
	t.Helper()
	n := float64(len(x))
	mean, m2, _ := moments(x)
	if se := std / math.Sqrt(n); math.Abs(mean) > 5*se {
		t.Errorf("%s: mean %g (standard error %g)", name, mean, se)
	}
	// Var(x²) = 2σ⁴.
	if se := math.Sqrt(2/n) * std * std; math.Abs(m2-std*std) > 5*se {
		t.Errorf("%s: variance %g, want %g ± %g", name, m2, std*std, 5*se)
	}
}

func draw(f Init, seed uint64, shape ...int) []float64 {
	w := tensor.Zeros(tensor.Float64, shape...)
	f(w, NewRand(seed))
	return w.Float64s()
}

func TestFans(t *testing.T) {
	cases := []struct {
		shape   []int
		in, out int
	}{
		{[]int{30, 20}, 20, 30},           // Linear [out, in]
		{[]int{16, 8, 3, 3}, 72, 144},     // Conv2d [Co, Ci, 3, 3]
		{[]int{8, 16, 4, 4}, 256, 128},    // ConvTranspose2d [Ci, Co, 4, 4]: PyTorch's fan_in is Co·16
		{[]int{5, 4, 1}, 4, 5},            // Conv1d 1×1
		{[]int{4, 4, 12, 12}, 576, 576},   // a spectral weight
		{[]int{7, 3, 2, 2, 2}, 24, 56},    // Conv3d
		{[]int{1, 1}, 1, 1},               // degenerate
		{[]int{9, 0}, 0, 9},               // empty input
		{[]int{6, 2, 5}, 10, 30},          // Conv1d k = 5
		{[]int{2, 6, 5}, 30, 10},          // ConvTranspose1d
		{[]int{3, 3, 1, 1}, 3, 3},         // 1×1 Conv2d
		{[]int{128, 64, 3, 3}, 576, 1152}, // a big Conv2d
	}
	for _, c := range cases {
		in, out := Fans(c.shape)
		if in != c.in || out != c.out {
			t.Errorf("Fans(%v) = %d, %d; want %d, %d", c.shape, in, out, c.in, c.out)
		}
	}
	mustPanic(t, "Fans of a vector", func() { Fans([]int{3}) })
}

func TestGain(t *testing.T) {
	cases := map[string]float64{
		"linear": 1, "conv2d": 1, "sigmoid": 1, "tanh": 5.0 / 3, "relu": math.Sqrt2, "selu": 0.75,
		"leaky_relu": math.Sqrt(2 / (1 + 0.01*0.01)),
	}
	for nl, want := range cases {
		if got := Gain(nl); math.Abs(got-want) > 1e-15 {
			t.Errorf("Gain(%q) = %g, want %g", nl, got, want)
		}
	}
	// PyTorch's Linear default: leaky_relu with a = √5 gives √(1/3).
	if got := Gain("leaky_relu", math.Sqrt(5)); math.Abs(got-math.Sqrt(1.0/3)) > 1e-15 {
		t.Errorf("Gain(leaky_relu, √5) = %g", got)
	}
	mustPanic(t, "unknown nonlinearity", func() { Gain("gelu") })
}

func TestInitDistributions(t *testing.T) {
	checkUniform(t, "TorchDefault [300,400]", draw(TorchDefault(), 1, 300, 400), 1/math.Sqrt(400))
	checkUniform(t, "KaimingUniform relu fan_in [64,32,3,3]", draw(KaimingUniform(Gain("relu"), FanIn), 2, 64, 32, 3, 3), math.Sqrt2*math.Sqrt(3.0/288))
	checkUniform(t, "KaimingUniform fan_out [64,32,3,3]", draw(KaimingUniform(1, FanOut), 3, 64, 32, 3, 3), math.Sqrt(3.0/576))
	checkNormal(t, "KaimingNormal relu fan_out [64,32,3,3]", draw(KaimingNormal(Gain("relu"), FanOut), 4, 64, 32, 3, 3), math.Sqrt2/math.Sqrt(576))
	checkNormal(t, "KaimingNormal tanh fan_in [200,300]", draw(KaimingNormal(Gain("tanh"), FanIn), 5, 200, 300), 5.0/3/math.Sqrt(300))
	checkUniform(t, "XavierUniform [300,200]", draw(XavierUniform(1), 6, 300, 200), math.Sqrt(6.0/500))
	checkNormal(t, "XavierNormal gain 2 [300,200]", draw(XavierNormal(2), 7, 300, 200), 2*math.Sqrt(2.0/500))
	checkUniform(t, "SirenFirst [256,2]", draw(SirenFirst(), 8, 20000, 2), 0.5)
	checkUniform(t, "Siren(30) [256,256]", draw(Siren(30), 9, 256, 256), math.Sqrt(6.0/256)/30)
	checkUniform(t, "Uniform(-2,2)", draw(Uniform(-2, 2), 10, 100000), 2)
	checkNormal(t, "Normal(0,3)", draw(Normal(0, 3), 11, 100000), 3)
	checkUniform(t, "TorchBias(25)", draw(TorchBias(25), 12, 100000), 0.2)
	for _, v := range draw(Constant(1.5), 0, 3, 3) {
		if v != 1.5 {
			t.Fatal("Constant")
		}
	}
	// A shifted normal: the mean is honoured.
	x := draw(Normal(4, 0.5), 13, 50000)
	for i := range x {
		x[i] -= 4
	}
	checkNormal(t, "Normal(4,0.5)", x, 0.5)
}

func TestInitComplexAndFloat32(t *testing.T) {
	// A complex tensor gets independent real and imaginary parts.
	w := tensor.Zeros(tensor.Complex128, 200, 300)
	Uniform(-1, 1)(w, NewRand(1))
	re, im := make([]float64, w.Numel()), make([]float64, w.Numel())
	var cross float64
	for i, z := range w.Complex128s() {
		re[i], im[i] = real(z), imag(z)
		cross += real(z) * imag(z)
	}
	checkUniform(t, "complex real part", re, 1)
	checkUniform(t, "complex imaginary part", im, 1)
	// E[re·im] = 0 with standard error (1/3)/√n.
	if n := float64(len(re)); math.Abs(cross/n) > 5*(1.0/3)/math.Sqrt(n) {
		t.Errorf("real and imaginary parts correlate: %g", cross/n)
	}
	// float32 parameters take the same draws, rounded.
	f := tensor.Zeros(tensor.Float32, 30, 40)
	TorchDefault()(f, NewRand(3))
	want := draw(TorchDefault(), 3, 30, 40)
	for i, v := range f.Float32s() {
		if v != float32(want[i]) {
			t.Fatalf("float32 draw %d = %g, want %g", i, v, float32(want[i]))
		}
	}
}

func TestLinearDefaultInit(t *testing.T) {
	l := NewLinear(400, 300, WithSeed(1), WithDType(tensor.Float64))
	checkUniform(t, "Linear weight", l.Weight.Float64s(), 1/math.Sqrt(400))
	b := 1 / math.Sqrt(400)
	_, _, m := moments(l.Bias.Float64s())
	if m > b || m < 0.9*b {
		t.Errorf("Linear bias max |b| = %g, bound %g", m, b)
	}
	// A long bias vector checks the distribution too.
	wide := NewLinear(16, 20000, WithSeed(2), WithDType(tensor.Float64))
	checkUniform(t, "Linear bias", wide.Bias.Float64s(), 0.25)
	c := NewChannelLinear(64, 2000, WithSeed(3), WithDType(tensor.Float64))
	checkUniform(t, "ChannelLinear weight", c.Weight.Float64s(), 1.0/8)
	checkUniform(t, "ChannelLinear bias", c.Bias.Float64s(), 1.0/8)
	if !slices.Equal(c.Weight.Shape(), []int{2000, 64, 1}) {
		t.Errorf("ChannelLinear weight shape %v", c.Weight.Shape())
	}
	// Custom initializers replace the defaults.
	s := NewLinear(2, 100, WithSeed(4), WithWeightInit(SirenFirst()), WithBiasInit(Constant(0)), WithDType(tensor.Float64))
	_, _, m = moments(s.Weight.Float64s())
	if m > 0.5 || m < 0.45 {
		t.Errorf("SIREN first-layer weights reach %g, want just under 0.5", m)
	}
	if _, _, mb := moments(s.Bias.Float64s()); mb != 0 {
		t.Error("bias init ignored")
	}
	if NewLinear(3, 3, WithSeed(1), WithBias(false)).Bias != nil {
		t.Error("WithBias(false) kept a bias")
	}
}
