package nn_test

import (
	"fmt"

	"gopkg.in/yaml.v3"

	"github.com/sciml-go/sciml/nn"
	"github.com/sciml-go/sciml/tensor"
)

// An activation chosen in a YAML config, with a learnable parameter.
func ExampleNewActivation() {
	var cfg struct {
		Activation nn.ActivationSpec `yaml:"activation"`
	}
	if err := yaml.Unmarshal([]byte("activation: {name: snake, a: 0.5, learnable: true}"), &cfg); err != nil {
		panic(err)
	}
	act, err := nn.NewActivation(cfg.Activation, nn.WithDType(tensor.Float64))
	if err != nil {
		panic(err)
	}
	x := tensor.FromFloat64s(tensor.Float64, []float64{1}, 1)
	fmt.Printf("%s(1) = %.6f\n", cfg.Activation, act.Forward(x).Item())
	for _, p := range nn.NamedParams(act) {
		fmt.Println("parameter", p.Name, p.Tensor.Shape())
	}
	_, err = nn.ParseActivation("{name: snake, b: 1}")
	fmt.Println(err)
	// Output:
	// {name: snake, a: 0.5, learnable: true}(1) = 1.459698
	// parameter a [1]
	// nn: line 1: activation "snake": unknown parameter "b" (parameters: a, learnable, channels, axis, fewbit)
}

// Derivatives of a smooth activation to any order, as a PINN residual
// needs them: gelu′ = Φ + xφ, gelu″ = φ(x)(2 − x²).
func ExampleMustActivation() {
	gelu := nn.MustActivation("gelu")
	x := tensor.FromFloat64s(tensor.Float64, []float64{0, 1}, 2).SetRequiresGrad(true)
	y := gelu.Forward(x)
	dy := tensor.Grad1(y, x, true)
	d2y := tensor.Grad1(dy, x, false)
	fmt.Printf("gelu %.6f  gelu' %.6f  gelu'' %.6f\n", y.ToFloat64s(), dy.ToFloat64s(), d2y.ToFloat64s())
	// Output:
	// gelu [0.000000 0.841345]  gelu' [0.500000 1.083315]  gelu'' [0.797885 0.241971]
}

// A KAN first layer from 2 coordinates to 16 features.
func ExampleNewKANLayer() {
	l := nn.NewKANLayer(2, 16, 5, 3, nn.WithSeed(1))
	y := l.Forward(tensor.Zeros(tensor.Float32, 100, 2))
	fmt.Println(y.Shape(), nn.CountParams(l))
	// Output:
	// [100 16] 288
}

// The few-bit backward of GELU: the forward is exact, the backward keeps
// 2 bits per element.
func ExampleNewFewBit() {
	fb, err := nn.NewFewBit(nn.MustActivation("gelu"), 2)
	if err != nil {
		panic(err)
	}
	fmt.Printf("levels %.3f\nbounds %.3f\n%d bytes for 1000 elements\n", fb.Levels, fb.Bounds, fb.CodeBytes(1000))
	// Output:
	// levels [-0.047 0.311 0.689 1.047]
	// bounds [-0.504 0.000 0.504]
	// 250 bytes for 1000 elements
}
