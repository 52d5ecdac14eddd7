package nn_test

import (
	"fmt"
	"math"

	"github.com/sciml-go/sciml/nn"
	"github.com/sciml-go/sciml/tensor"
)

// Fourier is a stand-in for a spectral layer with a complex weight.
type Fourier struct{ Weight *tensor.Tensor }

func (f *Fourier) Visit(v *nn.Visitor) { v.Param("weight", f.Weight) }

// Net is a small composite model.
type Net struct {
	Lift   *nn.Linear
	Layers []*Fourier
	Norm   *nn.BatchNorm
}

func (m *Net) Visit(v *nn.Visitor) {
	v.Module("lift", m.Lift)
	nn.VisitList(v, "layers", m.Layers)
	v.Module("norm", m.Norm)
}

func Example() {
	r := nn.NewRand(42)
	m := &Net{Lift: nn.NewLinear(3, 8, nn.WithRand(r)), Norm: nn.NewBatchNorm(8)}
	for range 2 {
		w := tensor.RandN(r, tensor.Complex64, 8, 8, 4).SetRequiresGrad(true)
		m.Layers = append(m.Layers, &Fourier{w})
	}
	for _, p := range nn.NamedParams(m) {
		fmt.Println(p.Name, p.Tensor.DType(), p.Tensor.Shape())
	}
	// 3·8+8 + 2·(8·8·4 complex = 512 reals) + 8+8
	fmt.Println("parameters:", nn.CountParams(m))

	_ = nn.Freeze(m, "lift")
	fmt.Println("trainable:", nn.CountTrainable(m))

	sd := nn.StateDict(m)
	delete(sd, "norm.bias")
	fmt.Println(nn.LoadStateDict(m, sd))
	// Output:
	// lift.weight float32 [8 3]
	// lift.bias float32 [8]
	// layers.0.weight complex64 [8 8 4]
	// layers.1.weight complex64 [8 8 4]
	// norm.weight float32 [8]
	// norm.bias float32 [8]
	// parameters: 1072
	// trainable: 1040
	// nn.LoadStateDict: missing key "norm.bias" (float32[8])
}

func ExampleRelLp() {
	// Two samples on a 1-D grid: per-sample ‖ŷ−y‖₂/‖y‖₂, summed as the FNO
	// training scripts do.
	pred := tensor.FromFloat64s(tensor.Float64, []float64{1, 2, 0, 0}, 2, 2)
	target := tensor.FromFloat64s(tensor.Float64, []float64{1, 1, 3, 4}, 2, 2)
	fmt.Printf("%.4f\n", nn.RelLp{Reduction: nn.ReduceNone}.Loss(pred, target).Float64s())
	fmt.Printf("%.4f\n", nn.RelLp{Reduction: nn.ReduceSum}.Loss(pred, target).Item())
	// Output:
	// [0.7071 1.0000]
	// 1.7071
}

func ExampleH1() {
	// The relative H¹ error of u = sin 2πx + 0.1 cos 4πx against sin 2πx on
	// the periodic [0, 1): 0.1·√((1+16π²)/(1+4π²)) at 16 and at 256 points.
	for _, n := range []int{16, 256} {
		p, y := make([]float64, n), make([]float64, n)
		for j := range n {
			x := float64(j) / float64(n)
			y[j] = math.Sin(2 * math.Pi * x)
			p[j] = y[j] + 0.1*math.Cos(4*math.Pi*x)
		}
		l := nn.H1{Grid: nn.Grid{Periodic: true}}
		v := l.Loss(tensor.FromFloat64s(tensor.Float64, p, 1, n), tensor.FromFloat64s(tensor.Float64, y, 1, n))
		fmt.Printf("n = %3d: %.6f\n", n, v.Item())
	}
	// Output:
	// n =  16: 0.198138
	// n = 256: 0.198138
}

func ExampleNewLinear() {
	l := nn.NewLinear(4, 2, nn.WithSeed(1), nn.WithDType(tensor.Float64))
	x := tensor.Zeros(tensor.Float64, 10, 4)
	fmt.Println(l.Forward(x).Shape(), l.Weight.Shape())
	// Output: [10 2] [2 4]
}
