package operator

import (
	"fmt"

	"github.com/sciml-go/sciml/nn"
	"github.com/sciml-go/sciml/tensor"
)

// Operator is a learned map between functions sampled on grids: Forward
// takes [B, In, n_1, …, n_d] and returns [B, Out, n_1, …, n_d] on the same
// grid, for any grid sizes the model supports.
type Operator interface {
	nn.Module
	Forward(x *tensor.Tensor) *tensor.Tensor
}

// GridKind says where the points of a grid axis lie on [0, 1].
type GridKind uint8

const (
	// Periodic grids have x_i = i/n, i < n (the endpoint 1 ≡ 0 is not
	// stored), as Burgers and Navier–Stokes data on the torus.
	Periodic GridKind = iota
	// Closed grids have x_i = i/(n−1), i < n, both endpoints included, as
	// the Darcy data (boundary nodes stored).
	Closed
)

func (k GridKind) String() string {
	switch k {
	case Periodic:
		return "periodic"
	case Closed:
		return "closed"
	}
	return fmt.Sprintf("GridKind(%d)", uint8(k))
}

// ParseGridKind parses "periodic" or "closed".
func ParseGridKind(s string) (GridKind, error) {
	switch s {
	case "periodic":
		return Periodic, nil
	case "closed":
		return Closed, nil
	}
	return 0, fmt.Errorf("unknown grid kind %q (want periodic or closed)", s)
}

// Coords returns the n coordinates of a grid axis on [0, 1].
func (k GridKind) Coords(n int) []float64 {
	c := make([]float64, n)
	for i := range c {
		switch k {
		case Closed:
			if n > 1 {
				c[i] = float64(i) / float64(n-1)
			}
		default:
			c[i] = float64(i) / float64(n)
		}
	}
	return c
}

// GridFeatures returns the coordinate channels of a grid with the given
// sizes: a tensor [B, d, n_1, …, n_d] whose channel a holds the coordinate
// along axis a at every point, broadcast over the batch. It is what FNOs
// append to their input so the network knows where each sample lies.
func GridFeatures(d tensor.DType, kind GridKind, batch int, sizes ...int) *tensor.Tensor {
	dim := len(sizes)
	n := 1
	for _, s := range sizes {
		n *= s
	}
	vals := make([]float64, batch*dim*n)
	coords := make([][]float64, dim)
	for a, s := range sizes {
		coords[a] = kind.Coords(s)
	}
	idx := make([]int, dim)
	for p := range n {
		q := p
		for a := dim - 1; a >= 0; a-- {
			idx[a] = q % sizes[a]
			q /= sizes[a]
		}
		for a := range dim {
			v := coords[a][idx[a]]
			for b := range batch {
				vals[(b*dim+a)*n+p] = v
			}
		}
	}
	return tensor.FromFloat64s(d, vals, append([]int{batch, dim}, sizes...)...)
}
