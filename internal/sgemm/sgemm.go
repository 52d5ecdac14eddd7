// Package sgemm is sciml's own float32 matrix product for the layers of
// an MLP (tensor.Linear, tensor.SinLinear): products of a block of rows
// of activations with a weight matrix that is packed once per layer and
// step rather than once per call, with the layer's bias as the initial
// value of the product.
//
// # Method
//
// B, the k×n right operand, is packed by Pack into panels of 16 columns
// (16·k floats each, columns past n zero). A tile of 6 rows × 16 columns
// of C is held in twelve AVX registers through the whole of k: for each
// p, two vector loads of the panel's row p, six broadcasts of A(i, p) and
// twelve fused multiply-adds; C is read (when accumulating) and written
// once per tile. The panel stays in L1 while the tiles of its column run
// down the rows of A. A is read in place, either row-major (A(i,p) =
// a[i·lda + p]: an activation block times a weight) or transposed (A(i,p)
// = a[i + p·lda]: the transpose of a gradient block, for the weight
// gradient).
//
// # Determinism
//
// Every element of C is the single chain
//
//	c ← init;  c ← fma(A(i,p), B(p,j), c)  for p = 0, 1, …, k−1,
//
// with one rounding per step (fma: fl32(a·b + c)), whatever m, n, the
// tile or the thread it falls in: results are bitwise reproducible and
// independent of how a caller splits rows between tasks, and a product
// continued in a second call (acc) gives the bits of one call over the
// concatenated k.
//
// # Availability
//
// The kernels need AVX2 and FMA and are compiled with cgo for x86-64;
// Available reports whether they can run (CPU features as the OS reports
// them, golang.org/x/sys/cpu). Callers fall back to internal/blas
// otherwise (and in the purego build, where Available is false). Where
// the CPU has AVX-512 the GEMM and convolution tiles are twice as wide
// (6 × 32: two panels side by side, positions in 512-bit registers),
// with masked loads and stores at the edges; every element is the same
// chain, so the bits do not depend on the instruction set (Level says
// which one runs; the tests check both on an AVX-512 machine).
//
// # Use
//
// tensor's blocked SinLinear/Linear kernels use Gemm for x·wᵀ + b (the
// forward pass, with the next block's rows of x prefetched) and for
// ∂x = ∂z·w. The transposed form would serve the weight gradient ∂zᵀ·x,
// but with each block of x packed it measured 1–3 % slower than
// OpenBLAS there, which tensor keeps for it.
//
// # Convolution
//
// Conv is the same register tile applied to a convolution without a
// column matrix: the 6 rows are output channels (the filters packed by
// PackConv, 6 weights per tap), the 16 columns consecutive positions of a
// padded input grid, loaded in place for each tap from its offset (a
// stride-1 kernel's taps (c, m, n) are c·plane + m·wp + n; a strided
// one's point into the input's phase planes); every output is one chain
// of fused multiply-adds in tap order. tensor's Conv2d/Conv1d (and the
// input gradients of stride-1 ones) use it for float32. ConvWeight is the
// filter gradient in the same layout: tiles of taps × channels, sixteen
// lanes of positions per element, added in a fixed order at the end.
package sgemm

import "fmt"

// NR is the width of a packed panel: Pack's output holds ⌈n/NR⌉ panels of
// NR·k floats.
const NR = 16

// Available reports whether the kernels can run on this CPU and build.
func Available() bool { return available }

// Level names the instruction set the kernels run on: "AVX-512" (tiles of
// 32 columns), "AVX2+FMA" (tiles of 16), or "none" where they are not
// Available. Both give the same bits.
func Level() string {
	switch {
	case use512:
		return "AVX-512"
	case available:
		return "AVX2+FMA"
	}
	return "none"
}

// PackedLen returns the length Pack needs for a k×n operand:
// ⌈n/16⌉·16·k.
func PackedLen(k, n int) int { return (n + NR - 1) / NR * NR * k }

// Pack writes the k×n matrix B into dst (length ≥ PackedLen(k, n)) as
// panels of 16 columns: B(p, j) goes to dst[(j/16)·16·k + 16·p + j%16],
// and the columns of the last panel past n are zero. B(p, j) is
// b[p·ldb + j], or b[j·ldb + p] when trans (B is then the transpose of
// the row-major n×k matrix b, as a weight w [out, in] is for x·wᵀ).
func Pack(dst, b []float32, k, n, ldb int, trans bool) {
	rows, cols := k, n
	if trans {
		rows, cols = n, k
	}
	if k < 0 || n < 0 || len(dst) < PackedLen(k, n) || !fits(b, rows, cols, ldb) {
		panic(fmt.Sprintf("sgemm.Pack: k=%d n=%d ldb=%d trans=%v, len(b)=%d, len(dst)=%d (want ≥ %d)",
			k, n, ldb, trans, len(b), len(dst), PackedLen(k, n)))
	}
	if k == 0 || n == 0 {
		return
	}
	pack(dst, b, k, n, ldb, trans)
}

// Gemm sets C (m×n, row stride ldc) to
//
//	C(i, j) = init(i, j) + Σ_p A(i, p)·B(p, j),   p = 0, …, k−1,
//
// evaluated as one chain of fused multiply-adds in the order of p (see the
// package documentation), with B packed by Pack (bp, k×n) and A(i, p) =
// a[i·lda + p] (A is m×k row-major) or, when trans, a[i + p·lda] (A is
// the transpose of the row-major k×m a). The initial value is C itself
// when acc, else bias[j] when bias is not nil (len n), else 0. It panics
// if the kernels are not Available.
//
// The memory of the slices pf (at most three), which the product need not
// read, is prefetched into the cache a few lines at a time between tiles:
// the operands of the caller's next step, so that their loads from memory
// overlap this product's arithmetic (the product is compute-bound, the
// next step often is not). It changes nothing but the timing.
func Gemm(m, n, k int, a []float32, lda int, trans bool, bp []float32, c []float32, ldc int, bias []float32, acc bool, pf ...[]float32) {
	ar, ac := m, k
	if trans {
		ar, ac = k, m
	}
	if m < 0 || n < 0 || k < 0 || !fits(a, ar, ac, lda) || len(bp) < PackedLen(k, n) || !fits(c, m, n, ldc) ||
		(bias != nil && len(bias) < n) {
		panic(fmt.Sprintf("sgemm.Gemm: m=%d n=%d k=%d lda=%d trans=%v ldc=%d: len(a)=%d len(bp)=%d len(c)=%d len(bias)=%d",
			m, n, k, lda, trans, ldc, len(a), len(bp), len(c), len(bias)))
	}
	if len(pf) > len(pfs{}) {
		panic(fmt.Sprintf("sgemm.Gemm: %d regions to prefetch, at most %d", len(pf), len(pfs{})))
	}
	if !available {
		panic("sgemm.Gemm: kernels not available on this CPU or build (see Available)")
	}
	if m == 0 || n == 0 {
		return
	}
	mode := 0
	switch {
	case acc:
		mode = 2
		bias = nil
	case bias != nil:
		mode = 1
	}
	var p pfs
	copy(p[:], pf)
	gemm(m, n, k, a, lda, trans, bp, c, ldc, mode, bias, p)
}

// pfs holds the regions Gemm prefetches.
type pfs = [3][]float32

// fits reports whether a row-major rows×cols matrix with row stride ld
// lies within s.
func fits(s []float32, rows, cols, ld int) bool {
	if rows < 0 || cols < 0 {
		return false
	}
	if rows == 0 || cols == 0 {
		return true
	}
	return ld >= cols && (rows-1)*ld+cols <= len(s)
}
