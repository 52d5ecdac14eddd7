package tensor

import (
	"fmt"
	"slices"

	"github.com/sciml-go/sciml/internal/blas"
	"github.com/sciml-go/sciml/internal/sgemm"
	"github.com/sciml-go/sciml/internal/vmath"
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
// Gradients: ∂x = g·w̄, ∂w = gᵀ·x̄ and ∂b = Σ g, summed over all leading
// axes. When no graph of the backward pass is being built and x has many
// rows (a layer applied to many points, real dtypes), the three are
// computed together block by block of rows (see linearBackward), so each
// block of g is read from memory once and stays in cache for the three
// products; otherwise they are MatMulT and SumTo, which are themselves
// differentiable (GradGradCheck).
func Linear(x, w, b *Tensor) *Tensor {
	in, out := linearDims("Linear", x, w, b)
	y := linearForward(x, w, b, in, out)
	return record(y, "Linear", func(g *Tensor, ins []*Tensor, _ *Tensor, needs []bool) []*Tensor {
		if r := linearBackward(g, ins, needs, in, out, nil, nil); r != nil {
			return r
		}
		return linearGrads(g, ins, needs, in, out)
	}, x, w, b)
}

// SinLinear returns sin(ω·(x·wᵀ + b)), the layer of a SIREN (Sitzmann et
// al. 2020) with frequency ω (ω₀ = 30 in the paper), for real x, w, b
// shaped as for Linear. Its value is Sin(Scale(Linear(x, w, b), ω)) (z =
// x·wᵀ + b and ω·z rounded to the dtype; bitwise the same for the same z,
// though the GEMM may be blocked differently), but it is one operation:
//
//   - forward, block by block of rows: the GEMM of a block is followed at
//     once by the sine pass while the block is in cache; that pass also
//     yields cos(ω·z) (the reduction is shared), which is kept for the
//     backward pass instead of z;
//   - backward (no graph of it being built, many rows): per block,
//     ∂z = ω·g·cos(ω·z) in a cache-resident scratch block, with ∂b += Σ ∂z
//     in the same pass, then ∂x = ∂z·w and ∂w += ∂zᵀ·x — ∂z never goes to
//     memory;
//   - with a graph of the backward pass (higher derivatives, as PINN
//     residuals take them), the gradient is written with differentiable
//     operations on the inputs — z recomputed by Linear, the fused
//     mulSinQ chain for the sine — so derivatives of every order hold.
//
// Compared with the three separate operations it saves five passes over
// the activations and the storage of two intermediate tensors per step.
// On CPUs with AVX2 and FMA the float32 products x·wᵀ + b (forward) and
// ∂z·w (backward) of the blocks run on internal/sgemm's kernels, with w
// packed once per call and the prefetch of the next block's x overlapping
// the forward product; ∂w and other CPUs use BLAS.
func SinLinear(x, w, b *Tensor, omega float64) *Tensor {
	in, out := linearDims("SinLinear", x, w, b)
	if x.dtype.IsComplex() {
		panic(fmt.Sprintf("tensor.SinLinear: dtype %v not supported", x.dtype))
	}
	rows := x.Numel() / max(in, 1)
	if in == 0 || rows < 2*linChunk {
		return sinQ(Linear(x, w, b), "SinLinear", omega, 0)
	}
	ar := arenaOf(x, w, b)
	shape := append(slices.Clone(x.shape[:x.NDim()-1]), out)
	y := alloc(ar, x.dtype, shape, false)
	// The pre-activation z lives in one scratch block per task. For the
	// backward pass the forward keeps c = cos(ω·z) (evaluated with the sine
	// at almost no cost), so the gradient needs no trigonometry; without a
	// backward pass (inference) nothing is kept.
	keep := recording(x, w, b)
	nc := chunks(rows, linChunk)
	z := alloc(ar, x.dtype, []int{nc, linBlock * out}, false)
	var c *Tensor
	if keep {
		c = alloc(ar, x.dtype, slices.Clone(shape), false)
	}
	switch d := y.data.(type) {
	case []float32:
		wf := float32(omega)
		cs := dataOf[float32](c)
		blockedForward(d, z.Float32s(), x.Float32s(), rows, in, out, forwardGemm32(ar, x.Float32s(), w.Float32s(), biasOf[float32](b), in, out),
			func(dst, src []float32, r0 int) {
				if cs == nil {
					vmath.SinQ(dst, src, nil, wf, 1, 0)
				} else {
					vmath.SinCos(dst, cs[r0*out:r0*out+len(dst)], src, wf)
				}
			})
	case []float64:
		cs := dataOf[float64](c)
		blockedForward(d, z.Float64s(), x.Float64s(), rows, in, out, forwardGemm(x.Float64s(), w.Float64s(), biasOf[float64](b), in, out, blas.DgemmBatched),
			func(dst, src []float64, r0 int) {
				sinQ64(dst, src, nil, omega, 1, 0)
				if cs != nil {
					sinQ64(cs[r0*out:r0*out+len(dst)], src, nil, omega, 1, 1)
				}
			})
	}
	if !keep {
		return y
	}
	c = c.Detach()
	return record(y, "SinLinear", func(g *Tensor, ins []*Tensor, _ *Tensor, needs []bool) []*Tensor {
		// Fused: ∂z = ω·g·cos(ω·z) from the kept cosine, with the bias
		// gradient summed in the same pass.
		dz := &dzKernels{
			f32: func(dst, g, c []float32, acc []float64) { vmath.MulColSum(dst, g, c, out, omega, acc) },
			f64: func(dst, g, c []float64, acc []float64) { mulColSum64(dst, g, c, out, omega, acc) },
		}
		if r := linearBackward(g, ins, needs, in, out, dz, c); r != nil {
			return r
		}
		// Differentiable form: z is recomputed from the inputs (never the
		// detached c of the forward pass), so a graph built through this
		// rule is exact.
		zz := Linear(ins[0], ins[1], ins[2])
		return linearGrads(mulSinQ(g, zz, omega, omega, 1), ins, needs, in, out)
	}, x, w, b)
}

// mulColSum64 is vmath.MulColSum in float64: dst = a·g·c, acc += rows.
func mulColSum64(dst, g, c []float64, cols int, a float64, acc []float64) {
	g, c = g[:len(dst)], c[:len(dst)]
	for i := range dst {
		dst[i] = (a * g[i]) * c[i]
	}
	if acc != nil {
		colSum64(acc, dst, cols)
	}
}

// colSum64 adds the rows of x (cols columns) to acc.
func colSum64(acc, x []float64, cols int) {
	acc = acc[:cols]
	for r := 0; r+cols <= len(x); r += cols {
		for j, v := range x[r : r+cols] {
			acc[j] += v
		}
	}
}

// linearGrads returns the gradients of Linear for the output gradient g,
// written with differentiable operations.
func linearGrads(g *Tensor, ins []*Tensor, needs []bool, in, out int) []*Tensor {
	x, w := ins[0], ins[1]
	g2 := Reshape(g, -1, out)
	r := make([]*Tensor, 3)
	if needs[0] {
		r[0] = Reshape(MatMul(g2, Conj(w)), x.shape...)
	}
	if needs[1] {
		r[1] = MatMulT(g2, Conj(Reshape(x, -1, in)), true, false)
	}
	if needs[2] {
		r[2] = SumTo(g2, out)
	}
	return r
}

// Row blocking of the fused kernels (variables for the tests): a block of
// linBlock rows of a 256-wide layer is 256 KiB in float32, and a task of
// linChunk rows is the unit of parallel work. Both depend only on the
// sizes, never on the thread count, so results are bitwise identical for
// any GOMAXPROCS.
var (
	linBlock = 256
	linChunk = 4096
)

// blockedForward sets y = act(x·wᵀ + b) for rows [0, rows), block by
// block: z, one scratch block of linBlock rows per task, holds the GEMM's
// result (gemm(zb, r0, n, next): rows r0 … r0+n−1 of x·wᵀ + b into zb,
// with next the rows of x of the task's next block, which it may
// prefetch) while act (given the block's first row r0) reads it from
// cache.
func blockedForward[T Float](y, z, x []T, rows, in, out int, gemm func(zb []T, r0, n int, next []T), act func(dst, z []T, r0 int)) {
	parallelFor(chunks(rows, linChunk), func(c int) {
		end := min(rows, (c+1)*linChunk)
		for r0 := c * linChunk; r0 < end; r0 += linBlock {
			r1 := min(r0+linBlock, end)
			zb := z[c*linBlock*out : c*linBlock*out+(r1-r0)*out]
			gemm(zb, r0, r1-r0, x[r1*in:min(r1+linBlock, end)*in])
			act(y[r0*out:r1*out], zb, r0)
		}
	})
}

// forwardGemm returns blockedForward's product through BLAS: the rows of
// the block are filled with b, and x·wᵀ is accumulated onto them.
func forwardGemm[T Float](x, w, b []T, in, out int, gemm batchedGemm[T]) func(zb []T, r0, n int, next []T) {
	return func(zb []T, r0, n int, _ []T) {
		var beta T
		if b != nil {
			for r := range n {
				copy(zb[r*out:(r+1)*out], b)
			}
			beta = 1
		}
		gemm(false, true, n, out, in, 1, x[r0*in:], in, 0, w, in, 0, beta, zb, out, 0, 1)
	}
}

// forwardGemm32 is forwardGemm for float32: with internal/sgemm's kernels
// (AVX2+FMA CPUs) wᵀ is packed once, here, for all blocks, and the bias is
// the initial value of each product (no pass of its own); otherwise BLAS.
func forwardGemm32(ar *Arena, x, w, b []float32, in, out int) func(zb []float32, r0, n int, next []float32) {
	if !sgemm.Available() {
		return forwardGemm(x, w, b, in, out, blas.SgemmBatched)
	}
	wp := alloc(ar, Float32, []int{sgemm.PackedLen(in, out)}, false).Float32s()
	sgemm.Pack(wp, w, in, out, in, true)
	return func(zb []float32, r0, n int, next []float32) {
		sgemm.Gemm(n, out, in, x[r0*in:], in, false, wp, zb, out, b, false, next)
	}
}

// dzKernels compute the gradient of an activation's input on a block,
// dst = dz(g, aux) elementwise (aux: what the forward pass kept), and add
// the rows of dst to acc unless it is nil.
type dzKernels struct {
	f32 func(dst, g, aux []float32, acc []float64)
	f64 func(dst, g, aux []float64, acc []float64)
}

// batchedGemm is the signature of blas.SgemmBatched and DgemmBatched; with
// count 1 they run one product on the calling goroutine.
type batchedGemm[T Float] func(tA, tB bool, m, n, k int, alpha T, a []T, lda, sa int, b []T, ldb, sb int, beta T, c []T, ldc, sc, count int)

// linearBackward computes the gradients of Linear (dz == nil: ∂z = g) or
// of an activation of it (∂z = dz(g, aux) elementwise, on blocks of g and
// aux) block by block of rows: per block ∂x = ∂z·w, ∂w += ∂zᵀ·x and
// ∂b += Σ ∂z, with ∂z in a scratch block when it is computed. The partial sums of ∂w
// and ∂b are kept per task (linChunk rows) and added in task order. It
// returns nil — the caller then uses the differentiable form — when a
// graph of the backward pass is being built (some operand requires
// gradients), for complex dtypes, or for few rows.
func linearBackward(g *Tensor, ins []*Tensor, needs []bool, in, out int, dz *dzKernels, aux *Tensor) []*Tensor {
	x, w, b := ins[0], ins[1], ins[2]
	if g.dtype.IsComplex() || in == 0 || out == 0 || x.Numel()/in < 2*linChunk || recording(g, x, w, b) {
		return nil
	}
	rows := x.Numel() / in
	ar := arenaOf(g, x, w)
	r := make([]*Tensor, 3)
	nc := chunks(rows, linChunk)
	var gx, gwParts *Tensor
	if needs[0] {
		gx = alloc(ar, x.dtype, slices.Clone(x.shape), false)
		r[0] = gx
	}
	if needs[1] {
		gwParts = alloc(ar, x.dtype, []int{nc, out, in}, false)
	}
	var gbParts *Tensor
	if needs[2] && b != nil {
		gbParts = alloc(ar, Float64, []int{nc, out}, true)
	}
	var scratch *Tensor
	if dz != nil {
		scratch = alloc(ar, x.dtype, []int{nc, linBlock * out}, false)
	}
	switch x.dtype {
	case Float32:
		var k func(dst, g, aux []float32, acc []float64)
		if dz != nil {
			k = dz.f32
		}
		xs, ws := x.Float32s(), w.Float32s()
		var prods backwardGemms[float32]
		if sgemm.Available() {
			prods = backwardGemms32(ar, xs, ws, in, out, needs[0])
		} else {
			prods = backwardGemmsBLAS(xs, ws, in, out, blas.SgemmBatched)
		}
		blockedBackward(rows, in, out, g.Float32s(), dataOf[float32](gx), dataOf[float32](gwParts),
			dataOf[float64](gbParts), dataOf[float32](scratch), dataOf[float32](aux), k, vmath.ColSum, prods)
	case Float64:
		var k func(dst, g, aux []float64, acc []float64)
		if dz != nil {
			k = dz.f64
		}
		blockedBackward(rows, in, out, g.Float64s(), dataOf[float64](gx), dataOf[float64](gwParts),
			dataOf[float64](gbParts), dataOf[float64](scratch), dataOf[float64](aux), k, colSum64,
			backwardGemmsBLAS(x.Float64s(), w.Float64s(), in, out, blas.DgemmBatched))
	}
	if needs[1] {
		r[1] = sumParts(ar, gwParts, nc, out, in)
	}
	if gbParts != nil {
		r[2] = sumParts(ar, gbParts, nc, out, 1)
		if x.dtype != Float64 {
			r[2] = float64To32(ar, r[2])
		}
		r[2] = Reshape(r[2], out)
	}
	return r
}

func dataOf[T Scalar](t *Tensor) []T {
	if t == nil {
		return nil
	}
	return t.data.([]T)
}

// backwardGemms are the two products of blockedBackward on a block of n
// rows starting at row r0, with d the block's ∂z (n×out, row-major):
// dx sets gxb (n×in) to d·w; dw sets gw (out×in) to dᵀ·x[r0:r0+n] (first)
// or adds it (the task c's partial sum; first for the task's first block).
type backwardGemms[T Float] struct {
	dx func(d, gxb []T, r0, n int)
	dw func(c int, d, gw []T, r0, n int, first bool)
}

// backwardGemmsBLAS returns blockedBackward's products through BLAS.
func backwardGemmsBLAS[T Float](x, w []T, in, out int, gemm batchedGemm[T]) backwardGemms[T] {
	return backwardGemms[T]{
		dx: func(d, gxb []T, r0, n int) {
			gemm(false, false, n, in, out, 1, d, out, 0, w, in, 0, 0, gxb, in, 0, 1)
		},
		dw: func(c int, d, gw []T, r0, n int, first bool) {
			var beta T
			if !first {
				beta = 1
			}
			gemm(true, false, out, in, n, 1, d, out, 0, x[r0*in:], in, 0, beta, gw, in, 0, 1)
		},
	}
}

// backwardGemms32 returns blockedBackward's products with ∂x = ∂z·w
// through internal/sgemm: w is packed once, here, for all blocks, and ∂x
// needs no zeroing first (BLAS's β = 0). ∂w += ∂zᵀ·x stays with BLAS:
// sgemm's transposed-A product, with each block of x packed, measured
// 1–3 % slower than BLAS's there.
func backwardGemms32(ar *Arena, x, w []float32, in, out int, needX bool) backwardGemms[float32] {
	r := backwardGemmsBLAS(x, w, in, out, blas.SgemmBatched)
	if needX {
		wp := alloc(ar, Float32, []int{sgemm.PackedLen(out, in)}, false).Float32s()
		sgemm.Pack(wp, w, out, in, in, false)
		r.dx = func(d, gxb []float32, r0, n int) {
			sgemm.Gemm(n, in, out, d, out, false, wp, gxb, in, nil, false)
		}
	}
	return r
}

func blockedBackward[T Float](rows, in, out int, g, gx, gwParts []T, gbParts []float64, scratch, aux []T,
	dz func(dst, g, aux []T, acc []float64), colSum func(acc []float64, x []T, cols int), prods backwardGemms[T]) {
	parallelFor(chunks(rows, linChunk), func(c int) {
		var acc []float64
		if gbParts != nil {
			acc = gbParts[c*out : (c+1)*out]
		}
		first := true
		end := min(rows, (c+1)*linChunk)
		for r0 := c * linChunk; r0 < end; r0 += linBlock {
			r1 := min(r0+linBlock, end)
			n := r1 - r0
			d := g[r0*out : r1*out]
			if dz != nil {
				s := scratch[c*linBlock*out : c*linBlock*out+n*out]
				dz(s, d, aux[r0*out:r1*out], acc)
				d = s
			} else if acc != nil {
				colSum(acc, d, out)
			}
			if gx != nil {
				prods.dx(d, gx[r0*in:r1*in], r0, n)
			}
			if gwParts != nil {
				prods.dw(c, d, gwParts[c*out*in:(c+1)*out*in], r0, n, first)
			}
			first = false
		}
	})
}

// sumParts returns Σ_c parts[c] (parts of shape [nc, m, n]) added in
// order c = 0, 1, …, as a tensor of shape [m, n].
func sumParts(ar *Arena, parts *Tensor, nc, m, n int) *Tensor {
	out := alloc(ar, parts.dtype, []int{m, n}, false)
	switch d := out.data.(type) {
	case []float32:
		addParts(d, parts.Float32s(), nc)
	case []float64:
		addParts(d, parts.Float64s(), nc)
	}
	return out
}

func addParts[T Float](dst, parts []T, nc int) {
	m := len(dst)
	copy(dst, parts[:m])
	for c := 1; c < nc; c++ {
		addVV(dst, dst, parts[c*m:(c+1)*m])
	}
}

// float64To32 converts a float64 tensor to float32 (not recorded).
func float64To32(ar *Arena, t *Tensor) *Tensor {
	out := alloc(ar, Float32, slices.Clone(t.shape), false)
	dst, src := out.Float32s(), t.Float64s()
	for i, v := range src {
		dst[i] = float32(v)
	}
	return out
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
