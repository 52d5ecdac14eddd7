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

// Conv sets y[o·ldy + t] for o < co and t < n to the correlation of the
// filters packed in wpk (PackConv) with x through the tap offsets taps:
//
//	y[o·ldy + t] = Σ_k W(o, k) · x[taps[k] + t],
//
// each element one chain of fused multiply-adds from zero in tap order k,
// whatever n or the position it falls in; W(o, k) is row o of the filter
// matrix [co, len(taps)] that PackConv packed (for filters [co, ci, kh, kw]
// the taps (c, m, n) in row-major order). For a stride-1 convolution x
// holds ci planes of rows of wp floats (a padded grid, plane floats apart)
// and tap (c, m, n) is c·plane + m·wp + n (StrideOneTaps): position t is
// column t mod wp of row ⌊t/wp⌋ and its window lies in the rows below;
// positions whose window wraps past the row end give values the caller
// discards. Other layouts (the phase planes of a strided convolution) only
// change the offsets. Tiles of 6 channels × 16 positions keep their
// accumulators in registers and read x directly (no column matrix). It
// panics if the kernels are not Available or a read or write would leave
// x, wpk or y.
func Conv(y []float32, ldy int, x []float32, taps []int, wpk []float32, co, n int) {
	bad := len(taps) == 0 || co < 0 || n < 0 || len(wpk) < (co+MR-1)/MR*MR*len(taps) || !fits(y, co, n, ldy)
	for _, o := range taps {
		bad = bad || o < 0 || (n > 0 && o+n > len(x))
	}
	if bad {
		panic(fmt.Sprintf("sgemm.Conv: %d taps (offsets %v…), co=%d n=%d ldy=%d: len(x)=%d len(wpk)=%d len(y)=%d",
			len(taps), taps[:min(len(taps), 4)], co, n, ldy, len(x), len(wpk), len(y)))
	}
	if !available {
		panic("sgemm.Conv: kernels not available on this CPU or build (see Available)")
	}
	if co == 0 || n == 0 {
		return
	}
	conv(x, taps, wpk, co, y, ldy, n)
}

// StrideOneTaps returns the offsets c·plane + m·wp + n of the taps
// (c, m, n) of a ci × kh × kw stride-1 kernel, in PackConv's order.
func StrideOneTaps(plane, wp, ci, kh, kw int) []int {
	taps := make([]int, 0, ci*kh*kw)
	for c := range ci {
		for m := range kh {
			for n := range kw {
				taps = append(taps, c*plane+m*wp+n)
			}
		}
	}
	return taps
}

// ConvWeight sets dw[k·ldw + c], for the taps k < len(taps) and the
// channels c < co, to the correlation over rows × wo output positions
// that a convolution's filter gradient is made of:
//
//	dw[k·ldw + c] = Σ_{i<rows} Σ_{j<wo} gy[c·ldg + i·wo + j] · x[taps[k] + i·wp + j],
//
// x laid out as for Conv (output position (i, j) at i·wp + j, tap k at
// its offset) and gy holding each channel's rows of wo values ldg apart.
// Each element is sixteen fused multiply-add chains, lane l over the
// positions j ≡ l (mod 16) in the order (i, j), added as s_l = l_l +
// l_{l+8} (l < 8), then ((s0 + s4) + (s2 + s6)) + ((s1 + s5) + (s3 + s7));
// whatever the tile it lies in. Tiles of 6 taps × 2 channels (AVX2: lanes
// 0–7 and 8–15 in two passes) or 6 taps × 4 channels (AVX-512: sixteen
// lanes at once) hold their accumulators in registers and read x
// and gy in place (no column matrix). It panics if
// the kernels are not Available or a read or write would leave x, gy or
// dw.
func ConvWeight(dw []float32, ldw int, x []float32, taps []int, wp int, gy []float32, ldg, co, rows, wo int) {
	bad := len(taps) == 0 || co < 0 || rows < 0 || wo < 0 || wp < wo || ldw < co ||
		(co > 0 && len(dw) < (len(taps)-1)*ldw+co) ||
		(co > 0 && rows > 0 && wo > 0 && ((co-1)*ldg+rows*wo > len(gy) || ldg < rows*wo))
	for _, o := range taps {
		bad = bad || o < 0 || (rows > 0 && wo > 0 && o+(rows-1)*wp+wo > len(x))
	}
	if bad {
		panic(fmt.Sprintf("sgemm.ConvWeight: %d taps (offsets %v…), wp=%d co=%d rows=%d wo=%d ldg=%d ldw=%d: len(x)=%d len(gy)=%d len(dw)=%d",
			len(taps), taps[:min(len(taps), 4)], wp, co, rows, wo, ldg, ldw, len(x), len(gy), len(dw)))
	}
	if !available {
		panic("sgemm.ConvWeight: kernels not available on this CPU or build (see Available)")
	}
	if co == 0 {
		return
	}
	convWeight(x, taps, wp, gy, ldg, co, rows, wo, dw, ldw)
}
