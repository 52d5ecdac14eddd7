package sgemm

import "fmt"

// MR is the number of output channels (rows of C) a tile holds.
const MR = 6

// ConvPackedLen returns the length PackConv needs for filters
// [co, ci, kh, kw]: ⌈co/6⌉·6·ci·kh·kw.
func ConvPackedLen(co, ci, kh, kw int) int { return (co + MR - 1) / MR * MR * ci * kh * kw }

// PackConv writes the row-major filters w [co, ci, kh, kw] into dst
// (length ≥ ConvPackedLen) for Conv: blocks of 6 output channels, in each
// the taps (c, m, n) in order and for each tap the block's 6 weights
// (zero past co).
func PackConv(dst, w []float32, co, ci, kh, kw int) {
	kk := ci * kh * kw
	if co < 0 || kk < 0 || len(w) < co*kk || len(dst) < ConvPackedLen(co, ci, kh, kw) {
		panic(fmt.Sprintf("sgemm.PackConv: co=%d ci=%d kh=%d kw=%d, len(w)=%d, len(dst)=%d", co, ci, kh, kw, len(w), len(dst)))
	}
	for b := 0; b < co; b += MR {
		blk := dst[b*kk : (b+MR)*kk]
		for r := range kk {
			for i := range MR {
				var v float32
				if b+i < co {
					v = w[(b+i)*kk+r]
				}
				blk[r*MR+i] = v
			}
		}
	}
}

// Conv sets y[o·ldy + t] for o < co and t < n to the stride-1
// correlation of the filters packed in wpk (PackConv) with x at n
// consecutive positions:
//
//	y[o·ldy + t] = Σ_{c<ci} Σ_{m<kh} Σ_{j<kw} W(o, c, m, j) · x[c·plane + m·wp + j + t],
//
// each element one chain of fused multiply-adds from zero in the order
// (c, m, j), whatever n or the position it falls in. x holds ci planes
// of rows of wp floats (a padded grid, plane floats apart), so position t
// is column t mod wp of row ⌊t/wp⌋ and its window lies in the rows below;
// positions whose window wraps past the row end give values the caller
// discards. Tiles of 6 channels × 16 positions keep their accumulators in
// registers and read x directly (no column matrix). It panics if the
// kernels are not Available or a read or write would leave x, wpk or y.
func Conv(y []float32, ldy int, x []float32, plane, wp, ci, kh, kw int, wpk []float32, co, n int) {
	if ci < 1 || kh < 1 || kw < 1 || co < 0 || n < 0 || wp < kw || plane < (kh-1)*wp+kw ||
		len(wpk) < ConvPackedLen(co, ci, kh, kw) || !fits(y, co, n, ldy) ||
		(n > 0 && (ci-1)*plane+(kh-1)*wp+kw-1+n > len(x)) {
		panic(fmt.Sprintf("sgemm.Conv: ci=%d kh=%d kw=%d co=%d n=%d plane=%d wp=%d ldy=%d: len(x)=%d len(wpk)=%d len(y)=%d",
			ci, kh, kw, co, n, plane, wp, ldy, len(x), len(wpk), len(y)))
	}
	if !available {
		panic("sgemm.Conv: kernels not available on this CPU or build (see Available)")
	}
	if co == 0 || n == 0 {
		return
	}
	conv(x, plane, wp, ci, kh, kw, wpk, co, y, ldy, n)
}
