package nn

import (
	"math"
	"slices"
	"testing"

	"github.com/sciml-go/sciml/tensor"
)

// The references are torch 1.13 in float64 with parameters and inputs
// sin(a·(i+1)) / cos(…) over the row-major index i.

func TestConv2dAgainstPyTorch(t *testing.T) {
	// Conv2d(2, 3, 3, stride=2, padding=1, padding_mode='circular') on 5×6.
	l := NewConv2d(2, 3, 3, WithStride(2), WithPadding(1), WithPadMode(tensor.PadPeriodic), WithSeed(1), f64)
	l.Weight.CopyFrom(seq(func(i float64) float64 { return math.Sin(0.7 * i) }, 3, 2, 3, 3))
	l.Bias.CopyFrom(seq(func(i float64) float64 { return math.Sin(1.3 * i) }, 3))
	x := seq(func(i float64) float64 { return math.Cos(0.3 * i) }, 1, 2, 5, 6)
	y := l.Forward(x)
	if !slices.Equal(y.Shape(), []int{1, 3, 3, 3}) {
		t.Fatalf("shape %v", y.Shape())
	}
	want := []float64{0.30556331316396856, 0.8389458945648126, 0.7563827832931367, 0.16301424176902302, -0.3364722389638445, 0.7168116415817426, 2.05538068421024, 1.7924005977904964, 1.3012940534245825, -0.14761691067232396, 0.3906635857149052, 0.3334405833243485, -0.29013797904756267, -0.8202077486960485, 0.2145786096682472, 1.6149467562689304, 1.363689296523824, 0.8572879094621807, -1.355257978535388, -0.8126882703561442, -0.8445064544351231, -1.4975898769339706, -2.0576435172315906, -1.042524847469355, 0.4180588261954783, 0.17880812234644483, -0.34231545403781316}
	closeTo(t, "Conv2d vs PyTorch", y.Float64s(), want, 1e-12)
	gradCheck(t, "Conv2d", func(xs []*tensor.Tensor) *tensor.Tensor { return l.Forward(xs[0]) }, randT(1, 2, 2, 4, 5), l.Weight, l.Bias)
}

func TestConvTranspose2dAgainstPyTorch(t *testing.T) {
	// ConvTranspose2d(2, 3, 4, stride=2, padding=1) on 2×3: the grid doubles.
	l := NewConvTranspose2d(2, 3, 4, WithStride(2), WithPadding(1), WithSeed(1), f64)
	if !slices.Equal(l.Weight.Shape(), []int{2, 3, 4, 4}) {
		t.Fatalf("weight shape %v, want PyTorch's [Ci, Co, k, k]", l.Weight.Shape())
	}
	l.Weight.CopyFrom(seq(func(i float64) float64 { return math.Sin(0.45 * i) }, 2, 3, 4, 4))
	l.Bias.CopyFrom(seq(func(i float64) float64 { return math.Sin(2.1 * i) }, 3))
	x := seq(func(i float64) float64 { return math.Cos(0.5*i + 1) }, 1, 2, 2, 3)
	y := l.Forward(x)
	if !slices.Equal(y.Shape(), []int{1, 3, 4, 6}) {
		t.Fatalf("shape %v", y.Shape())
	}
	want := []float64{1.0493832416689584, 0.345571967362323, 0.43003953406794176, -0.5420494989867558, 0.19977585259160868, 0.6052815957227893, -0.6227517707033657, -1.1620992996909014, -1.8737385197205976, 0.4884015096407047, 0.06761952532008508, 1.087307770598736, -0.3460955922097094, -0.7213512211913206, 0.501792811030777, -0.07726630157812908, 0.2792058818869134, 0.17302771592571642, 2.62149673166566, 3.9956029189035704, 4.265995596380222, 3.6266724871239715, 3.780523666891035, 2.2435211420965393, -0.9216420437210922, -1.1263852299462336, -0.9022841653560008, -0.6281482904739606, 0.1989222308936589, 0.12908511510712994, -3.036272192501985, -3.7700799542556584, -3.33793781959435, -1.9354624455499239, -1.9788417759240975, -1.2562352368198355, -0.1723055249817903, 0.10844991471975274, 1.2060399395783765, -0.9641102241220392, -0.47032670021620127, -1.3462869113375358, 0.7962198460186036, 2.096399439192996, 1.0737710664348528, 1.5922939467320574, 0.6539704663231369, -0.06246315410758363, -0.23027573846303165, 0.22442396288042987, 0.4126207506379037, 1.718251623382478, 1.9827251495738523, 1.4922484040589186, -1.1310167876114945, -1.484495091577595, -0.24706740017593432, -0.9028119547391553, -0.5348097157318465, -0.6753006851031411, 2.0769228078197943, 2.7937743184104327, 2.9060709550688046, 0.8447026580386379, 1.0890181862985688, 0.1294132604325362, 0.2877378491562823, 0.4955635911896744, -1.019063715977763, 0.2511475449661903, -1.0443642803273592, -0.37904842506113284}
	closeTo(t, "ConvTranspose2d vs PyTorch", y.Float64s(), want, 1e-12)
	gradCheck(t, "ConvTranspose2d", func(xs []*tensor.Tensor) *tensor.Tensor { return l.Forward(xs[0]) }, randT(2, 2, 2, 2, 3), l.Weight, l.Bias)
}

func TestConv1dAgainstPyTorch(t *testing.T) {
	// Conv1d(2, 2, 3, padding=1).
	l := NewConv1d(2, 2, 3, WithPadding(1), WithSeed(1), f64)
	l.Weight.CopyFrom(seq(func(i float64) float64 { return math.Sin(0.9 * i) }, 2, 2, 3))
	l.Bias.CopyFrom(seq(func(i float64) float64 { return math.Sin(0.2 * i) }, 2))
	x := seq(func(i float64) float64 { return math.Sin(0.4 * i) }, 1, 2, 4)
	want := []float64{-0.5263525581325248, 0.2791062310194869, 1.5141975561968475, 1.8110163914559925, 0.3156210127346885, 1.6063712876563463, 2.293048691702877, 1.3631820759362765}
	closeTo(t, "Conv1d vs PyTorch", l.Forward(x).Float64s(), want, 1e-12)
	gradCheck(t, "Conv1d", func(xs []*tensor.Tensor) *tensor.Tensor { return l.Forward(xs[0]) }, randT(3, 2, 2, 5), l.Weight, l.Bias)
	lt := NewConvTranspose1d(2, 3, 4, WithStride(2), WithPadding(1), WithSeed(2), f64)
	if y := lt.Forward(randT(4, 2, 2, 5)); !slices.Equal(y.Shape(), []int{2, 3, 10}) {
		t.Errorf("ConvTranspose1d shape %v", y.Shape())
	}
	gradCheck(t, "ConvTranspose1d", func(xs []*tensor.Tensor) *tensor.Tensor { return lt.Forward(xs[0]) }, randT(5, 1, 2, 3), lt.Weight, lt.Bias)
}

func TestConvShapesAndInit(t *testing.T) {
	// MgNO's blocks: a 3×3 smoother keeps the grid, a stride-2 restriction
	// halves it, a 4×4 stride-2 transposed convolution doubles it back.
	r := NewRand(1)
	smooth := NewConv2d(24, 24, 3, WithPadding(1), WithRand(r), WithBias(false))
	restrict := NewConv2d(24, 24, 3, WithStride(2), WithPadding(1), WithRand(r), WithBias(false))
	prolong := NewConvTranspose2d(24, 24, 4, WithStride(2), WithPadding(1), WithRand(r), WithBias(false))
	x := tensor.RandN(rng(1), tensor.Float32, 2, 24, 16, 16)
	if s := smooth.Forward(x).Shape(); !slices.Equal(s, []int{2, 24, 16, 16}) {
		t.Errorf("3×3 smoother: %v", s)
	}
	c := restrict.Forward(x)
	if !slices.Equal(c.Shape(), []int{2, 24, 8, 8}) {
		t.Errorf("restriction: %v", c.Shape())
	}
	if s := prolong.Forward(c).Shape(); !slices.Equal(s, []int{2, 24, 16, 16}) {
		t.Errorf("prolongation: %v", s)
	}
	if smooth.Bias != nil || CountParams(smooth) != 24*24*9 {
		t.Errorf("smoother has %d parameters", CountParams(smooth))
	}
	// PyTorch's default bounds: 1/√fanIn with fanIn = Ci·k² for Conv and
	// Co·k² for ConvTranspose.
	cv := NewConv2d(32, 64, 3, WithSeed(2), f64)
	checkUniform(t, "Conv2d weight", cv.Weight.Float64s(), 1/math.Sqrt(32*9))
	_, _, m := moments(cv.Bias.Float64s())
	if m > 1/math.Sqrt(32*9) || m < 0.8/math.Sqrt(32*9) {
		t.Errorf("Conv2d bias reaches %g, bound %g", m, 1/math.Sqrt(32*9))
	}
	ct := NewConvTranspose2d(64, 16, 4, WithSeed(3), f64)
	checkUniform(t, "ConvTranspose2d weight", ct.Weight.Float64s(), 1.0/16)
	if !slices.Equal(ct.Bias.Shape(), []int{16}) {
		t.Errorf("ConvTranspose2d bias shape %v", ct.Bias.Shape())
	}
	var names []string
	for _, p := range NamedParams(Sequential{cv, ct}) {
		names = append(names, p.Name)
	}
	if !slices.Equal(names, []string{"0.weight", "0.bias", "1.weight", "1.bias"}) {
		t.Errorf("names %v", names)
	}
	mustPanic(t, "periodic transposed convolution", func() {
		NewConvTranspose2d(1, 1, 4, WithPadMode(tensor.PadPeriodic), WithSeed(1))
	})
}
