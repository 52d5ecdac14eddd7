package tensor

import (
	"fmt"
	"slices"

	"github.com/sciml-go/sciml/internal/blas"
)

// MatMul returns the matrix product a·b over the last two axes. Leading
// (batch) axes must match, or one operand must be 2-D and is then shared by
// the whole batch.
func MatMul(a, b *Tensor) *Tensor { return MatMulT(a, b, false, false) }

// MatMulT returns op(a)·op(b), where op transposes the last two axes when
// the flag is set (without conjugating). The transposes cost nothing: they
// are passed to BLAS.
func MatMulT(a, b *Tensor, tA, tB bool) *Tensor {
	if a.dtype != b.dtype {
		panic(fmt.Sprintf("tensor.MatMul: dtypes %v and %v differ", a.dtype, b.dtype))
	}
	if a.NDim() < 2 || b.NDim() < 2 {
		panic(fmt.Sprintf("tensor.MatMul: operands must have ≥ 2 axes, have %v and %v", a.shape, b.shape))
	}
	// A batch of a times a shared b folds into one product.
	if b.NDim() == 2 && a.NDim() > 2 && !tA {
		k := a.shape[a.NDim()-1]
		lead := slices.Clone(a.shape[:a.NDim()-1])
		c := matmul(Reshape(a, -1, k), b, false, tB)
		return Reshape(c, append(lead, c.shape[1])...)
	}
	return matmul(a, b, tA, tB)
}

func matDims(t *Tensor, tr bool) (rows, cols int) {
	n := t.NDim()
	r, c := t.shape[n-2], t.shape[n-1]
	if tr {
		return c, r
	}
	return r, c
}

func matmul(a, b *Tensor, tA, tB bool) *Tensor {
	m, k := matDims(a, tA)
	k2, n := matDims(b, tB)
	if k != k2 {
		panic(fmt.Sprintf("tensor.MatMul: inner dimensions differ: %v (transposed %v) · %v (transposed %v)", a.shape, tA, b.shape, tB))
	}
	ba, bb := a.shape[:a.NDim()-2], b.shape[:b.NDim()-2]
	var batch []int
	switch {
	case len(ba) == 0:
		batch = bb
	case len(bb) == 0:
		batch = ba
	case sameShape(ba, bb):
		batch = ba
	default:
		panic(fmt.Sprintf("tensor.MatMul: batch shapes %v and %v differ", a.shape, b.shape))
	}
	count := numel(batch)
	shape := append(slices.Clone(batch), m, n)
	out := alloc(arenaOf(a, b), a.dtype, shape, false)
	lda, ldb := a.shape[a.NDim()-1], b.shape[b.NDim()-1]
	sa, sb := 0, 0
	if len(ba) > 0 {
		sa = m * k
	}
	if len(bb) > 0 {
		sb = k * n
	}
	if k == 0 {
		out.Fill(0)
	} else if count == 1 {
		switch d := out.data.(type) {
		case []float32:
			blas.Sgemm(tA, tB, m, n, k, 1, a.Float32s(), lda, b.Float32s(), ldb, 0, d, n)
		case []float64:
			blas.Dgemm(tA, tB, m, n, k, 1, a.Float64s(), lda, b.Float64s(), ldb, 0, d, n)
		case []complex64:
			blas.Cgemm(tA, tB, m, n, k, 1, a.Complex64s(), lda, b.Complex64s(), ldb, 0, d, n)
		case []complex128:
			blas.Zgemm(tA, tB, m, n, k, 1, a.Complex128s(), lda, b.Complex128s(), ldb, 0, d, n)
		}
	} else {
		switch d := out.data.(type) {
		case []float32:
			blas.SgemmBatched(tA, tB, m, n, k, 1, a.Float32s(), lda, sa, b.Float32s(), ldb, sb, 0, d, n, m*n, count)
		case []float64:
			blas.DgemmBatched(tA, tB, m, n, k, 1, a.Float64s(), lda, sa, b.Float64s(), ldb, sb, 0, d, n, m*n, count)
		case []complex64:
			blas.CgemmBatched(tA, tB, m, n, k, 1, a.Complex64s(), lda, sa, b.Complex64s(), ldb, sb, 0, d, n, m*n, count)
		case []complex128:
			blas.ZgemmBatched(tA, tB, m, n, k, 1, a.Complex128s(), lda, sa, b.Complex128s(), ldb, sb, 0, d, n, m*n, count)
		}
	}
	return record(out, "MatMul", func(g *Tensor, in []*Tensor, _ *Tensor, needs []bool) []*Tensor {
		a, b := Conj(in[0]), Conj(in[1])
		r := make([]*Tensor, 2)
		if needs[0] {
			var ga *Tensor
			switch {
			case !tA && !tB:
				ga = MatMulT(g, b, false, true)
			case tA && !tB:
				ga = MatMulT(b, g, false, true)
			case !tA && tB:
				ga = MatMulT(g, b, false, false)
			default:
				ga = MatMulT(b, g, true, true)
			}
			r[0] = SumTo(ga, in[0].shape...)
		}
		if needs[1] {
			var gb *Tensor
			switch {
			case !tA && !tB:
				gb = MatMulT(a, g, true, false)
			case tA && !tB:
				gb = MatMulT(a, g, false, false)
			case !tA && tB:
				gb = MatMulT(g, a, true, false)
			default:
				gb = MatMulT(g, a, true, true)
			}
			r[1] = SumTo(gb, in[1].shape...)
		}
		return r
	}, a, b)
}
