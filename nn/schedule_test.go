package nn

import (
	"math"
	"strings"
	"testing"

	"github.com/sciml-go/sciml/tensor"
)

// TestScheduleValues compares schedules at chosen steps with PyTorch 1.13's
// learning rates (the optimizer's lr before each scheduler.step(); base lr
// 0.1 unless stated), which also follow from the closed forms by hand.
func TestScheduleValues(t *testing.T) {
	cases := []struct {
		name string
		s    Schedule
		want map[int]float64
	}{
		// 0.1·0.5^⌊k/3⌋.
		{"StepLR(3, ½)", StepLR{Base: 0.1, StepSize: 3, Gamma: 0.5},
			map[int]float64{0: 0.1, 2: 0.1, 3: 0.05, 5: 0.05, 6: 0.025, 9: 0.0125}},
		{"StepLR default halving", StepLR{Base: 0.1, StepSize: 3},
			map[int]float64{2: 0.1, 3: 0.05, 9: 0.0125}},
		// 0.1·0.9ᵏ.
		{"ExponentialLR(0.9)", ExponentialLR{Base: 0.1, Gamma: 0.9},
			map[int]float64{0: 0.1, 1: 0.09000000000000001, 5: 0.05904900000000002, 9: 0.03874204890000002}},
		// 0.01 + 0.09(1 + cos(πk/10))/2: k = 5 gives 0.055.
		{"CosineLR(10, 0.01)", CosineLR{Base: 0.1, Min: 0.01, Period: 10},
			map[int]float64{0: 0.1, 1: 0.09779754323328192, 3: 0.08145033635316129, 5: 0.05500000000000001, 9: 0.012202456766718092, 10: 0.01}},
		// max 1, 20 steps: initial 0.04, min 4e-6; phase 1 ends at 0.3·20 − 1 = 5.
		{"OneCycleLR", OneCycleLR{MaxLR: 1, TotalSteps: 20},
			map[int]float64{0: 0.040000000000000036, 1: 0.1316718427000253, 3: 0.6683281572999747, 5: 1, 6: 0.9874640062350873, 10: 0.7169430017913008, 19: 4e-06, 25: 4e-06}},
		// MgNO-like: max 5e-4, 100 steps, pct 0.2, div 2, final div 100, linear.
		{"OneCycleLR linear", OneCycleLR{MaxLR: 5e-4, TotalSteps: 100, PctStart: 0.2, DivFactor: 2, FinalDivFactor: 100, Anneal: "linear"},
			map[int]float64{0: 0.00025, 10: 0.00038157894736842105, 19: 0.0005, 20: 0.00049378125, 50: 0.00030721875, 99: 2.5000000000000066e-06}},
		{"OneCycleLR three-phase", OneCycleLR{MaxLR: 1, TotalSteps: 20, ThreePhase: true},
			map[int]float64{0: 0.040000000000000036, 3: 0.6683281572999747, 5: 1, 6: 0.9083281572999747, 9: 0.13167184270002527, 10: 0.04, 12: 0.03532135677349332, 19: 4e-06}},
		// LinearLR(start 0.25, 4 iterations): 0.1·(0.25 + 0.75·min(k, 4)/4).
		{"Warmup of a constant", Warmup{Steps: 4, StartFactor: 0.25, Then: ConstantLR{Base: 0.1}},
			map[int]float64{0: 0.025, 1: 0.043750000000000004, 2: 0.06250000000000001, 4: 0.10000000000000002, 7: 0.10000000000000002}},
		// ChainedScheduler([LinearLR, ExponentialLR(0.9)]).
		{"Warmup × exponential", Warmup{Steps: 4, StartFactor: 0.25, Then: ExponentialLR{Base: 0.1, Gamma: 0.9}},
			map[int]float64{0: 0.025, 1: 0.03937500000000001, 2: 0.05062500000000001, 4: 0.06561000000000002, 7: 0.04782969000000002}},
		// SequentialLR([LinearLR, ExponentialLR(0.9)], milestones=[4]).
		{"Warmup then exponential", Warmup{Steps: 4, StartFactor: 0.25, Sequential: true, Then: ExponentialLR{Base: 0.1, Gamma: 0.9}},
			map[int]float64{0: 0.025, 1: 0.043750000000000004, 3: 0.08125000000000002, 4: 0.1, 5: 0.09000000000000001, 7: 0.07290000000000002}},
		{"Warmup default start ⅓", Warmup{Steps: 3, Then: ConstantLR{Base: 0.3}},
			map[int]float64{0: 0.1, 3: 0.3}},
	}
	for _, c := range cases {
		if v, ok := c.s.(interface{ Validate() error }); ok {
			if err := v.Validate(); err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
		}
		for k, want := range c.want {
			if got := c.s.LR(k); !relClose(got, want, 1e-14) {
				t.Errorf("%s: LR(%d) = %.17g, want %.17g", c.name, k, got, want)
			}
		}
	}
}

// TestOneCycleMomentum compares the cycled momentum with PyTorch's (SGD
// momentum between 0.95 and 0.85) and checks that ApplySchedule sets it.
func TestOneCycleMomentum(t *testing.T) {
	s := OneCycleLR{MaxLR: 1, TotalSteps: 20, CycleMomentum: true}
	want := map[int]float64{0: 0.95, 3: 0.8845491502812526, 5: 0.85, 6: 0.8512536043909088, 10: 0.878305813044122, 19: 0.95}
	for k, w := range want {
		if m, ok := s.Momentum(k); !ok || !relClose(m, w, 1e-14) {
			t.Errorf("Momentum(%d) = %.17g, %v; want %.17g", k, m, ok, w)
		}
	}
	s3 := OneCycleLR{MaxLR: 1, TotalSteps: 20, ThreePhase: true, CycleMomentum: true}
	for k, w := range map[int]float64{0: 0.95, 5: 0.85, 10: 0.95, 19: 0.95} {
		if m, _ := s3.Momentum(k); !relClose(m, w, 1e-14) {
			t.Errorf("three-phase Momentum(%d) = %v, want %v", k, m, w)
		}
	}
	p := optParam(1)
	adam := NewAdam([]*tensor.Tensor{p}, AdamConfig{})
	ApplySchedule(adam, s, 5)
	if c := adam.Config(); c.LR != 1 || c.Betas[0] != 0.85 || c.Betas[1] != 0.999 {
		t.Errorf("after ApplySchedule at the peak: Adam %+v", c)
	}
	sgd := NewSGD([]*tensor.Tensor{p}, SGDConfig{Momentum: 0.5})
	ApplySchedule(sgd, OneCycleLR{MaxLR: 1, TotalSteps: 20}, 5)
	if c := sgd.Config(); c.LR != 1 || c.Momentum != 0.5 {
		t.Errorf("without CycleMomentum the momentum changed: %+v", c)
	}
}

func TestScheduleMarshal(t *testing.T) {
	scheds := []Schedule{
		ConstantLR{Base: 0.1},
		StepLR{Base: 1e-3, StepSize: 100, Gamma: 0.5},
		ExponentialLR{Base: 0.1, Gamma: 0.99},
		CosineLR{Base: 0.1, Min: 1e-5, Period: 500},
		OneCycleLR{MaxLR: 5e-4, TotalSteps: 1000, PctStart: 0.2, Anneal: "linear", CycleMomentum: true},
		Warmup{Steps: 10, StartFactor: 0.1, Sequential: true, Then: Warmup{Steps: 2, Then: CosineLR{Base: 1, Period: 7}}},
	}
	for _, s := range scheds {
		b, err := MarshalSchedule(s)
		if err != nil {
			t.Fatalf("%T: %v", s, err)
		}
		back, err := UnmarshalSchedule(b)
		if err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		for k := range 1200 {
			if back.LR(k) != s.LR(k) {
				t.Fatalf("%s: LR(%d) = %v after a round trip, want %v", b, k, back.LR(k), s.LR(k))
			}
		}
		if _, ok := s.(Warmup); !ok && back != s {
			t.Errorf("%s decoded as %+v", b, back)
		}
	}
	b, _ := MarshalSchedule(StepLR{Base: 1e-3, StepSize: 50, Gamma: 0.5})
	if want := `{"kind":"step","base":0.001,"step_size":50,"gamma":0.5}`; string(b) != want {
		t.Errorf("MarshalSchedule = %s, want %s", b, want)
	}
	for _, bad := range []string{
		`{"kind":"step","base":0.1,"step_size":1,"gama":0.5}`,
		`{"kind":"sawtooth"}`,
		`{"base":0.1}`,
		`{"kind":"warmup","steps":3}`,
		`{"kind":"step","base":0.1,"then":{"kind":"constant"}}`,
		`[1,2]`,
	} {
		if _, err := UnmarshalSchedule([]byte(bad)); err == nil {
			t.Errorf("UnmarshalSchedule(%s) succeeded", bad)
		}
	}
	type custom struct{ ConstantLR }
	if _, err := MarshalSchedule(custom{}); err == nil || !strings.Contains(err.Error(), "custom") {
		t.Errorf("MarshalSchedule of a foreign type: %v", err)
	}
}

func TestScheduleValidate(t *testing.T) {
	bad := []interface{ Validate() error }{
		ConstantLR{Base: -1},
		StepLR{Base: 0.1},
		StepLR{Base: 0.1, StepSize: 1, Gamma: -2},
		ExponentialLR{Base: 0.1},
		CosineLR{Base: 0.1},
		CosineLR{Base: math.NaN(), Period: 3},
		OneCycleLR{TotalSteps: 10},
		OneCycleLR{MaxLR: 1},
		OneCycleLR{MaxLR: 1, TotalSteps: 10, PctStart: 1},
		OneCycleLR{MaxLR: 1, TotalSteps: 10, Anneal: "cosine"},
		Warmup{Steps: 3},
		Warmup{Steps: 0, Then: ConstantLR{Base: 1}},
		Warmup{Steps: 3, StartFactor: 2, Then: ConstantLR{Base: 1}},
		Warmup{Steps: 3, Then: StepLR{Base: 1}},
	}
	for _, s := range bad {
		if s.Validate() == nil {
			t.Errorf("%+v validated", s)
		}
	}
}
