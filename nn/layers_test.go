package nn

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/sciml-go/sciml/tensor"
)

var f64 = WithDType(tensor.Float64)

func TestLinear(t *testing.T) {
	l := NewLinear(3, 4, WithSeed(1), f64)
	x := randT(2, 2, 5, 3)
	y := l.Forward(x)
	if !slices.Equal(y.Shape(), []int{2, 5, 4}) {
		t.Fatalf("shape %v", y.Shape())
	}
	w, b, xs := l.Weight.Float64s(), l.Bias.Float64s(), x.Float64s()
	want := make([]float64, 0, 40)
	for r := range 10 {
		for o := range 4 {
			s := b[o]
			for i := range 3 {
				s += w[o*3+i] * xs[r*3+i]
			}
			want = append(want, s)
		}
	}
	closeTo(t, "Linear", y.Float64s(), want, 1e-14)
	// A single vector.
	closeTo(t, "Linear 1-D", l.Forward(tensor.Reshape(x, 10, 3)).Float64s()[4:8], l.Forward(tensor.FromFloat64s(tensor.Float64, xs[3:6], 3)).Float64s(), 1e-15)
	gradCheck(t, "Linear", func(xs []*tensor.Tensor) *tensor.Tensor { return l.Forward(xs[0]) }, x, l.Weight, l.Bias)
	// Second derivatives through Linear and tanh (the PINN path).
	// (GradGradCheck differentiates with respect to copies of its inputs,
	// so f must read the parameters from xs.)
	gradGradCheck(t, "Linear∘tanh", func(xs []*tensor.Tensor) *tensor.Tensor {
		c := *l
		c.Weight, c.Bias = xs[1], xs[2]
		return tensor.Tanh(c.Forward(xs[0]))
	}, randT(3, 4, 3), l.Weight.Clone(), l.Bias.Clone())
	mustPanic(t, "wrong width", func() { l.Forward(randT(1, 2, 4)) })
	mustPanic(t, "wrong dtype", func() { l.Forward(tensor.Zeros(tensor.Float32, 2, 3)) })
}

func TestChannelLinear(t *testing.T) {
	l := NewChannelLinear(3, 2, WithSeed(1), f64)
	x := randT(2, 2, 3, 4, 5) // [B, C, H, W]
	y := l.Forward(x)
	if !slices.Equal(y.Shape(), []int{2, 2, 4, 5}) {
		t.Fatalf("shape %v", y.Shape())
	}
	want := make([]float64, 2*2*20)
	for b := range 2 {
		for o := range 2 {
			for s := range 20 {
				v := l.Bias.At(o)
				for i := range 3 {
					v += l.Weight.At(o, i, 0) * x.Float64s()[(b*3+i)*20+s]
				}
				want[(b*2+o)*20+s] = v
			}
		}
	}
	closeTo(t, "ChannelLinear", y.Float64s(), want, 1e-14)
	gradCheck(t, "ChannelLinear", func(xs []*tensor.Tensor) *tensor.Tensor { return l.Forward(xs[0]) }, randT(3, 2, 3, 4), l.Weight, l.Bias)
	// ForwardAdd is r + Forward(x).
	r := randT(4, 2, 2, 4, 5)
	z := l.ForwardAdd(x, r)
	for i := range want {
		want[i] += r.Float64s()[i]
	}
	closeTo(t, "ChannelLinear.ForwardAdd", z.Float64s(), want, 1e-14)
	gradCheck(t, "ChannelLinear.ForwardAdd", func(xs []*tensor.Tensor) *tensor.Tensor { return l.ForwardAdd(xs[0], xs[1]) }, randT(5, 2, 3, 4), randT(6, 2, 2, 4), l.Weight, l.Bias)
}

func TestChannelMLP(t *testing.T) {
	m := NewChannelMLP(ChannelMLPConfig{In: 3, Out: 1, Hidden: 5, Activation: tensor.Tanh}, WithSeed(2), f64)
	var names []string
	for _, p := range NamedParams(m) {
		names = append(names, p.Name+fmt.Sprint(p.Tensor.Shape()))
	}
	if !slices.Equal(names, []string{"fcs.0.weight[5 3 1]", "fcs.0.bias[5]", "fcs.1.weight[1 5 1]", "fcs.1.bias[1]"}) {
		t.Errorf("ChannelMLP entries %v", names)
	}
	if slices.Equal(m.Layers[0].Weight.Float64s()[:3], m.Layers[1].Weight.Float64s()[:3]) {
		t.Error("ChannelMLP layers drew the same weights")
	}
	x := randT(3, 2, 3, 7)
	closeTo(t, "ChannelMLP", m.Forward(x).Float64s(), m.Layers[1].Forward(tensor.Tanh(m.Layers[0].Forward(x))).Float64s(), 0)
}

// normRef normalises groups of x: element i belongs to group key(i).
func normRef(x []float64, eps float64, key func(i int) int, groups int) []float64 {
	sum, sq, cnt := make([]float64, groups), make([]float64, groups), make([]float64, groups)
	for i, v := range x {
		sum[key(i)] += v
		cnt[key(i)]++
	}
	for i, v := range x {
		d := v - sum[key(i)]/cnt[key(i)]
		sq[key(i)] += d * d
	}
	out := make([]float64, len(x))
	for i, v := range x {
		g := key(i)
		out[i] = (v - sum[g]/cnt[g]) / math.Sqrt(sq[g]/cnt[g]+eps)
	}
	return out
}

func TestLayerNorm(t *testing.T) {
	l := NewLayerNorm(6, f64)
	Normal(1, 0.3)(l.Weight, rng(1))
	Normal(0, 0.3)(l.Bias, rng(2))
	x := randT(3, 4, 6)
	ref := normRef(x.Float64s(), 1e-5, func(i int) int { return i / 6 }, 4)
	for i := range ref {
		ref[i] = ref[i]*l.Weight.Float64s()[i%6] + l.Bias.Float64s()[i%6]
	}
	closeTo(t, "LayerNorm", l.Forward(x).Float64s(), ref, 1e-13)
	gradCheck(t, "LayerNorm", func(xs []*tensor.Tensor) *tensor.Tensor { return l.Forward(xs[0]) }, x, l.Weight, l.Bias)
	gradGradCheck(t, "LayerNorm", func(xs []*tensor.Tensor) *tensor.Tensor {
		c := *l
		c.Weight = xs[1]
		return c.Forward(xs[0])
	}, randT(4, 2, 6), l.Weight.Clone())

	// Two trailing axes, no affine.
	l2 := NewLayerNormShape([]int{3, 4}, f64, WithAffine(false), WithEps(1e-3))
	x2 := randT(5, 2, 3, 4)
	closeTo(t, "LayerNorm [3,4]", l2.Forward(x2).Float64s(), normRef(x2.Float64s(), 1e-3, func(i int) int { return i / 12 }, 2), 1e-13)
	if len(NamedParams(l2)) != 0 {
		t.Error("LayerNorm without affine has parameters")
	}
	if NewLayerNorm(3, WithBias(false)).Bias != nil {
		t.Error("LayerNorm WithBias(false) has a bias")
	}
}

func TestBatchNorm(t *testing.T) {
	const c, eps, mom = 3, 1e-5, 0.1
	l := NewBatchNorm(c, f64)
	Normal(1, 0.3)(l.Weight, rng(1))
	Normal(0, 0.3)(l.Bias, rng(2))
	w, b := l.Weight.Float64s(), l.Bias.Float64s()
	// [B=4, C=3, H=2, W=5]: channel of element i is (i/10)%3.
	ch := func(i int) int { return (i / 10) % c }
	var rm, rv [c]float64
	for k := range rv {
		rv[k] = 1
	}
	for step := range 2 {
		x := tensor.AddScalar(tensor.Scale(randT(uint64(10+step), 4, c, 2, 5), 2), 0.5)
		xs := x.Float64s()
		ref := normRef(xs, eps, ch, c)
		for i := range ref {
			ref[i] = ref[i]*w[ch(i)] + b[ch(i)]
		}
		closeTo(t, "BatchNorm training", l.Forward(x).Float64s(), ref, 1e-13)
		// Running statistics: momentum 0.1, unbiased variance.
		for k := range c {
			var s, s2, n float64
			for i, v := range xs {
				if ch(i) == k {
					s += v
					n++
				}
			}
			mean := s / n
			for i, v := range xs {
				if ch(i) == k {
					s2 += (v - mean) * (v - mean)
				}
			}
			rm[k] = (1-mom)*rm[k] + mom*mean
			rv[k] = (1-mom)*rv[k] + mom*s2/(n-1)
		}
		closeTo(t, "running_mean", l.RunningMean.Float64s(), rm[:], 1e-14)
		closeTo(t, "running_var", l.RunningVar.Float64s(), rv[:], 1e-14)
	}
	if l.NumBatchesTracked.Item() != 2 {
		t.Errorf("num_batches_tracked = %g", l.NumBatchesTracked.Item())
	}
	// Evaluation: the running statistics, and no update.
	SetTraining(l, false)
	saved := l.RunningMean.Clone()
	x := randT(20, 2, c, 3)
	ref := make([]float64, x.Numel())
	for i, v := range x.Float64s() {
		k := (i / 3) % c
		ref[i] = (v-rm[k])/math.Sqrt(rv[k]+eps)*w[k] + b[k]
	}
	closeTo(t, "BatchNorm eval", l.Forward(x).Float64s(), ref, 1e-13)
	closeTo(t, "running_mean after eval", l.RunningMean.Float64s(), saved.Float64s(), 0)
	gradCheck(t, "BatchNorm eval", func(xs []*tensor.Tensor) *tensor.Tensor { return l.Forward(xs[0]) }, x, l.Weight, l.Bias)
	SetTraining(l, true)
	gradCheck(t, "BatchNorm training", func(xs []*tensor.Tensor) *tensor.Tensor { return l.Forward(xs[0]) }, randT(21, 3, c, 4), l.Weight, l.Bias)
	gradCheck(t, "BatchNorm training 1-D", func(xs []*tensor.Tensor) *tensor.Tensor { return l.Forward(xs[0]) }, randT(22, 5, c))
	mustPanic(t, "one value per channel", func() { l.Forward(randT(1, 1, c)) })

	// float32 layer, momentum option.
	l32 := NewBatchNorm(2, WithMomentum(0.5))
	l32.Forward(tensor.FromFloat64s(tensor.Float32, []float64{1, 3, 3, 5}, 2, 2))
	closeTo(t, "float32 running_mean", l32.RunningMean.ToFloat64s(), []float64{1, 2}, 1e-7)
	closeTo(t, "float32 running_var", l32.RunningVar.ToFloat64s(), []float64{1.5, 1.5}, 1e-7)
}

func TestInstanceNorm(t *testing.T) {
	l := NewInstanceNorm(2, f64)
	if l.Weight != nil {
		t.Error("InstanceNorm is affine by default")
	}
	x := randT(1, 3, 2, 4, 3)
	closeTo(t, "InstanceNorm", l.Forward(x).Float64s(), normRef(x.Float64s(), 1e-5, func(i int) int { return i / 12 }, 6), 1e-13)
	la := NewInstanceNorm(2, f64, WithAffine(true))
	Normal(1, 0.3)(la.Weight, rng(2))
	gradCheck(t, "InstanceNorm affine", func(xs []*tensor.Tensor) *tensor.Tensor { return la.Forward(xs[0]) }, randT(3, 2, 2, 5), la.Weight, la.Bias)
}

func TestDropout(t *testing.T) {
	d := NewDropout(0.3, WithSeed(1))
	x := tensor.Full(tensor.Float64, 2, 200, 500)
	y := d.Forward(x).Float64s()
	zeros := 0
	for _, v := range y {
		switch v {
		case 0:
			zeros++
		case 2 / 0.7:
		default:
			t.Fatalf("dropout output %g, want 0 or %g", v, 2/0.7)
		}
	}
	n := float64(len(y))
	if frac := float64(zeros) / n; math.Abs(frac-0.3) > 5*math.Sqrt(0.3*0.7/n) {
		t.Errorf("dropped fraction %g, want 0.3", frac)
	}
	// Same seed, same mask; a second call draws a new one.
	d2 := NewDropout(0.3, WithSeed(1))
	if !slices.Equal(d2.Forward(x).Float64s(), y) {
		t.Error("same seed, different mask")
	}
	if slices.Equal(d2.Forward(x).Float64s(), y) {
		t.Error("second call repeated the mask")
	}
	// The gradient is the mask.
	xg := randT(2, 4, 5).SetRequiresGrad(true)
	out := d.Forward(xg)
	tensor.Sum(out).Backward()
	for i, g := range xg.Grad().Float64s() {
		if want := out.Float64s()[i] / xg.Float64s()[i]; math.Abs(g-want) > 1e-12 {
			t.Fatalf("gradient %g, want %g", g, want)
		}
	}
	SetTraining(d, false)
	if d.Forward(x) != x {
		t.Error("evaluation mode is not the identity")
	}
	f32 := NewDropout(1, WithSeed(2)).Forward(tensor.Full(tensor.Float32, 1, 10))
	for _, v := range f32.Float32s() {
		if v != 0 {
			t.Fatal("p = 1 kept an element")
		}
	}
}
