package nn

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/sciml-go/sciml/tensor"
)

// spectral is a stand-in for a Fourier layer: one complex weight.
type spectral struct{ W *tensor.Tensor }

func (s *spectral) Visit(v *Visitor) { v.Param("weight", s.W) }

type block struct {
	Spectral *spectral
	Skip     *ChannelLinear
	Norm     *BatchNorm
}

func (b *block) Visit(v *Visitor) {
	v.Module("spectral", b.Spectral)
	v.Module("skip", b.Skip)
	v.Module("norm", b.Norm)
}

type model struct {
	Lift   *Linear
	Layers []*block
	Drop   *Dropout
	Proj   *Linear
	Extra  *Linear // nil: skipped
}

func (m *model) Visit(v *Visitor) {
	v.Module("lift", m.Lift)
	VisitList(v, "layers", m.Layers)
	v.Module("drop", m.Drop)
	v.Module("proj", m.Proj)
	v.Module("extra", m.Extra)
}

func newModel(r *rand.Rand, d tensor.DType) *model {
	m := &model{
		Lift: NewLinear(3, 4, WithRand(r), WithDType(d)),
		Drop: NewDropout(0.5, WithRand(r)),
		Proj: NewLinear(4, 1, WithRand(r), WithDType(d)),
	}
	for range 2 {
		w := tensor.RandN(r, d.Complex(), 4, 4, 3).SetRequiresGrad(true)
		m.Layers = append(m.Layers, &block{
			Spectral: &spectral{W: w},
			Skip:     NewChannelLinear(4, 4, WithRand(r), WithDType(d)),
			Norm:     NewBatchNorm(4, WithDType(d)),
		})
	}
	return m
}

func TestNamesAndCounts(t *testing.T) {
	m := newModel(NewRand(1), tensor.Float32)
	var names []string
	for _, p := range NamedParams(m) {
		names = append(names, p.Name)
	}
	want := []string{"lift.weight", "lift.bias"}
	for i := range 2 {
		for _, s := range []string{"spectral.weight", "skip.weight", "skip.bias", "norm.weight", "norm.bias"} {
			want = append(want, "layers."+string(rune('0'+i))+"."+s)
		}
	}
	want = append(want, "proj.weight", "proj.bias")
	if !slices.Equal(names, want) {
		t.Fatalf("names\n%v\nwant\n%v", names, want)
	}
	var bufs []string
	for _, b := range NamedBuffers(m) {
		bufs = append(bufs, b.Name)
	}
	wantBufs := []string{
		"layers.0.norm.running_mean", "layers.0.norm.running_var", "layers.0.norm.num_batches_tracked",
		"layers.1.norm.running_mean", "layers.1.norm.running_var", "layers.1.norm.num_batches_tracked",
	}
	if !slices.Equal(bufs, wantBufs) {
		t.Fatalf("buffers %v, want %v", bufs, wantBufs)
	}
	// lift 3·4+4, per layer 2·(4·4·3) complex + (16+4) + (4+4), proj 4+1.
	if got, want := CountParams(m), 16+2*(96+20+8)+5; got != want {
		t.Errorf("CountParams = %d, want %d", got, want)
	}
	if got := len(Params(m)); got != len(want) {
		t.Errorf("Params: %d tensors, want %d", got, len(want))
	}
	mods := Modules(m)
	if len(mods) != 1+2*4+2 || mods[1].Name != "layers.0" || mods[2].Name != "layers.0.spectral" {
		var ns []string
		for _, x := range mods {
			ns = append(ns, x.Name)
		}
		t.Errorf("Modules = %v", ns)
	}
}

func TestFreeze(t *testing.T) {
	m := newModel(NewRand(2), tensor.Float32)
	total := CountParams(m)
	if err := Freeze(m, "layers.1"); err != nil {
		t.Fatal(err)
	}
	if got, want := CountTrainable(m), total-124; got != want {
		t.Errorf("CountTrainable after Freeze(layers.1) = %d, want %d", got, want)
	}
	if m.Layers[1].Skip.Weight.RequiresGrad() || !m.Layers[0].Skip.Weight.RequiresGrad() {
		t.Error("Freeze(layers.1) froze the wrong tensors")
	}
	if len(TrainableParams(m)) != len(Params(m))-5 {
		t.Errorf("TrainableParams: %d of %d", len(TrainableParams(m)), len(Params(m)))
	}
	// "layers.1" must not match "layers.10…"; an unknown prefix is an error.
	if err := Freeze(m, "layers.1.sk"); err == nil {
		t.Error("Freeze of a partial name component matched")
	}
	if err := Unfreeze(m, ""); err != nil || CountTrainable(m) != total {
		t.Errorf("Unfreeze all: %v, %d trainable of %d", err, CountTrainable(m), total)
	}
	if err := Freeze(m, ""); err != nil || CountTrainable(m) != 0 {
		t.Errorf("Freeze all: %v, %d trainable", err, CountTrainable(m))
	}
	// A frozen parameter receives no gradient.
	_ = Unfreeze(m, "proj")
	tensor.Sum(m.Proj.Forward(m.Lift.Forward(tensor.RandN(rng(3), tensor.Float32, 2, 3)))).Backward()
	if m.Lift.Weight.Grad() != nil || m.Proj.Weight.Grad() == nil {
		t.Error("gradients reached a frozen parameter or missed a trainable one")
	}
}

func TestStateDictRoundTrip(t *testing.T) {
	a := newModel(NewRand(4), tensor.Float32)
	a.Layers[0].Norm.RunningMean.Fill(0.25)
	sd := StateDict(a)
	if len(sd) != len(NamedParams(a))+len(NamedBuffers(a)) {
		t.Fatalf("state dict has %d entries", len(sd))
	}
	b := newModel(NewRand(5), tensor.Float32)
	if err := LoadStateDict(b, sd); err != nil {
		t.Fatal(err)
	}
	for name, v := range StateDict(b) {
		if !slices.Equal(v.ToFloat64s(), sd[name].ToFloat64s()) {
			t.Fatalf("%s differs after loading", name)
		}
	}
	for _, c := range [][2]*tensor.Tensor{{a.Layers[1].Spectral.W, b.Layers[1].Spectral.W}} {
		if !slices.Equal(c[0].Complex64s(), c[1].Complex64s()) {
			t.Fatal("complex weight not loaded")
		}
	}
	// float32 → float64 converts (complex64 → complex128 too).
	c := newModel(NewRand(6), tensor.Float64)
	if err := LoadStateDict(c, sd); err != nil {
		t.Fatal(err)
	}
	if got, want := c.Lift.Weight.At(1, 2), a.Lift.Weight.At(1, 2); got != want {
		t.Errorf("converted weight %g, want %g", got, want)
	}
	if got, want := imag(c.Layers[0].Spectral.W.Complex128s()[5]), float64(imag(a.Layers[0].Spectral.W.Complex64s()[5])); got != want {
		t.Errorf("converted complex weight %g, want %g", got, want)
	}
	if c.Layers[0].Norm.RunningMean.At(2) != 0.25 {
		t.Error("buffer not loaded")
	}
}

func TestLoadStateDictErrors(t *testing.T) {
	m := newModel(NewRand(7), tensor.Float32)
	sd := StateDict(m)
	before := m.Lift.Weight.Clone()
	delete(sd, "proj.bias")
	sd["proj.scale"] = tensor.Zeros(tensor.Float32, 1)
	sd["lift.weight"] = tensor.Zeros(tensor.Float32, 3, 4)
	sd["layers.0.spectral.weight"] = tensor.Zeros(tensor.Float32, 4, 4, 3)
	err := LoadStateDict(m, sd)
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	for _, s := range []string{
		`missing key "proj.bias"`,
		`unexpected key "proj.scale"`,
		`"lift.weight": shape [3 4] in the state dict, [4 3] in the model`,
		`"layers.0.spectral.weight": dtype float32 in the state dict, complex64 in the model`,
	} {
		if !strings.Contains(msg, s) {
			t.Errorf("error %q does not mention %q", msg, s)
		}
	}
	if !slices.Equal(before.Float32s(), m.Lift.Weight.Float32s()) {
		t.Error("a failed load changed the model")
	}
}

func TestSetTraining(t *testing.T) {
	m := newModel(NewRand(8), tensor.Float32)
	SetTraining(m, false)
	if m.Drop.Training || m.Layers[1].Norm.Training {
		t.Error("SetTraining(false) missed a module")
	}
	SetTraining(m, true)
	if !m.Drop.Training || !m.Layers[0].Norm.Training {
		t.Error("SetTraining(true) missed a module")
	}
}

type tied struct{ A, B *Linear }

func (m *tied) Visit(v *Visitor) { v.Module("a", m.A); v.Module("b", m.B) }

type dup struct{ W *tensor.Tensor }

func (m *dup) Visit(v *Visitor) { v.Param("w", m.W); v.Param("w", m.W) }

func TestTiedAndDuplicate(t *testing.T) {
	a := NewLinear(2, 2, WithSeed(1))
	b := &Linear{In: 2, Out: 2, Weight: a.Weight} // tied weight, no bias
	m := &tied{a, b}
	if got := len(NamedParams(m)); got != 2 {
		t.Errorf("tied weights listed %d times", got)
	}
	if CountParams(m) != 6 {
		t.Errorf("CountParams with tied weight = %d, want 6", CountParams(m))
	}
	if len(StateDict(m)) != 3 {
		t.Errorf("state dict of tied model has %d entries, want 3", len(StateDict(m)))
	}
	mustPanic(t, "duplicate names", func() { NamedParams(&dup{tensor.Zeros(tensor.Float32, 1)}) })
}

func TestSequential(t *testing.T) {
	r := NewRand(9)
	s := Sequential{NewLinear(2, 3, WithRand(r), WithDType(tensor.Float64)), Func(tensor.Tanh), NewLinear(3, 1, WithRand(r), WithDType(tensor.Float64))}
	var names []string
	for _, p := range NamedParams(s) {
		names = append(names, p.Name)
	}
	if !slices.Equal(names, []string{"0.weight", "0.bias", "2.weight", "2.bias"}) {
		t.Errorf("Sequential names %v", names)
	}
	x := randT(10, 5, 2)
	l0, l2 := s[0].(*Linear), s[2].(*Linear)
	want := l2.Forward(tensor.Tanh(l0.Forward(x))).Float64s()
	closeTo(t, "Sequential", s.Forward(x).Float64s(), want, 0)
}

func TestRandomSourceRequired(t *testing.T) {
	mustPanic(t, "NewLinear without source", func() { NewLinear(2, 2) })
	mustPanic(t, "NewDropout without source", func() { NewDropout(0.1) })
	// Same seed, same weights; layers sharing a source differ.
	a, b := NewLinear(3, 3, WithSeed(5)), NewLinear(3, 3, WithSeed(5))
	if !slices.Equal(a.Weight.Float32s(), b.Weight.Float32s()) {
		t.Error("same seed gave different weights")
	}
	r := NewRand(5)
	c, d := NewLinear(3, 3, WithRand(r)), NewLinear(3, 3, WithRand(r))
	if slices.Equal(c.Weight.Float32s(), d.Weight.Float32s()) {
		t.Error("layers sharing a source got the same weights")
	}
}
