package operator

import (
	"fmt"

	"github.com/sciml-go/sciml/tensor"
)

// edgeMatVec returns the product of each edge's kernel matrix with a
// vector: k [E, W, W] and u [E, W] give, for trans false,
//
//	out[e, o] = Σ_i k[e, o, i] u[e, i]
//
// and for trans true out[e, i] = Σ_o k[e, o, i] u[e, o], in one pass over
// k (no [E, W, W] intermediate as Mul followed by SumAxes would make).
// Its gradients are edgeMatVec with the other flag (for u) and the
// per-edge outer product of the output gradient and u (for k), so it is
// differentiable to any order.
func edgeMatVec(k, u *tensor.Tensor, trans bool) *tensor.Tensor {
	if k.NDim() != 3 || k.Dim(1) != k.Dim(2) || u.NDim() != 2 || u.Dim(0) != k.Dim(0) || u.Dim(1) != k.Dim(1) || k.DType() != u.DType() {
		panic(fmt.Sprintf("operator.edgeMatVec: kernels %v%v and vectors %v%v, want [E, W, W] and [E, W]", k.DType(), k.Shape(), u.DType(), u.Shape()))
	}
	e, w := k.Dim(0), k.Dim(1)
	out := tensor.Empty(k.DType(), []int{e, w}, k, u)
	switch k.DType() {
	case tensor.Float32:
		matVecRows(k.Float32s(), u.Float32s(), out.Float32s(), e, w, trans)
	case tensor.Float64:
		matVecRows(k.Float64s(), u.Float64s(), out.Float64s(), e, w, trans)
	default:
		panic(fmt.Sprintf("operator.edgeMatVec: dtype %v", k.DType()))
	}
	return tensor.Record(out, "EdgeMatVec", func(g *tensor.Tensor, in []*tensor.Tensor, _ *tensor.Tensor, needs []bool) []*tensor.Tensor {
		k, u := in[0], in[1]
		gs := make([]*tensor.Tensor, 2)
		if needs[0] {
			if trans {
				gs[0] = tensor.Mul(tensor.Reshape(u, e, w, 1), tensor.Reshape(g, e, 1, w))
			} else {
				gs[0] = tensor.Mul(tensor.Reshape(g, e, w, 1), tensor.Reshape(u, e, 1, w))
			}
		}
		if needs[1] {
			gs[1] = edgeMatVec(k, g, !trans)
		}
		return gs
	}, k, u)
}

// matVecRows is the kernel of edgeMatVec, in chunks of edges.
func matVecRows[T float32 | float64](k, u, out []T, e, w int, trans bool) {
	tensor.ParallelRange(e, func(lo, hi int) {
		for j := lo; j < hi; j++ {
			kj := k[j*w*w : (j+1)*w*w]
			uj := u[j*w : (j+1)*w]
			oj := out[j*w : (j+1)*w]
			if trans {
				clear(oj)
				for o, uo := range uj {
					row := kj[o*w : (o+1)*w]
					for i := range oj {
						oj[i] += row[i] * uo
					}
				}
				continue
			}
			for o := range oj {
				row := kj[o*w : (o+1)*w]
				var s T
				for i, ui := range uj {
					s += row[i] * ui
				}
				oj[o] = s
			}
		}
	})
}
