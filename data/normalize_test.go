package data

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/sciml-go/sciml/tensor"
)

// batchesOf yields x split into batches of size b along axis 0.
func batchesOf(x *tensor.Tensor, b int) func(func(*tensor.Tensor, error) bool) {
	return func(yield func(*tensor.Tensor, error) bool) {
		n := x.Dim(0)
		for s := 0; s < n; s += b {
			if !yield(tensor.Narrow(x, 0, s, min(b, n-s)), nil) {
				return
			}
		}
	}
}

func randBatch(seed uint64, shape ...int) *tensor.Tensor {
	r := rand.New(rand.NewPCG(seed, 1))
	x := tensor.RandN(r, tensor.Float64, shape...)
	v := x.Float64s()
	C := shape[1]
	per := x.Numel() / (shape[0] * C)
	for i := range v {
		c := (i / per) % C
		v[i] = v[i]*float64(c+1) + 3*float64(c) // channel c: mean 3c, std c+1
	}
	return x
}

// Statistics of the fitted normalizers equal the direct two-pass ones,
// whatever the batching.
func TestFitNormalizers(t *testing.T) {
	x := randBatch(1, 37, 3, 8, 8)
	v := x.Float64s()
	per := 64
	for _, bs := range []int{1, 5, 37} {
		g, err := FitGaussian(batchesOf(x, bs), true)
		must(t, err)
		for c := 0; c < 3; c++ {
			var vals []float64
			for b := 0; b < 37; b++ {
				vals = append(vals, v[(b*3+c)*per:(b*3+c+1)*per]...)
			}
			mu, sd := meanStd(vals)
			if math.Abs(g.Mean.Float64s()[c]-mu) > 1e-12 || math.Abs(g.Std.Float64s()[c]-sd) > 1e-12 {
				t.Errorf("batch %d channel %d: %v %v, want %v %v", bs, c, g.Mean.Float64s()[c], g.Std.Float64s()[c], mu, sd)
			}
		}
		shared, err := FitGaussian(batchesOf(x, bs), false)
		must(t, err)
		mu, sd := meanStd(v)
		if shared.Mean.Numel() != 1 || math.Abs(shared.Mean.Float64s()[0]-mu) > 1e-12 || math.Abs(shared.Std.Float64s()[0]-sd) > 1e-12 {
			t.Errorf("shared: %v %v, want %v %v", shared.Mean, shared.Std, mu, sd)
		}
		p, err := FitPointwise(batchesOf(x, bs))
		must(t, err)
		if !slices.Equal(p.Mean.Shape(), []int{3, 8, 8}) {
			t.Fatalf("pointwise shape %v", p.Mean.Shape())
		}
		for _, k := range []int{0, 77, 191} {
			var vals []float64
			for b := 0; b < 37; b++ {
				vals = append(vals, v[b*192+k])
			}
			mu, sd := meanStd(vals)
			if math.Abs(p.Mean.Float64s()[k]-mu) > 1e-12 || math.Abs(p.Std.Float64s()[k]-sd) > 1e-12 {
				t.Errorf("pointwise %d: %v %v, want %v %v", k, p.Mean.Float64s()[k], p.Std.Float64s()[k], mu, sd)
			}
		}
	}
}

func meanStd(v []float64) (float64, float64) {
	s := 0.0
	for _, x := range v {
		s += x
	}
	mu := s / float64(len(v))
	q := 0.0
	for _, x := range v {
		q += (x - mu) * (x - mu)
	}
	return mu, math.Sqrt(q / float64(len(v)-1))
}

// Encode normalizes, Decode inverts it, states round-trip, and the
// Gaussian applies at any resolution.
func TestNormalizerRoundTrip(t *testing.T) {
	x := randBatch(2, 20, 2, 16)
	g, err := FitGaussian(batchesOf(x, 7), true)
	must(t, err)
	p, err := FitPointwise(batchesOf(x, 7))
	must(t, err)
	for _, n := range []Normalizer{g, p} {
		for _, dt := range []tensor.DType{tensor.Float64, tensor.Float32} {
			xd := tensor.FromFloat64s(dt, x.Float64s(), x.Shape()...)
			e := n.Encode(xd)
			if e.DType() != dt {
				t.Fatalf("%T: encode changed dtype to %v", n, e.DType())
			}
			ev := e.ToFloat64s()
			// Encoded channel 1 (Gaussian), or its point 5 (Pointwise), has
			// mean ≈ 0 and std ≈ 1.
			var ch []float64
			for b := 0; b < 20; b++ {
				if _, ok := n.(*Pointwise); ok {
					ch = append(ch, ev[(b*2+1)*16+5])
				} else {
					ch = append(ch, ev[(b*2+1)*16:(b*2+2)*16]...)
				}
			}
			if mu, sd := meanStd(ch); math.Abs(mu) > 1e-5 || math.Abs(sd-1) > 1e-4 {
				t.Errorf("%T %v: encoded mean %v std %v", n, dt, mu, sd)
			}
			back := n.Decode(e).ToFloat64s()
			tol := 1e-12
			if dt == tensor.Float32 {
				tol = 1e-5
			}
			for i, v := range x.Float64s() {
				if math.Abs(back[i]-v) > tol*(1+math.Abs(v)) {
					t.Fatalf("%T %v: decode(encode(x))[%d] = %v, want %v", n, dt, i, back[i], v)
				}
			}
		}
		re, err := LoadNormalizer(n.State())
		must(t, err)
		a, b := n.Encode(x).Float64s(), re.Encode(x).Float64s()
		if !slices.Equal(a, b) {
			t.Errorf("%T: reloaded normalizer encodes differently", n)
		}
	}
	if _, ok := mustLoad(t, g.State()).(*Gaussian); !ok {
		t.Error("Gaussian state loads as another normalizer")
	}
	if _, ok := mustLoad(t, p.State()).(*Pointwise); !ok {
		t.Error("Pointwise state loads as another normalizer")
	}
	// Resolution independence of the Gaussian; the per-point one refuses.
	coarse := tensor.Narrow(x, 2, 0, 8)
	_ = g.Encode(coarse)
	func() {
		defer func() {
			if r := recover(); r == nil || !strings.Contains(r.(string), "resolution") {
				t.Errorf("pointwise normalizer at another resolution: %v", r)
			}
		}()
		p.Encode(coarse)
	}()
	if err := (&Gaussian{}).LoadState(map[string]*tensor.Tensor{"mean": g.Mean}); err == nil {
		t.Error("state without std accepted")
	}
	if err := (&Gaussian{}).LoadState(p.State()); err == nil {
		t.Error("Gaussian accepted a per-point state")
	}
}

func mustLoad(t *testing.T, s map[string]*tensor.Tensor) Normalizer {
	n, err := LoadNormalizer(s)
	must(t, err)
	return n
}

// Decode is differentiable (it sits inside losses): first and second
// derivatives against finite differences.
func TestDecodeGradient(t *testing.T) {
	x := randBatch(3, 6, 2, 5)
	g, err := FitGaussian(batchesOf(x, 6), true)
	must(t, err)
	p, err := FitPointwise(batchesOf(x, 6))
	must(t, err)
	for _, n := range []Normalizer{g, p} {
		y := randBatch(4, 3, 2, 5).SetRequiresGrad(true)
		f := func(xs []*tensor.Tensor) *tensor.Tensor {
			d := n.Decode(xs[0])
			return tensor.Sum(tensor.Mul(d, d))
		}
		if err := tensor.GradCheck(f, []*tensor.Tensor{y}, tensor.CheckOptions{}); err != nil {
			t.Errorf("%T.Decode: %v", n, err)
		}
		if err := tensor.GradGradCheck(f, []*tensor.Tensor{y}, tensor.CheckOptions{}); err != nil {
			t.Errorf("%T.Decode second derivative: %v", n, err)
		}
		fe := func(xs []*tensor.Tensor) *tensor.Tensor { return tensor.Sum(tensor.Square(n.Encode(xs[0]))) }
		if err := tensor.GradCheck(fe, []*tensor.Tensor{y}, tensor.CheckOptions{}); err != nil {
			t.Errorf("%T.Encode: %v", n, err)
		}
	}
}
