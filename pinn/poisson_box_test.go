package pinn

import (
	"math"
	"strings"
	"testing"

	"github.com/sciml-go/sciml/nn"
	"github.com/sciml-go/sciml/tensor"
)

// exactBoxNet is u* = Π_i sin πx_i as a network without parameters.
type exactBoxNet struct{ d int }

func (e exactBoxNet) Dims() (int, int)  { return e.d, 1 }
func (e exactBoxNet) Visit(*nn.Visitor) {}
func (e exactBoxNet) Forward(x *tensor.Tensor) *tensor.Tensor {
	u := tensor.Sin(tensor.Scale(tensor.IndexSelect(x, 1, []int{0}), math.Pi))
	for i := 1; i < e.d; i++ {
		u = tensor.Mul(u, tensor.Sin(tensor.Scale(tensor.IndexSelect(x, 1, []int{i}), math.Pi)))
	}
	return u
}

// PoissonBox: the exact solution has zero residual and meets every
// face's Dirichlet, Neumann and Robin data (outward normals, on a 3-D box
// off the unit cube so that no data vanish), faces are named by their
// coordinate, and bad face lists are errors.
func TestPoissonBox(t *testing.T) {
	box := Box{Lo: []float64{0.1, -0.3, 0.2}, Hi: []float64{0.8, 0.6, 1.7}}
	bcs := []string{"dirichlet", "neumann", "robin", "dirichlet", "neumann", "robin"}
	p, exact, err := PoissonBox(box, bcs, 20, nn.NewRand(1))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"x=0.1", "x=0.8", "y=-0.3", "y=0.6", "z=0.2", "z=1.7"}
	x := box.Sample(50, LHS{}, nn.NewRand(2))
	_, terms := ProblemLoss(p, exactBoxNet{3}, x, Nested)
	if len(p.Conditions) != 6 {
		t.Fatalf("%d conditions", len(p.Conditions))
	}
	for i, c := range p.Conditions {
		if c.Name != want[i] || c.X.Dim(0) != 20 {
			t.Errorf("condition %d: %s with %d points, want %s", i, c.Name, c.X.Dim(0), want[i])
		}
		kind := map[bool]string{true: "dirichlet", false: "neumann"}[c.Beta == 0]
		if c.Alpha != 0 && c.Beta != 0 {
			kind = "robin"
		}
		if kind != bcs[i] {
			t.Errorf("face %s: %s, want %s", c.Name, kind, bcs[i])
		}
		if v := terms[c.Name]; v > 1e-26 {
			t.Errorf("face %s: the exact solution misses the data by %.3g", c.Name, v)
		}
		if c.Target == nil || tensor.Mean(tensor.Square(c.Target)).Item() < 1e-3 {
			t.Errorf("face %s: degenerate (zero) data", c.Name)
		}
	}
	if terms["residual"] > 1e-24 {
		t.Errorf("residual of the exact solution %.3g", terms["residual"])
	}
	if v := exact([]float64{0.5, 0.5, 0.5}); v != 1 {
		t.Errorf("u*(½, ½, ½) = %g", v)
	}
	if _, _, err := PoissonBox(box, []string{"neumann", "neumann", "neumann", "neumann", "neumann", "neumann"}, 4, nn.NewRand(1)); err == nil || !strings.Contains(err.Error(), "constant") {
		t.Errorf("all Neumann: %v", err)
	}
	if _, _, err := PoissonBox(box, bcs[:4], 4, nn.NewRand(1)); err == nil {
		t.Error("4 face conditions for a 3-D box accepted")
	}
	if _, _, err := PoissonBox(box, append(bcs[:5:5], "periodic"), 4, nn.NewRand(1)); err == nil || !strings.Contains(err.Error(), "z=1.7") {
		t.Errorf("unknown condition: %v", err)
	}
}
