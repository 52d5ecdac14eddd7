package tensor

import (
	"fmt"
	"slices"

	"github.com/sciml-go/sciml/internal/blas"
)

// Linear returns the affine map of a fully connected layer in PyTorch's
// layout,
//
//	y[..., o] = Σᵢ x[..., i]·w[o, i] + b[o],    y = x·wᵀ + b,
//
// for x of shape [..., in], w of shape [out, in] and b of shape [out] (or
// nil: no bias); y has shape [..., out]. It is one GEMM: the rows of y are
// first filled with b and the product is accumulated onto them
// (C = x·wᵀ + 1·C), so the bias costs no pass of its own. All dtypes are
// supported; for complex tensors the product is bilinear (no conjugation),
// like MatMul.
//
// Gradients: ∂x = g·w̄, ∂w = gᵀ·x̄ (over all leading axes), ∂b = Σ g over
// the leading axes — written with MatMulT and SumTo, so they are themselves
// differentiable (GradGradCheck).
func Linear(x, w, b *Tensor) *Tensor {
	in, out := linearDims("Linear", x, w, b)
	y := linearForward(x, w, b, in, out)
	return record(y, "Linear", func(g *Tensor, ins []*Tensor, _ *Tensor, needs []bool) []*Tensor {
		x, w := ins[0], ins[1]
		g2 := Reshape(g, -1, out)
		r := make([]*Tensor, 3)
		if needs[0] {
			r[0] = Reshape(MatMul(g2, Conj(w)), x.shape...)
		}
		if needs[1] {
			r[1] = weightGrad(g2, Conj(Reshape(x, -1, in)))
		}
		if needs[2] {
			r[2] = SumTo(g2, out)
		}
		return r
	}, x, w, b)
}

// SinLinear returns sin(ω·(x·wᵀ + b)), the layer of a SIREN (Sitzmann et
// al. 2020) with frequency ω (ω₀ = 30 in the paper). It is Linear followed
// by one fused pass that evaluates sin(ω·z) with ω·z formed in float64 (so
// large ω loses nothing to rounding), and whose gradient ω·g·cos(ω·z) is
// again one fused pass (and so are all higher derivatives). Compared with
// Sin(Scale(Linear(x, w, b), ω)) it saves a pass forward and three
// backward, and the storage of two intermediate tensors.
func SinLinear(x, w, b *Tensor, omega float64) *Tensor {
	return sinQ(Linear(x, w, b), "SinLinear", omega, 0)
}

// weightChunk is the number of rows per product in weightGrad (a
// variable for the tests).
var weightChunk = 4096

// weightGrad returns gᵀ·x for g [rows, out] and x [rows, in], recorded as
// MatMulT(g, x, true, false). When rows is large (a layer applied to many
// points) the product is accumulated over fixed blocks of weightChunk rows
// in order (C = g_kᵀ·x_k + C): each block's operands are read from memory
// once and stay in cache while BLAS's threads share them, where one call
// would stream all of x from memory once per thread block. The blocks
// depend only on the sizes, so the result does not depend on the thread
// count.
func weightGrad(g, x *Tensor) *Tensor {
	rows, out, in := g.shape[0], g.shape[1], x.shape[1]
	if rows < 4*weightChunk || rows < 8*max(out, in) || (g.dtype != Float32 && g.dtype != Float64) {
		return MatMulT(g, x, true, false)
	}
	c := alloc(arenaOf(g, x), g.dtype, []int{out, in}, false)
	switch d := c.data.(type) {
	case []float32:
		chunkedTN(d, g.Float32s(), x.Float32s(), rows, out, in, blas.Sgemm)
	case []float64:
		chunkedTN(d, g.Float64s(), x.Float64s(), rows, out, in, blas.Dgemm)
	}
	return record(c, "MatMul", func(gg *Tensor, ins []*Tensor, _ *Tensor, needs []bool) []*Tensor {
		r := make([]*Tensor, 2)
		if needs[0] {
			r[0] = MatMulT(ins[1], gg, false, true)
		}
		if needs[1] {
			r[1] = MatMul(ins[0], gg)
		}
		return r
	}, g, x)
}

func chunkedTN[T Float](c, g, x []T, rows, out, in int,
	gemm func(tA, tB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int)) {
	for r0 := 0; r0 < rows; r0 += weightChunk {
		k := min(weightChunk, rows-r0)
		var beta T
		if r0 > 0 {
			beta = 1
		}
		gemm(true, false, out, in, k, 1, g[r0*out:], out, x[r0*in:], in, beta, c, in)
	}
}

// linearDims checks the operands of Linear and returns (in, out).
func linearDims(op string, x, w, b *Tensor) (in, out int) {
	if w.NDim() != 2 || x.NDim() < 1 || x.shape[x.NDim()-1] != w.shape[1] ||
		(b != nil && (b.NDim() != 1 || b.shape[0] != w.shape[0])) {
		bs := "nil"
		if b != nil {
			bs = fmt.Sprint(b.shape)
		}
		panic(fmt.Sprintf("tensor.%s: x %v, w %v, b %s: want x [..., in], w [out, in], b [out]", op, x.shape, w.shape, bs))
	}
	if x.dtype != w.dtype || (b != nil && b.dtype != x.dtype) {
		panic(fmt.Sprintf("tensor.%s: dtypes differ: x %v, w %v", op, x.dtype, w.dtype))
	}
	return w.shape[1], w.shape[0]
}

// linearForward computes x·wᵀ + b into a new tensor (not recorded).
func linearForward(x, w, b *Tensor, in, out int) *Tensor {
	shape := append(slices.Clone(x.shape[:x.NDim()-1]), out)
	y := alloc(arenaOf(x, w, b), x.dtype, shape, false)
	rows := x.Numel() / max(in, 1)
	if in == 0 {
		rows = numel(shape) / max(out, 1)
	}
	if rows == 0 || out == 0 {
		return y
	}
	switch d := y.data.(type) {
	case []float32:
		linearGemm(d, x.Float32s(), w.Float32s(), biasOf[float32](b), rows, in, out, blas.Sgemm)
	case []float64:
		linearGemm(d, x.Float64s(), w.Float64s(), biasOf[float64](b), rows, in, out, blas.Dgemm)
	case []complex64:
		linearGemm(d, x.Complex64s(), w.Complex64s(), biasOf[complex64](b), rows, in, out, blas.Cgemm)
	case []complex128:
		linearGemm(d, x.Complex128s(), w.Complex128s(), biasOf[complex128](b), rows, in, out, blas.Zgemm)
	}
	return y
}

func biasOf[T Scalar](b *Tensor) []T {
	if b == nil {
		return nil
	}
	return b.data.([]T)
}

// linearGemm sets y = x·wᵀ + b for row-major x [rows, in], w [out, in],
// y [rows, out].
func linearGemm[T Scalar](y, x, w, b []T, rows, in, out int,
	gemm func(tA, tB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int)) {
	var beta T
	if b != nil {
		parallelRange(rows, max(1, grain/out), func(lo, hi int) {
			for r := lo; r < hi; r++ {
				copy(y[r*out:(r+1)*out], b)
			}
		})
		beta = 1
	}
	if in == 0 {
		if b == nil {
			clear(y)
		}
		return
	}
	gemm(false, true, rows, out, in, 1, x, in, w, in, beta, y, out)
}
